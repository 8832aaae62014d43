import { inspect } from 'node:util';
import type { Client } from './client.js';
import { activeContext } from './context.js';
import { getCurrentHub } from './hub.js';
import type { Integration } from './integration.js';
import type { Span } from './tracing/span.js';

/** Keeps the event loop alive while a shutdown flush runs, and no longer than `ms`. */
function holdOpen(ms: number): () => void {
  const t = setTimeout(() => {}, ms);
  return () => clearTimeout(t);
}

/**
 * Uncaught exceptions (and unhandled rejections, which Node turns into one) become a fatal event
 * and a crashed session; after a bounded flush Node's own behaviour follows (stack on stderr,
 * exit code 1) unless the app has its own `uncaughtException` listener. A natural exit closes
 * the client (ending the session and flushing). Signal listeners only when asked for, because
 * any SIGTERM/SIGINT listener changes how the process exits.
 */
export function installProcessIntegration(): Integration {
  let onUncaught: ((err: unknown, origin: string) => void) | undefined;
  let onBeforeExit: (() => void) | undefined;
  const signalListeners: [NodeJS.Signals, () => void][] = [];

  return {
    name: 'process',
    setup(client: Client) {
      const timeout = client.options.shutdownTimeout;
      let crashing = false;
      onUncaught = (err: unknown, origin: string) => {
        const others = process.listeners('uncaughtException').filter((l) => l !== onUncaught);
        if (!crashing) {
          crashing = true;
          try {
            const hub = getCurrentHub();
            client.captureException(
              err,
              {
                handled: false,
                level: 'fatal',
                mechanism: origin === 'unhandledRejection' ? 'onunhandledrejection' : 'onuncaughtexception',
              },
              hub,
              activeContext().span as Span | undefined,
            );
          } catch {}
        }
        if (others.length > 0) return; // The app handles its own crashes.
        const release = holdOpen(timeout + 100);
        void client.close(timeout).finally(() => {
          release();
          try {
            process.stderr.write(`${inspect(err)}\n\nNode.js ${process.version}\n`);
          } catch {}
          process.exit(1);
        });
      };
      process.on('uncaughtException', onUncaught);

      let exiting = false;
      onBeforeExit = () => {
        if (exiting || client.isClosed()) return;
        exiting = true;
        const release = holdOpen(timeout + 100);
        void client.close(timeout).finally(release);
      };
      process.on('beforeExit', onBeforeExit);

      if (client.options.signalHandlers) {
        for (const sig of ['SIGTERM', 'SIGINT'] as NodeJS.Signals[]) {
          const l = () => {
            const release = holdOpen(timeout + 100);
            void client.close(timeout).finally(() => {
              release();
              for (const [s, fn] of signalListeners) process.removeListener(s, fn);
              process.kill(process.pid, sig);
            });
          };
          signalListeners.push([sig, l]);
          process.once(sig, l);
        }
      }
    },
    teardown() {
      if (onUncaught) process.removeListener('uncaughtException', onUncaught);
      if (onBeforeExit) process.removeListener('beforeExit', onBeforeExit);
      for (const [s, fn] of signalListeners) process.removeListener(s, fn);
      signalListeners.length = 0;
    },
  };
}
