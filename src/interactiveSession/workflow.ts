/**
 * interactiveSession: a person fills one job application form, page by page, through a Jobo interactive
 * session (reference 001). The workflow owns the upstream session: it starts it, shows its state by query,
 * takes answers by update (validated before they reach history) or by signal (for the `temporal` CLI and
 * the UI), follows redirects, and always ends the upstream session: on a terminal status, on idle expiry,
 * on the `end` signal and on cancellation. The logic is SessionDriver's (driver.ts); this file wires it.
 *
 * History stays small without continueAsNew: a form has a handful of pages and at most 3 redirect hops,
 * and the payloads are one page of fields or answers.
 */
import {
  CancellationScope,
  type ActivityOptions,
  type LocalActivityOptions,
  allHandlersFinished,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { InteractiveSessionActivities } from './activities';
import { validateSessionInput, type InteractiveSessionInput } from './input';
import { SessionDriver, describe, type SessionPorts } from './driver';
import { SessionFailure, answersSignal, endSignal, stateQuery, submitAnswersUpdate, type InteractiveSessionResult } from './messages';
import { SA } from '../searchAttributes';
import { OpenUpstreamSessions, invalidFailure, sessionCreateKey } from '../shared/upstreamSession';
import { NON_RETRYABLE_JOBO_FAILURES } from '../jobo/failureTypes';

// A person is waiting on start and submit: give up after a few minutes and show the error instead. Backs off
// up to 30 s; what the upstream refused for good (the client's typed 4xx failures) is never retried.
const upstream = {
  startToCloseTimeout: '45s', // above the client's 30 s request timeout
  scheduleToCloseTimeout: '3m',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: [...NON_RETRYABLE_JOBO_FAILURES], // JoboBadRequest, JoboNotFound, JoboConflict, ...
  },
} satisfies ActivityOptions;
// The same, run in the workflow's own worker: a person waits on the update, and this skips a server round trip.
const localSubmit = { ...upstream, localRetryThreshold: '10s' } satisfies LocalActivityOptions;
// Ending keeps trying for longer: an upstream session left open is the one thing this workflow must avoid.
const cleanup = { ...upstream, scheduleToCloseTimeout: '15m' } satisfies ActivityOptions;

const { startSession, getSession } = proxyActivities<InteractiveSessionActivities>(upstream);
// Local since before the first release (8849f72 landed with issues 2-7): no run ever scheduled it as a regular activity.
const { submitAnswers } = proxyLocalActivities<InteractiveSessionActivities>(localSubmit);
const { endSession } = proxyActivities<InteractiveSessionActivities>(cleanup);

function ports(): SessionPorts {
  return {
    workflowId: workflowInfo().workflowId,
    createKey: sessionCreateKey,
    startSession: (req) => CancellationScope.nonCancellable(() => startSession(req)),
    // A retry reuses the idempotency key, so a page is never submitted twice.
    submitAnswers,
    getSession,
    sessions: new OpenUpstreamSessions((sessionId) => endSession({ sessionId }), describe),
    publish: (status, provider) =>
      upsertSearchAttributes([{ key: SA.status, value: status }, ...(provider ? [{ key: SA.provider, value: provider }] : [])]),
    patched,
    condition: (ready, timeoutMs) => (timeoutMs === undefined ? condition(ready).then(() => true) : condition(ready, timeoutMs)),
    allHandlersFinished,
    warn: (message, attrs) => log.warn(message, attrs),
  };
}

export async function interactiveSession(input: InteractiveSessionInput): Promise<InteractiveSessionResult> {
  const problems = validateSessionInput(input);
  if (problems.length) throw invalidFailure(SessionFailure.InvalidInput, 'invalid input', problems);
  const driver = new SessionDriver(input, ports());

  // Set here as well as by the typed client, so sessions started from the `temporal` CLI or UI are findable.
  upsertMemo({ jobUrl: input.jobUrl });
  upsertSearchAttributes([
    { key: SA.kind, value: 'interactive-session' },
    { key: SA.jobUrl, value: input.jobUrl },
    { key: SA.status, value: driver.view.status },
  ]);

  setHandler(stateQuery, () => driver.view);
  setHandler(submitAnswersUpdate, (payload) => driver.onUpdate(payload), { validator: (payload) => driver.validate(payload) });
  setHandler(answersSignal, (payload) => driver.onSignal(payload));
  setHandler(endSignal, (arg) => driver.onEnd(arg?.reason));
  return driver.run();
}
