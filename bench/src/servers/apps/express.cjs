'use strict';
const express = require('express');
const { user, logLine, callStub } = require('./handlers.cjs');

module.exports.create = async function create({ hooks, stubUrl }) {
  const app = express();
  app.disable('x-powered-by');
  hooks.express?.(app);
  app.get('/users/:id', (req, res) => {
    res.json(user(req.params.id));
  });
  app.get('/log', (_req, res) => {
    res.json(logLine(hooks.logger));
  });
  app.get('/fetch', async (_req, res, next) => {
    try {
      res.json(await callStub(stubUrl));
    } catch (err) {
      next(err);
    }
  });
  hooks.expressAfter?.(app);
  return (port) =>
    new Promise((resolve) => {
      const server = app.listen(port, '127.0.0.1', () => resolve(server));
    });
};
