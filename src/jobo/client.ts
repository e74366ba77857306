/**
 * The typed Jobo API client: one method per documented endpoint, requests and responses validated by the
 * schemas in ./schemas, failures mapped by ./failures. Activities own an instance; workflows never see it.
 */
import { requireJobo, type Config } from '../config';
import { JoboHttp, type HttpOptions } from './http';
import { processRateLimiter, SharedRateLimiter, upstreamKey } from './rateLimit';
import type { JobStore } from '../store/types';
import { upstreamScheduleFor } from '../store/upstreamLimit';
import {
  AnswersRequest,
  CREDITS_HEADER,
  CreateProfileRequest,
  CreateSessionRequest,
  ExpiredQuery,
  ExpiredResponse,
  FeedEnvelope,
  FeedRequest,
  type FeedResponse,
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_KEY_MAX,
  LiveSessionStateRead,
  type LiveSessionState,
  PatchProfileRequest,
  Profile,
  RESUME_FILE_NAME_HEADER,
  SessionMetadata,
} from './schemas';
import { JoboFailure } from './failureTypes';
import { readFeedContinuation, type FeedContinuation } from './feedTail';
import { readJobs } from './jobReader';
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';

export type JoboClientOptions = HttpOptions;

/** A feed page read tolerantly: what could not be read is counted, not fatal (see ./jobReader). */
export interface FeedPage extends Page<FeedResponse> {
  /** Jobs with an unreadable field, by field name. */
  oddities: Record<string, number>;
  /** Jobs left out because they had no readable id or updated_at. */
  dropped: number;
}

/** A feed page received but not yet parsed (see JoboClient.feedReceived). */
export interface ReceivedFeedPage {
  /** The page's continuation as its body's tail says, or null when the tail could not be read. */
  continuation: FeedContinuation | null;
  read(): FeedPage;
}

export interface Page<T> {
  data: T;
  /** X-Credits-Balance, when the upstream reports it. */
  creditsBalance: number | null;
  /**
   * The upstream's clock (HTTP `Date`, whole seconds), when sent. Feed sync takes "now" from here because
   * posted_after and expired_since are judged by the server's clock, not ours.
   */
  serverTime: Date | null;
}

function creditsOf(headers: Record<string, string | string[] | undefined>): number | null {
  const raw = headers[CREDITS_HEADER];
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return raw === undefined || Number.isNaN(value) ? null : value;
}

function serverTimeOf(headers: Record<string, string | string[] | undefined>): Date | null {
  const raw = headers.date;
  const t = Date.parse(String(Array.isArray(raw) ? raw[0] : raw));
  return Number.isNaN(t) ? null : new Date(t);
}

/** Validates what we send with the same schemas the sandbox enforces, so bad input fails before the wire. */
function outgoing<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw badInput(
    what,
    parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
  );
}

