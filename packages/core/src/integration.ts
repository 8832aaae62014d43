import type { Client } from './client.js';

/** A plug-in: `{ name, setup(client) }`, optionally undone by `teardown()` at close. */
export interface Integration {
  readonly name: string;
  setup(client: Client): void;
  teardown?(): void;
}
