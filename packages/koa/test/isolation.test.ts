import { createServer } from 'node:http';
import { describeIsolationConformance, listen } from '@sightline/testkit';
import { MAJORS, buildApp } from './helpers/app.js';
// Every expect() of these scenarios lives in the shared suite (packages/testkit/src/*-conformance.ts).

// The same scenario as Express's, from the test kit (the app's /iso/:n route runs isolationWork).
describeIsolationConformance({
  majors: MAJORS,
  start: (KoaApp) => listen(createServer(buildApp(KoaApp).callback())),
});
