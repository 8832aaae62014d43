// Process plumbing shared by the demo's services: listen on a free loopback port, tell the
// parent (scripts/demo.mjs) the URL over IPC, flush on request, and stop when told or when the
// parent goes away. Nothing here is needed in a real app.

/**
 * @param {{ listen: () => Promise<string>, close: () => Promise<void>, client: { flush(ms: number): Promise<boolean>, close(ms: number): Promise<boolean> } }} service
 */
export async function runService(service) {
  const url = await service.listen();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await service.close();
      await service.client.close(3000);
    } finally {
      process.exit(0);
    }
  };
  // Ctrl-C reaches the whole process group: the parent decides when the services stop.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.on('message', async (msg) => {
    if (msg?.type === 'flush') {
      const ok = await service.client.flush(5000);
      process.send?.({ type: 'flushed', ok });
    } else if (msg?.type === 'stop') {
      await stop();
    }
  });
  process.send?.({ type: 'ready', url });
}

/** Common SDK options for the demo services, from the environment the parent sets. */
export function sdkOptions(service) {
  return {
    apiKey: process.env.ALLSTAK_API_KEY,
    host: process.env.ALLSTAK_HOST,
    service,
    release: 'sightline-demo@1.0.0',
    environment: 'demo',
    // Short intervals so the demo's summary is ready within a second or two.
    flushInterval: 200,
    tracesSampleRate: 1,
  };
}
