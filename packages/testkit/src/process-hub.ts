import { getCurrentHub, getProcessHub } from '@sightline/core';
import { expect } from 'vitest';

/**
 * Expects that no request left its state behind outside its own forked hub: the caller (a test,
 * outside any request) runs in the process hub, and the process hub's scope has no user, tags,
 * extras, contexts, breadcrumbs, request, request id, session or propagation context. A handler
 * that ran outside `runServerRequest`, or a request hub that escaped its context, fails this.
 * Call it from tests after their requests ended (aborted and failed ones included).
 * @example
 * afterEach(() => expectProcessHubClean());
 */
export function expectProcessHubClean(): void {
  expect(getCurrentHub() === getProcessHub(), 'the test itself runs in the process hub').toBe(true);
  const { scope } = getProcessHub();
  expect({
    user: scope.user,
    tags: scope.tags,
    extras: scope.extras,
    contexts: scope.contexts,
    breadcrumbs: scope.breadcrumbs.map((b) => b.message ?? b.category),
    request: scope.request,
    requestId: scope.requestId,
    sessionId: scope.sessionId,
    propagation: scope.propagation,
  }).toEqual({ tags: {}, extras: {}, contexts: {}, breadcrumbs: [] });
}
