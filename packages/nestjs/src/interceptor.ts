import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { ApplicationConfig, ModulesContainer } from '@nestjs/core';
import { getCurrentHub, getRequestHub, runInRequestContext } from '@sightline/core';
import type { Observable } from 'rxjs';
import { matchedPath, rawRequest, setRoute } from './request.js';
import { type NestAppConfig, type NestModules, RouteTemplates } from './route-template.js';

/**
 * Global interceptor (registered as `APP_INTERCEPTOR` by `SightlineModule`): names the request
 * after its controller + method route template (`GET /api/users/:id`) as soon as Nest picked
 * the handler, and makes sure the handler runs in the request's Sightline context.
 */
export class SightlineInterceptor implements NestInterceptor {
  private readonly templates: RouteTemplates;

  constructor(config?: ApplicationConfig, modules?: ModulesContainer) {
    this.templates = new RouteTemplates(
      config as unknown as NestAppConfig | undefined,
      modules as unknown as NestModules | undefined,
    );
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    let raw: object | undefined;
    try {
      const req = context.switchToHttp().getRequest<unknown>();
      raw = rawRequest(req);
      if (raw) {
        const template = this.templates.get(context.getClass(), context.getHandler()) ?? matchedPath(req);
        if (template !== undefined) setRoute(raw, template);
      }
    } catch {
      // Telemetry never fails a request; the route then falls back to the framework's match.
    }
    // A plugin upstream that loses the async context (an event-emitter based body parser, say)
    // would leave the handler outside the request; Nest binds `handle()` to the caller's
    // context (AsyncResource.bind), so calling it inside the request context restores it.
    if (raw !== undefined) {
      const hub = getRequestHub(raw);
      if (hub !== undefined && hub !== getCurrentHub()) return runInRequestContext(raw, () => next.handle());
    }
    return next.handle();
  }
}

Injectable()(SightlineInterceptor);
Optional()(SightlineInterceptor, undefined, 0);
Inject(ApplicationConfig)(SightlineInterceptor, undefined, 0);
Optional()(SightlineInterceptor, undefined, 1);
Inject(ModulesContainer)(SightlineInterceptor, undefined, 1);
