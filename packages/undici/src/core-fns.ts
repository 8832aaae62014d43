import * as core from '@sightline/core';

/**
 * The core functions called on every outbound request, bound once. In the CommonJS build a
 * named import is read through two getters on core's exports object at every call (that is how
 * the bundler keeps ES live bindings): ~20 ns a call in a tight loop, several times that in a
 * busy process. These functions are never reassigned, so a binding made at load time is the
 * same function.
 */
export const {
  activeContext,
  getCurrentHub,
  getProcessHub,
  injectTraceHeaders,
  isSdkUrl,
  nowMs,
  shouldPropagateTo,
  startInactiveSpan,
} = core;
