// Koa 2 is installed under an npm alias; its API is typed with the Koa 3 types it shares.
declare module 'koa2' {
  import Koa = require('koa');
  export = Koa;
}
