import { createServer } from 'node:http';
import { describeTraceConformance, listen } from '@sightline/testkit';
import { MAJORS, buildApp } from './helpers/app.js';
// Every expect() of these scenarios lives in the shared suite (packages/testkit/src/*-conformance.ts).

// The same scenarios as Express's, from the test kit (the app serves the routes they need).
describeTraceConformance({
  majors: MAJORS,
  start: (KoaApp) => listen(createServer(buildApp(KoaApp).callback())),
});
