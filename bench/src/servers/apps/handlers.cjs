'use strict';
// The three routes every app serves, framework-free: a JSON read, a route that logs a line, and
// a route that calls the local stub with fetch.

function user(id) {
  return { id, name: `user-${id}`, plan: 'pro', active: true };
}

function logLine(logger) {
  logger.info({ cartId: 'c-1042', items: 3 }, 'cart loaded');
  return { ok: true };
}

async function callStub(stubUrl) {
  const res = await fetch(stubUrl);
  const body = await res.json();
  return { price: body.price, currency: body.currency };
}

module.exports = { user, logLine, callStub };
