import { hostname } from 'node:os';
import type { ResolvedOptions } from '@sightline/core';
import { keyValues } from './attributes.js';
import type { Resource } from './model.js';
import type { ResolvedOtlpOptions } from './options.js';

/**
 * The process as an OTLP resource: service, deployment, host, process and `telemetry.sdk.*`.
 * Computed once at setup; explicit and `OTEL_RESOURCE_ATTRIBUTES` values win over detected ones.
 */
export function buildResource(o: ResolvedOtlpOptions, client: ResolvedOptions, sdkVersion: string): Resource {
  const attrs: Record<string, string | number | boolean> = {
    'host.name': safe(() => client.serverName || hostname(), 'unknown'),
    'host.arch': process.arch,
    'os.type': process.platform,
    'process.pid': process.pid,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    'process.runtime.description': 'Node.js',
    'telemetry.sdk.name': 'sightline',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.version': sdkVersion,
    'deployment.environment.name': client.environment,
  };
  if (client.release) attrs['service.version'] = client.release;
  Object.assign(attrs, o.resourceAttributes);
  attrs['service.name'] = o.serviceName ?? client.service;
  return { attributes: keyValues(attrs) };
}

function safe(fn: () => string, fallback: string): string {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
