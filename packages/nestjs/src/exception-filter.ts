import type { ArgumentsHost, ExceptionFilter, HttpServer } from '@nestjs/common';
import { Catch, HttpException, Inject, Injectable, Optional } from '@nestjs/common';
import { ApplicationConfig, BaseExceptionFilter } from '@nestjs/core';
import { captureException, runInRequestContext } from '@sightline/core';
import { type ShouldCapture, defaultShouldCapture } from './options.js';
import { rawRequest, rawResponse, setFallbackRoute } from './request.js';
import { NO_APPLICATION_REF, SIGHTLINE_MODULE_OPTIONS } from './tokens.js';

// @nestjs/common/constants FILTER_CATCH_EXCEPTIONS (not exported from the index; same in 10 and 11).
const FILTER_CATCH_EXCEPTIONS = '__filterCatchExceptions__';

/** The status Nest's own `BaseExceptionFilter` answers with for `exception`. */
export function statusOf(exception: unknown): number {
  if (exception instanceof HttpException) return exception.getStatus();
  // http-errors style objects (`{ statusCode, message }`) keep their status in Nest's default filter.
  const e = exception as { statusCode?: unknown; message?: unknown } | null;
  if (e && typeof e === 'object' && typeof e.statusCode === 'number' && e.message) return e.statusCode;
  return 500;
}

function catches(filter: ExceptionFilter, exception: unknown): boolean {
  const reflect = Reflect as unknown as { getMetadata?: (k: string, t: object) => unknown };
  const types = reflect.getMetadata?.(FILTER_CATCH_EXCEPTIONS, filter.constructor);
  if (!Array.isArray(types) || types.length === 0) return true;
  return types.some((t) => typeof t === 'function' && exception instanceof t);
}

/**
 * Global exception filter (registered as `APP_FILTER` by `SightlineModule`). Reports unexpected
 * errors and 5xx `HttpException`s once, with the request's context, then answers exactly as the
 * app would without Sightline: through the next global filter that catches the exception (the
 * report then depends on the status that filter answers with), or Nest's `BaseExceptionFilter`.
 * @example
 * // Only needed without SightlineModule: app.useGlobalFilters(new SightlineExceptionFilter(app.get(HttpAdapterHost).httpAdapter));
 */
export class SightlineExceptionFilter extends BaseExceptionFilter {
  private readonly shouldCapture: ShouldCapture;
  /** Injected by Nest (property injection) when the module registers the filter. */
  private readonly applicationConfig?: ApplicationConfig;

  /**
   * @param applicationRef Nest's HTTP adapter; when omitted, Nest injects `HttpAdapterHost`.
   * @param options `shouldCapture` decides which exceptions are reported.
   */
  constructor(applicationRef?: HttpServer, options?: { shouldCapture?: ShouldCapture }) {
    super(applicationRef);
    this.shouldCapture = options?.shouldCapture ?? defaultShouldCapture;
  }

  override catch(exception: unknown, host: ArgumentsHost): unknown {
    const next = this.nextGlobalFilter(exception);
    if (host.getType() !== 'http') {
      this.report(exception, statusOf(exception));
      // RPC, WebSocket and GraphQL answers are their transports' business: the app's own filter
      // for this exception answers (RPC filters return an observable), else the transport does.
      if (next) return next.catch(exception, host);
      throw exception;
    }
    const http = host.switchToHttp();
    const req = http.getRequest<unknown>();
    try {
      setFallbackRoute(req);
    } catch {
      // Naming the route is best effort.
    }
    if (next) {
      this.reportOnceAnswered(exception, req, http.getResponse<unknown>());
      next.catch(exception, host);
    } else {
      // A plugin that lost the async context upstream would make this run outside the request.
      const raw = rawRequest(req);
      if (raw) runInRequestContext(raw, () => this.report(exception, statusOf(exception)));
      else this.report(exception, statusOf(exception));
      super.catch(exception, host);
    }
    return undefined;
  }

  private report(exception: unknown, status: number): void {
    try {
      if (this.shouldCapture(exception, status))
        captureException(exception, { mechanism: 'nestjs', handled: true });
    } catch {
      // A user `shouldCapture` that throws must not change the response.
    }
  }

  /**
   * The app's own filter decides the status (a domain error it maps to 404 is no server
   * error), so the decision waits for the answer: 'finish', or 'close' for an abandoned one.
   * Listeners on `res` run outside the request's async context, hence `runInRequestContext`.
   */
  private reportOnceAnswered(exception: unknown, req: unknown, response: unknown): void {
    const raw = rawRequest(req);
    const res = rawResponse(response);
    if (!raw || !res) {
      this.report(exception, statusOf(exception));
      return;
    }
    let decided = false;
    const decide = () => {
      if (decided) return;
      decided = true;
      res.off('finish', decide);
      res.off('close', decide);
      const status = res.headersSent ? res.statusCode : statusOf(exception);
      runInRequestContext(raw, () => this.report(exception, status));
    };
    res.once('finish', decide);
    res.once('close', decide);
  }

  /**
   * Nest consults global filters last-registered first and stops at the first match. Sightline
   * moves itself to the front (see `SightlineModule.configure`), so it passes the exception on
   * to the filter that would have caught it had Sightline not been installed.
   */
  private nextGlobalFilter(exception: unknown): ExceptionFilter | undefined {
    const filters = this.applicationConfig?.getGlobalFilters();
    if (!filters) return undefined;
    const self = filters.lastIndexOf(this);
    for (let i = (self === -1 ? filters.length : self) - 1; i >= 0; i--) {
      const f = filters[i];
      if (f && f !== this && typeof f.catch === 'function' && catches(f, exception)) return f;
    }
    return undefined;
  }
}

Catch()(SightlineExceptionFilter);
Injectable()(SightlineExceptionFilter);
// Decorators applied as calls: the package builds without `experimentalDecorators`.
Optional()(SightlineExceptionFilter, undefined, 0);
Inject(NO_APPLICATION_REF)(SightlineExceptionFilter, undefined, 0);
Optional()(SightlineExceptionFilter, undefined, 1);
Inject(SIGHTLINE_MODULE_OPTIONS)(SightlineExceptionFilter, undefined, 1);
Optional()(SightlineExceptionFilter.prototype, 'applicationConfig');
Inject(ApplicationConfig)(SightlineExceptionFilter.prototype, 'applicationConfig');
