// Run by process.test.ts: a real process with Sightline that crashes in the way named by argv[2].
import { init, logger } from '../../dist/index.js';

const mode = process.argv[2];
init({
  apiKey: process.env.ALLSTAK_API_KEY,
  host: process.env.ALLSTAK_HOST,
  release: '9.9.9',
  flushInterval: 50,
  shutdownTimeout: 3000,
});

if (mode === 'throw') {
  setTimeout(() => {
    throw new RangeError('fatal from timer');
  }, 10);
} else if (mode === 'reject') {
  Promise.reject(new Error('unhandled rejection here'));
} else if (mode === 'own-listener') {
  process.on('uncaughtException', (err) => {
    console.log(`app handled: ${err.message}`);
    setTimeout(() => process.exit(0), 500);
  });
  setTimeout(() => {
    throw new Error('app listener sees this');
  }, 10);
} else if (mode === 'natural-exit') {
  logger.info('last words before exit');
}
