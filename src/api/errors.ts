/**
 * The API's error bodies and the one place errors become HTTP statuses: `{ error, message, fields? }`, the
 * shape of the Jobo error bodies (src/jobo/schemas.ts ErrorBody), so clients of both read errors alike.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyError, FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { safeParse, type $ZodIssue, type $ZodType } from 'zod/v4/core';
import { CampaignExistsError } from '../campaign/client';
import { InvalidInputError } from '../shared/input';
import { findJoboFailure, JoboFailure } from '../jobo/failures';
import type { FieldProblem } from '../jobo/schemas';
import { ProfileInputError } from '../profile/input';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    message: string,
    readonly fields?: FieldProblem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const invalidRequest = (fields: FieldProblem[], message?: string) =>
  new ApiError(400, 'invalid_request', message ?? `invalid request: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, fields);
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);

/** ['jobs', 3, 'link'] → `jobs[3].link` (the field names the product's pure validators use). */
export function fieldPath(path: readonly PropertyKey[], prefix?: string): string {
  let out = prefix ?? '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || 'body';
}

/** zod issues → one problem per field (the first, most basic one when a value breaks several rules). */
export function issuesToFields(issues: readonly $ZodIssue[], prefix?: string): FieldProblem[] {
  const out = new Map<string, string>();
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const field = fieldPath([...issue.path, key], prefix);
        if (!out.has(field)) out.set(field, 'unknown field');
      }
      continue;
    }
    const field = fieldPath(issue.path, prefix);
    if (!out.has(field)) out.set(field, issue.message);
  }
  return [...out].map(([field, message]) => ({ field, message }));
}

/**
 * zod for every request part, failing with the field names above. Path and query parameters are named
 * as such when the whole part is missing; body fields keep their JSON path.
 */
export const validatorCompiler: FastifySchemaCompiler<$ZodType> =
  ({ schema }) =>
  (data) => {
    const result = safeParse(schema, data);
    if (result.success) return { value: result.data };
    return { error: invalidRequest(issuesToFields(result.error.issues)) };
  };

/** Domain errors from the typed clients and the Jobo client → API errors; anything else stays a 500. */
export function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (err instanceof InvalidInputError || err instanceof ProfileInputError) return invalidRequest(err.problems);
  if (err instanceof CampaignExistsError) return conflict(err.message);
  if (err instanceof WorkflowNotFoundError) return notFound('resource');
  const jobo = findJoboFailure(err);
  if (jobo) {
    const retryable = [JoboFailure.Unavailable, JoboFailure.RateLimited, JoboFailure.Network, JoboFailure.Timeout, JoboFailure.ServerError];
    if (retryable.includes(jobo.type as (typeof retryable)[number])) {
      return new ApiError(503, 'upstream_unavailable', `the Jobo API is unavailable, retry later (${jobo.type})`, undefined, {
        'retry-after': '5',
      });
    }
    return new ApiError(502, 'upstream_error', `the Jobo API refused the request (${jobo.type})`);
  }
  return null;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const api = toApiError(err) ?? fromFastify(err);
    if (api) {
      if (api.statusCode >= 500) req.log.warn({ err }, 'request failed');
      // A 429 says when to come back in the body too (seconds), as the Retry-After header does.
      const retry = api.statusCode === 429 ? Number(api.headers['retry-after'] ?? reply.getHeader('retry-after')) : NaN;
      return reply
        .code(api.statusCode)
        .headers(api.headers)
        .send({
          error: api.error,
          message: api.message,
          ...(api.fields ? { fields: api.fields } : {}),
          ...(retry >= 0 ? { retryAfter: retry } : {}),
        });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: 'internal_error', message: 'internal error' });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );
}

/** Fastify's own 4xx (bad JSON, wrong content type, body too large, rate limit) in the API's error shape. */
function fromFastify(err: FastifyError): ApiError | null {
  const status = err.statusCode ?? 500;
  if (status === 429) return new ApiError(429, 'rate_limited', err.message);
  if (status === 413) return new ApiError(413, 'payload_too_large', err.message);
  if (status === 415) return invalidRequest([{ field: 'content-type', message: 'expected application/json' }], err.message);
  if (status >= 400 && status < 500) return invalidRequest([{ field: 'body', message: err.message }], err.message);
  return null;
}
