/**
 * HTTP outcome → Temporal failure. The one mapping of upstream errors: activities let these propagate and
 * the retry policy does the rest (nextRetryDelay carries Retry-After; non-retryable types stop at once).
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorCodes, readErrorBody, type FieldProblem } from './schemas';
import { JoboFailure, NON_RETRYABLE_JOBO_FAILURES, type JoboFailureType } from './failureTypes';
import { applicationFailureIn } from '../shared/failures';

export { JoboFailure, NON_RETRYABLE_JOBO_FAILURES, type JoboFailureType };

/** What a failure carries in details[0], so callers (workflows, CLI) can show per-field problems. */
export interface JoboFailureDetails {
  status: number | null;
  error: string | null;
  message: string;
  fields: FieldProblem[];
  request: string;
}

/** Retry-After is either delta-seconds or an HTTP date; returns milliseconds, or undefined when absent/bad. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.round(Number(raw.trim()) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function failure(type: JoboFailureType, details: JoboFailureDetails, extra: { nextRetryDelay?: number; cause?: Error } = {}) {
  const where = details.status === null ? details.request : `${details.request} → ${details.status}`;
  return ApplicationFailure.create({
    type,
    message: `${where}: ${details.message}`,
    nonRetryable: NON_RETRYABLE_JOBO_FAILURES.includes(type),
    details: [details],
    nextRetryDelay: extra.nextRetryDelay,
    cause: extra.cause,
  });
}

export function failureFromResponse(
  request: string,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
): ApplicationFailure {
  let parsed: ReturnType<typeof readErrorBody> = null;
  try {
    // Either shape: { error, message, fields } (ours) or an RFC 7807-style problem (published client).
    parsed = readErrorBody(JSON.parse(bodyText));
  } catch {
    // Non-JSON error bodies (proxies, load balancers) still map by status below.
  }
  const details: JoboFailureDetails = {
    status,
    error: parsed?.code ?? null,
    message: parsed?.message ?? (bodyText.slice(0, 200) || `HTTP ${status}`),
    fields: parsed?.fields ?? [],
    request,
  };
  const retryAfter = parseRetryAfter(headers['retry-after']);
  // By status first, then by code within it.
  const isInvalidCursor = status === 400 && (parsed?.code === ErrorCodes.invalidCursor || /invalid cursor/i.test(details.message));
  if (isInvalidCursor) return failure(JoboFailure.InvalidCursor, details);
  // 409 on the feed means "cursor restart required" (published client: discard the cursor, start a new
  // scan), which callers handle exactly like an invalid cursor.
  const isCursorRestart =
    status === 409 && (parsed?.code === ErrorCodes.cursorRestartRequired || /^POST \S*\/api\/jobs\/feed$/.test(request));
  if (isCursorRestart) return failure(JoboFailure.InvalidCursor, details);
  if (status === 400 || status === 422) return failure(JoboFailure.BadRequest, details);
  if (status === 401) return failure(JoboFailure.Unauthorized, details);
  if (status === 403) return failure(JoboFailure.Forbidden, details);
  if (status === 404) return failure(JoboFailure.NotFound, details);
  if (status === 409) return failure(JoboFailure.Conflict, details);
  if (status === 413) return failure(JoboFailure.PayloadTooLarge, details);
  if (status === 429) return failure(JoboFailure.RateLimited, details, { nextRetryDelay: retryAfter });
  // The feed documents Retry-After 5 on 503; default to it when a proxy drops the header.
  if (status === 503) return failure(JoboFailure.Unavailable, details, { nextRetryDelay: retryAfter ?? 5000 });
  if (status >= 500) return failure(JoboFailure.ServerError, details, { nextRetryDelay: retryAfter });
  return failure(JoboFailure.BadRequest, details);
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

export function failureFromNetworkError(request: string, err: unknown): ApplicationFailure {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: string }).code ?? '';
  const details: JoboFailureDetails = { status: null, error: code || null, message: e.message, fields: [], request };
  return failure(TIMEOUT_CODES.has(code) ? JoboFailure.Timeout : JoboFailure.Network, details, { cause: e });
}

export function invalidResponse(request: string, status: number, problem: string): ApplicationFailure {
  return failure(JoboFailure.InvalidResponse, {
    status,
    error: null,
    message: `response does not match the documented schema: ${problem}`,
    fields: [],
    request,
  });
}

/** The ApplicationFailure of a given Jobo type, found in an error's cause chain (ActivityFailure → cause). */
export function findJoboFailure(err: unknown, type?: JoboFailureType): ApplicationFailure | undefined {
  return applicationFailureIn(err, (e) => (type ? e.type === type : (e.type?.startsWith('Jobo') ?? false)));
}
