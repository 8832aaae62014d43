'use strict';
// Every variant logs through pino into a buffered /dev/null destination: the cost measured is
// the logger's and the SDK's, not a terminal's.
const pino = require('pino');

function devNull() {
  return pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 });
}

/** The app's logger. `extra` lets a variant add a mixin and a second stream. */
function createLogger(extra = {}) {
  const streams = extra.streams;
  const options = { level: 'info', base: undefined, ...(extra.mixin ? { mixin: extra.mixin } : {}) };
  if (!streams) return pino(options, devNull());
  return pino(options, pino.multistream([{ stream: devNull() }, ...streams]));
}

module.exports = { createLogger };
