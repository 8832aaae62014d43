// Express 4 is installed under an npm alias; its API is typed with the Express 5 types it shares.
declare module 'express4' {
  import express = require('express');
  export = express;
}
