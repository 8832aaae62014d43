const MAX_FRAMES = 50;
const MAX_CAUSES = 5;

/** The class name of an Error or of a serialized one (`{ type }` as pino writes it). */
export function errorType(err: object): string {
  try {
    const e = err as { name?: unknown; type?: unknown; constructor?: { name?: unknown } };
    if (typeof e.type === 'string' && !(err instanceof Error)) return e.type;
    if (typeof e.name === 'string' && e.name !== '' && e.name !== 'Error') return e.name;
    const ctor = e.constructor?.name;
    return typeof ctor === 'string' && ctor !== '' && ctor !== 'Object' ? ctor : 'Error';
  } catch {
    return 'Error';
  }
}

function read(err: object, key: 'message' | 'stack'): string | undefined {
  try {
    const v = (err as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The `at …` lines of a stack, without the header, bounded. */
export function stackFrames(stack: string | undefined): string | undefined {
  if (stack === undefined) return undefined;
  const out: string[] = [];
  let start = 0;
  while (start < stack.length && out.length < MAX_FRAMES) {
    let end = stack.indexOf('\n', start);
    if (end === -1) end = stack.length;
    const line = stack.slice(start, end).trimStart();
    if (line.startsWith('at ')) out.push(`    ${line}`);
    else if (out.length > 0) break; // a "caused by:" section or trailing text ends this error's frames
    start = end + 1;
  }
  return out.length > 0 ? out.join('\n') : undefined;
}

/**
 * `error.type`, `error.message`, `error.stackTrace` (PROTOCOL.md log record) plus
 * `error.cause.<n>.type|message` for the `cause` chain, bounded and cycle-safe.
 */
export function errorAttributes(err: object, into: Record<string, unknown>): void {
  into['error.type'] = errorType(err);
  into['error.message'] = read(err, 'message') ?? '';
  const trace = stackFrames(read(err, 'stack'));
  if (trace !== undefined) into['error.stackTrace'] = trace;
  const seen = new Set<unknown>([err]);
  let cause = causeOf(err);
  for (let i = 0; i < MAX_CAUSES && typeof cause === 'object' && cause !== null && !seen.has(cause); i++) {
    seen.add(cause);
    into[`error.cause.${i}.type`] = errorType(cause);
    into[`error.cause.${i}.message`] = read(cause, 'message') ?? '';
    cause = causeOf(cause);
  }
}

function causeOf(err: object): unknown {
  try {
    return (err as { cause?: unknown }).cause;
  } catch {
    return undefined;
  }
}

/** True for Errors and for objects that look like one (message and stack strings). */
export function isErrorLike(v: unknown): v is Error {
  if (v instanceof Error) return true;
  if (typeof v !== 'object' || v === null) return false;
  try {
    return typeof (v as Error).message === 'string' && typeof (v as Error).stack === 'string';
  } catch {
    return false;
  }
}