function badInput(what: string, fields: { field: string; message: string }[]): ApplicationFailure {
  return ApplicationFailure.create({
    type: JoboFailure.BadRequest,
    nonRetryable: true,
    message: `${what}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
    details: [{ status: null, error: 'invalid_request', message: 'rejected before sending', fields, request: what }],
  });
}

const enc = encodeURIComponent;

export class JoboClient {
  private readonly http: JoboHttp;

  constructor(opts: JoboClientOptions) {
    this.http = new JoboHttp(opts);
  }

  /**
   * With `store` (workers, the API server) every call takes its slot from the store's shared schedule, so
   * all processes on that store together stay under UPSTREAM_RATE_LIMIT_PER_SECOND; without one (CLI tools)
   * the clients of this process share one bucket.
   */
  static fromConfig(config: Config, opts: { store?: () => Promise<JobStore> } = {}): JoboClient {
    const { baseUrl, apiKey } = requireJobo(config);
    const rate = config.upstreamRateLimitPerSecond;
    const store = opts.store;
    return new JoboClient({
      baseUrl,
      apiKey,
      timeoutMs: config.jobo.timeoutMs,
      maxConnections: config.jobo.maxConnections,
      rateLimiter: store
        ? new SharedRateLimiter(async () => upstreamScheduleFor(await store()), upstreamKey(baseUrl, apiKey), rate)
        : processRateLimiter(baseUrl, rate),
    });
  }

  /** A continuation should send `cursor` alone: the cursor carries the first request's filters. */
  async feed(req: FeedRequest, opts: { signal?: AbortSignal } = {}): Promise<FeedPage> {
    return (await this.feedReceived(req, opts)).read();
  }

  /**
   * A feed page in two steps: once its body is in, the continuation read from the body's tail (a guess, see
   * ./feedTail), then `read()` parses and validates it as `feed` does. A pipelining caller sends the next
   * request between the two; `onSent` tells it when this request has left.
   */
  async feedReceived(req: FeedRequest, opts: { signal?: AbortSignal; onSent?: () => void } = {}): Promise<ReceivedFeedPage> {
    const json = outgoing(FeedRequest, req, 'POST /api/jobs/feed');
    const body = await this.http.receive({ method: 'POST', path: '/api/jobs/feed', json, signal: opts.signal, onSent: opts.onSent });
    return {
      continuation: readFeedContinuation(body.text),
      read: () => {
        const res = body.parse(FeedEnvelope);
        const { jobs, oddities, dropped } = readJobs(res.data.jobs);
        return {
          data: { ...res.data, jobs },
          oddities,
          dropped,
          creditsBalance: creditsOf(res.headers),
          serverTime: serverTimeOf(res.headers),
        };
      },
    };
  }

  async expired(q: ExpiredQuery, opts: { signal?: AbortSignal } = {}): Promise<Page<ExpiredResponse>> {
    const query = outgoing(ExpiredQuery, q, 'GET /api/jobs/expired');
    const res = await this.http.send({ method: 'GET', path: '/api/jobs/expired', query, signal: opts.signal }, ExpiredResponse);
    return { data: res.data, creditsBalance: creditsOf(res.headers), serverTime: serverTimeOf(res.headers) };
  }

  /**
   * Opens a session. With an idempotencyKey, a retry after a lost response gets the session the first
   * request opened (its current state) instead of a second one.
   */
  async createSession(req: CreateSessionRequest, opts: { idempotencyKey?: string } = {}): Promise<LiveSessionState> {
    const json = outgoing(CreateSessionRequest, req, 'POST /api/auto-apply/sessions');
    const key = opts.idempotencyKey;
    if (key !== undefined && (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX)) {
      throw badInput('POST /api/auto-apply/sessions', [
        { field: 'Idempotency-Key', message: `expected 1 to ${IDEMPOTENCY_KEY_MAX} characters` },
      ]);
    }
    const headers = key !== undefined ? { [IDEMPOTENCY_HEADER]: key } : undefined;
    return (await this.http.send({ method: 'POST', path: '/api/auto-apply/sessions', json, headers }, LiveSessionStateRead)).data;
  }

  async submitAnswers(sessionId: string, req: AnswersRequest, opts: { idempotencyKey?: string } = {}): Promise<LiveSessionState> {
    const path = `/api/auto-apply/sessions/${enc(sessionId)}/answers`;
    const json = outgoing(AnswersRequest, req, `POST ${path}`);
    const headers = opts.idempotencyKey ? { [IDEMPOTENCY_HEADER]: opts.idempotencyKey } : undefined;
    return (await this.http.send({ method: 'POST', path, json, headers }, LiveSessionStateRead)).data;
  }

  async getSession(sessionId: string): Promise<SessionMetadata> {
    return (await this.http.send({ method: 'GET', path: `/api/auto-apply/sessions/${enc(sessionId)}` }, SessionMetadata)).data;
  }

  /** Ends an upstream session. Idempotent: a session that is already gone counts as ended. */
  async endSession(sessionId: string): Promise<void> {
    try {
      await this.http.send({ method: 'DELETE', path: `/api/auto-apply/sessions/${enc(sessionId)}` }, null);
    } catch (err) {
      if (err instanceof ApplicationFailure && err.type === JoboFailure.NotFound) return;
      throw err;
    }
  }

  async createProfile(req: CreateProfileRequest): Promise<Profile> {
    const json = outgoing(CreateProfileRequest, req, 'POST /api/auto-apply/profiles');
    return (await this.http.send({ method: 'POST', path: '/api/auto-apply/profiles', json }, Profile)).data;
  }

  async getProfile(id: string): Promise<Profile> {
    return (await this.http.send({ method: 'GET', path: `/api/auto-apply/profiles/${enc(id)}` }, Profile)).data;
  }

  async patchProfile(id: string, req: PatchProfileRequest): Promise<Profile> {
    const path = `/api/auto-apply/profiles/${enc(id)}`;
    const json = outgoing(PatchProfileRequest, req, `PATCH ${path}`);
    return (await this.http.send({ method: 'PATCH', path, json }, Profile)).data;
  }

  async uploadResume(
    id: string,
    file: { fileName: string; contentType: string; data: Buffer },
    opts: { import?: boolean } = {},
  ): Promise<Profile> {
    const path = `/api/auto-apply/profiles/${enc(id)}/resume`;
    if (file.data.length === 0) throw badInput(`PUT ${path}`, [{ field: 'file', message: 'the file is empty' }]);
    const res = await this.http.send(
      {
        method: 'PUT',
        path,
        query: opts.import ? { import: 'true' } : undefined,
        raw: { body: file.data, contentType: file.contentType },
        headers: { [RESUME_FILE_NAME_HEADER]: enc(file.fileName) },
      },
      Profile,
    );
    return res.data;
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
