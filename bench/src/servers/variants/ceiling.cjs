'use strict';
// No SDK: the framework plus what Node charges any SDK that keeps request context across
// `await` — an AsyncLocalStorage holding a fresh store per request. On Node 20 turning it on
// installs async_hooks' promise hooks, and every promise and async resource in the process pays
// for them from then on. Its ratio to bare is the ceiling for Sightline, OpenTelemetry, dd-trace
// and Sentry alike (all four use AsyncLocalStorage on Node 20).
const { AsyncLocalStorage } = require('node:async_hooks');
const dc = require('node:diagnostics_channel');
const { createLogger } = require('../logger.cjs');

module.exports.setup = function setup() {
  const als = new AsyncLocalStorage();
  let n = 0;
  // Published before the server's 'request' event, inside the request's async resource: the
  // store then holds for everything the request does, as with an SDK's `als.run`.
  dc.subscribe('http.server.request.start', () => als.enterWith({ request: ++n }));
  return { name: 'ceiling', logger: createLogger(), shutdown: async () => {} };
};
