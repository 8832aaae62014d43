'use strict';
const Koa = require('koa');
const Router = require('@koa/router');
const { user, logLine, callStub } = require('./handlers.cjs');

module.exports.create = async function create({ hooks, stubUrl }) {
  const app = new Koa();
  hooks.koa?.(app);
  const router = new Router();
  router.get('/users/:id', (ctx) => {
    ctx.body = user(ctx.params.id);
  });
  router.get('/log', (ctx) => {
    ctx.body = logLine(hooks.logger);
  });
  router.get('/fetch', async (ctx) => {
    ctx.body = await callStub(stubUrl);
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return (port) =>
    new Promise((resolve) => {
      const server = app.listen(port, '127.0.0.1', () => resolve(server));
    });
};
