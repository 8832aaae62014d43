// The per-test ingest server (`useIngest`: fresh server per test, client started by the test,
// both torn down after) is shared with the logger packages' tests through the test kit.
export { sleep, useIngest } from '@sightline/testkit';
