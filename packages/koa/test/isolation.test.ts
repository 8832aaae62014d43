import { createServer } from 'node:http';
import { describeIsolationConformance, listen } from '@sightline/testkit';
import { MAJORS, buildApp } from './helpers/app.js';

// The same scenario as Express's, from the test kit (the app's /iso/:n route runs isolationWork).
describeIsolationConformance({
  majors: MAJORS,
  start: (KoaApp) => listen(createServer(buildApp(KoaApp).callback())),
});
