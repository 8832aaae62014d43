import type { ErrorEvent, LogLevel, LogRecord, SeverityLevel } from '@sightline/core';
import { stackTraceLines } from '@sightline/core';
import { int, keyValues, msToNanos, str } from './attributes.js';
import type { KeyValue, OtlpLogRecord } from './model.js';

// OpenTelemetry log data model: the first number of each severity range.
const SEVERITY: Record<LogLevel | SeverityLevel, [number, string]> = {
  debug: [5, 'DEBUG'],
  info: [9, 'INFO'],
  warn: [13, 'WARN'],
  warning: [13, 'WARN'],
  error: [17, 'ERROR'],
  fatal: [21, 'FATAL'],
};

function ids(out: OtlpLogRecord, traceId: string | undefined, spanId: string | undefined): OtlpLogRecord {
  if (traceId) out.traceId = traceId;
  if (traceId && spanId) out.spanId = spanId;
  return out;
}

/** A Sightline log as an OTLP log record (severity number and text, body, trace and span ids). */
export function mapLog(l: LogRecord): OtlpLogRecord {
  const [severityNumber, severityText] = SEVERITY[l.level] ?? SEVERITY.info;
  const attributes: KeyValue[] = keyValues(l.attributes);
  if (l.requestId) attributes.push(str('sightline.request_id', l.requestId));
  if (l.userId) attributes.push(str('user.id', l.userId));
  const time = msToNanos(l.timestamp);
  return ids(
    { timeUnixNano: time, observedTimeUnixNano: time, severityNumber, severityText, body: { stringValue: l.message }, attributes },
    l.traceId,
    l.spanId,
  );
}

/**
 * An error event as an OTLP log record with the `exception.*` semantic-convention attributes
 * (OTLP has no error signal of its own; this is how OpenTelemetry SDKs log exceptions).
 */
export function mapError(e: ErrorEvent): OtlpLogRecord {
  const [severityNumber, severityText] = SEVERITY[e.level] ?? SEVERITY.error;
  const ex = e.exception;
  const attributes: KeyValue[] = [str('exception.type', ex.type), str('exception.message', ex.value)];
  if (ex.frames.length > 0) {
    attributes.push(str('exception.stacktrace', [`${ex.type}: ${ex.value}`, ...stackTraceLines(ex.frames)].join('\n')));
  }
  attributes.push(str('sightline.event_id', e.eventId), { key: 'sightline.handled', value: { boolValue: e.handled } });
  if (e.mechanism) attributes.push(str('sightline.mechanism', e.mechanism));
  e.causes.forEach((c, i) => {
    attributes.push(str(`exception.cause.${i}.type`, c.type), str(`exception.cause.${i}.message`, c.value));
  });
  if (e.requestId) attributes.push(str('sightline.request_id', e.requestId));
  if (e.user?.id) attributes.push(str('user.id', e.user.id));
  const r = e.request;
  if (r) {
    if (r.method) attributes.push(str('http.request.method', r.method));
    if (r.route) attributes.push(str('http.route', r.route));
    if (r.path) attributes.push(str('url.path', r.path));
    if (r.statusCode) attributes.push(int('http.response.status_code', r.statusCode));
  }
  keyValues(e.tags, 0, attributes);
  if (Object.keys(e.extras).length > 0) keyValues({ 'sightline.extra': e.extras }, 0, attributes);
  const time = msToNanos(e.timestamp);
  return ids(
    {
      timeUnixNano: time,
      observedTimeUnixNano: time,
      severityNumber,
      severityText,
      body: { stringValue: ex.type === 'Message' ? ex.value : `${ex.type}: ${ex.value}` },
      attributes,
    },
    e.traceId,
    e.spanId,
  );
}
