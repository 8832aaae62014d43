'use strict';
// The framework alone: the baseline every other variant is a ratio of.
const { createLogger } = require('../logger.cjs');

module.exports.setup = function setup() {
  return { name: 'bare', logger: createLogger(), shutdown: async () => {} };
};
