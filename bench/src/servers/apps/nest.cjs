'use strict';
// Nest 11 on platform-express. Decorators are applied as calls (no TypeScript, no build step).
require('reflect-metadata');
const { Controller, Get, Module, Param } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { user, logLine, callStub } = require('./handlers.cjs');

function route(cls, method, path, params = []) {
  const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, method);
  for (const [index, name] of params) Param(name)(cls.prototype, method, index);
  Get(path)(cls.prototype, method, descriptor);
}

module.exports.create = async function create({ hooks, stubUrl }) {
  class AppController {
    getUser(id) {
      return user(id);
    }
    log() {
      return logLine(hooks.logger);
    }
    fetch() {
      return callStub(stubUrl);
    }
  }
  route(AppController, 'getUser', 'users/:id', [[0, 'id']]);
  route(AppController, 'log', 'log');
  route(AppController, 'fetch', 'fetch');
  Controller()(AppController);

  class AppModule {}
  Module({ imports: hooks.nestImports?.() ?? [], controllers: [AppController] })(AppModule);

  const app = await NestFactory.create(AppModule, { logger: false });
  return async (port) => {
    await app.listen(port, '127.0.0.1');
    return app.getHttpServer();
  };
};
