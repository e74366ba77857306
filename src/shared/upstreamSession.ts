/**
 * Workflow-side handling of upstream (Jobo) sessions, shared by the interactiveSession and application
 * workflows: the failure for bad input or answers, the redirect rule, and the set of open upstream sessions
 * that every path out must end. Deterministic: @temporalio/workflow and pure helpers only.
 */
import { ApplicationFailure, CancellationScope, log, workflowInfo, type RetryPolicy } from '@temporalio/workflow';
import { formatProblems, jobUrlProblem } from './input';
import { NON_RETRYABLE_JOBO_FAILURES } from '../jobo/failureTypes';
import type { FieldProblem } from '../jobo/schemas';

export const MAX_REDIRECT_HOPS = 3;

/**
 * The retry policy for activities that call the upstream: back off up to 30 s, and never retry what the
 * upstream refused for good (the typed Jobo failures) or the workflow's own non-retryable `also`.
 */
export function upstreamRetry(...also: string[]): RetryPolicy {
  return {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: [...NON_RETRYABLE_JOBO_FAILURES, ...also],
  };
}

/** Non-retryable, naming each field; the problems travel in details for typed callers. */
export function invalidFailure(type: string, what: string, problems: FieldProblem[]): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message: `${what}: ${formatProblems(problems)}`,
    nonRetryable: true,
    details: [problems],
  });
}

/** Why a `redirect_required` cannot be followed (after `hops` redirects already followed), or null when it can. */
export function redirectProblem(next: string | null, hops: number): string | null {
  const problem = next === null ? 'no redirect_url' : jobUrlProblem(next);
  if (problem) return `redirect_required with an unusable redirect_url: ${problem}`;
  if (hops >= MAX_REDIRECT_HOPS) return `more than ${MAX_REDIRECT_HOPS} redirects (next: ${next})`;
  return null;
}

/**
 * The Idempotency-Key for opening one upstream session: the same for every retry of that open (a create
 * whose response was lost is found again, not opened twice), different for each session the workflow means
 * to open (`which`: its hop, its attempt). The first run id makes it unique, and keeps a later workflow
 * under a reused id from getting an earlier one's session; the workflow id, shortened to printable ASCII
 * (a header value, at most 255 characters), keeps keys readable upstream.
 */
export function sessionCreateKey(which: string): string {
  const { workflowId, firstExecutionRunId } = workflowInfo();
  return `${workflowId.replace(/[^\x21-\x7e]/g, '_').slice(0, 150)}/${firstExecutionRunId}/${which}`;
}

/**
 * After answers got 409 or 404: whether the upstream expired the session itself, read from its lifecycle
 * state (000): `closed` without completing. The upstream's idle timeout (15 minutes in the sandbox) may be
 * shorter than ours, so a late answer meets a session it already closed.
 */
export function expiredUpstream(state: string | null): boolean {
  return state === 'closed';
}

/** The upstream sessions a workflow has open: whatever happens, each one is ended once. */
export class OpenUpstreamSessions {
  private readonly ids = new Set<string>();

  constructor(
    private readonly endSession: (sessionId: string) => Promise<unknown>,
    private readonly describe: (err: unknown) => string,
  ) {}

  add(sessionId: string): void {
    this.ids.add(sessionId);
  }

  /** A session the upstream already closed: nothing to end. */
  forget(sessionId: string): void {
    this.ids.delete(sessionId);
  }

  /** Ends it if still open; not cancellable, and never throws. */
  async end(sessionId: string): Promise<void> {
    if (!this.ids.delete(sessionId)) return;
    try {
      await CancellationScope.nonCancellable(() => this.endSession(sessionId));
    } catch (err) {
      // Nothing more to do here: the upstream also expires idle sessions on its own.
      log.error('could not end the upstream session', { sessionId, error: this.describe(err) });
    }
  }

  async endAll(): Promise<void> {
    for (const id of [...this.ids]) await this.end(id);
  }
}
