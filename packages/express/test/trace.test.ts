import { createServer } from 'node:http';
import { describeTraceConformance, listen } from '@sightline/testkit';
import { afterAll, beforeAll, vi } from 'vitest';
import { MAJORS, buildApp } from './helpers/app.js';
// Every expect() of these scenarios lives in the shared suite (packages/testkit/src/*-conformance.ts).

beforeAll(() => {
  // Express's final handler prints every error it answers outside NODE_ENV=test.
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterAll(() => {
  vi.restoreAllMocks();
});

// The same scenarios as Koa's, from the test kit (the app serves the routes they need).
describeTraceConformance({
  majors: MAJORS,
  start: (createExpress) => listen(createServer(buildApp(createExpress))),
  // Response headers must also be set on what Express's own final handler answers.
  startDefaultErrors: (createExpress) => listen(createServer(buildApp(createExpress, { errors: 'default' }))),
});
