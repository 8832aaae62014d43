/**
 * The SDK's own diagnostics. Off unless `debug: true`; when on, lines go to stderr through
 * `console.error` with a `[sightline]` prefix. Every line passes through a redactor that knows
 * the configured API key, so the key can never be printed, whatever a caller formats.
 */
export interface DebugLogger {
  readonly enabled: boolean;
  log(message: string): void;
  /** Logs once per `key` for the process lifetime (e.g. "no API key: Sightline is disabled"). */
  once(key: string, message: string): void;
}

const secrets = new Set<string>();
const said = new Set<string>();

/** Registers a secret that must never appear in SDK output (the API key). */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 4) secrets.add(secret);
}

/** Replaces every registered secret in `text` with `[redacted]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join('[redacted]');
  }
  return out;
}

export function createDebugLogger(enabled: boolean): DebugLogger {
  const log = (message: string) => {
    if (!enabled) return;
    try {
      console.error(`[sightline] ${redactSecrets(message)}`);
    } catch {
      // stderr closed: nothing useful to do.
    }
  };
  return {
    enabled,
    log,
    once(key, message) {
      if (said.has(key)) return;
      said.add(key);
      log(message);
    },
  };
}

export const NOOP_DEBUG: DebugLogger = createDebugLogger(false);
