'use strict';
const Fastify = require('fastify');
const { user, logLine, callStub } = require('./handlers.cjs');

module.exports.create = async function create({ hooks, stubUrl }) {
  const app = Fastify({ logger: false });
  await hooks.fastify?.(app);
  app.get('/users/:id', async (req) => user(req.params.id));
  app.get('/log', async () => logLine(hooks.logger));
  app.get('/fetch', async () => callStub(stubUrl));
  await app.ready();
  return async (port) => {
    await app.listen({ port, host: '127.0.0.1' });
    return app.server;
  };
};
