/**
 * The undici keep-alive pool behind the Jobo client: auth header, timeouts, JSON in and out, and every
 * response validated by its zod schema before anyone sees it. Used only by activities (and CLI tools).
 */
import { Agent, request } from 'undici';
import type { z } from 'zod';
import { failureFromNetworkError, failureFromResponse, invalidResponse, parseRetryAfter } from './failures';
import type { RateLimiter } from './rateLimit';

export interface HttpOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
  maxConnections?: number;
  /** Every request waits for its slot first (the store's shared schedule, or a process bucket; see ./rateLimit). */
  rateLimiter?: RateLimiter;
}

export interface HttpCall {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  raw?: { body: Buffer; contentType: string };
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Called once the request is handed to the connection pool (its slot taken): the caller may go on. */
  onSent?: () => void;
}

/** A 2xx response whose body has arrived but is not parsed yet. */
export interface ReceivedBody {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  parse<S extends z.ZodType>(schema: S): HttpResult<z.output<S>>;
}

export interface HttpResult<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  data: T;
}

export class JoboHttp {
  private readonly agent: Agent;
  private readonly base: URL;
  private readonly timeoutMs: number;

  constructor(private readonly opts: HttpOptions) {
    // A trailing slash keeps a base path (e.g. https://host/prefix/) when joining relative paths.
    this.base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.agent = new Agent({
      connections: opts.maxConnections ?? 32,
      keepAliveTimeout: 30_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connectTimeout: Math.min(this.timeoutMs, 10_000),
    });
  }

  url(path: string, query?: HttpCall['query']): URL {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** Sends a request; a 2xx body is parsed with `schema` (or ignored when schema is null). */
  async send<S extends z.ZodType>(call: HttpCall, schema: S): Promise<HttpResult<z.output<S>>>;
  async send(call: HttpCall, schema: null): Promise<HttpResult<undefined>>;
  async send(call: HttpCall, schema: z.ZodType | null): Promise<HttpResult<unknown>> {
    const raw = await this.receive(call);
    if (schema === null) return { status: raw.status, headers: raw.headers, data: undefined };
    return raw.parse(schema);
  }

  /**
   * Sends a request and takes in a 2xx body without parsing it, so a caller can look at the text first
   * (the feed reads its cursor from the body's tail); `parse` then validates it exactly as `send` does.
   */
  async receive(call: HttpCall): Promise<ReceivedBody> {
    const url = this.url(call.path, call.query);
    const label = `${call.method} ${url.pathname}`;
    const headers: Record<string, string> = { 'x-api-key': this.opts.apiKey, accept: 'application/json', ...call.headers };
    let body: string | Buffer | undefined;
    if (call.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.json);
    } else if (call.raw) {
      headers['content-type'] = call.raw.contentType;
      body = call.raw.body;
    }
    // Outside the try: a limit that cannot be read is its own failure, not a network error.
    await this.opts.rateLimiter?.acquire(call.signal);
    let res: Awaited<ReturnType<typeof request>>;
    let text: string;
    try {
      const pending = request(url, { method: call.method, headers, body, dispatcher: this.agent, signal: call.signal });
      call.onSent?.();
      res = await pending;
      text = await res.body.text();
    } catch (err) {
      // Cancellation is not an upstream fault: let the caller's abort reason through untouched.
      if (call.signal?.aborted) throw err;
      throw failureFromNetworkError(label, err);
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      if (res.statusCode === 429 || res.statusCode === 503) {
        // The upstream's own limit: hold every caller sharing the limit, not just this one's retry. The
        // refusal is what the caller hears even when the pause could not be recorded.
        const retryAfter = parseRetryAfter(res.headers['retry-after']);
        if (retryAfter !== undefined) await Promise.resolve(this.opts.rateLimiter?.pauseFor?.(retryAfter)).catch(() => undefined);
      }
      throw failureFromResponse(label, res.statusCode, res.headers, text);
    }
    const { statusCode: status, headers: resHeaders } = res;
    return {
      status,
      headers: resHeaders,
      text,
      parse<S extends z.ZodType>(schema: S): HttpResult<z.output<S>> {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw invalidResponse(label, status, 'body is not JSON');
        }
        const parsed = schema.safeParse(json);
        if (!parsed.success) {
          const first = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
          throw invalidResponse(label, status, first.join('; '));
        }
        return { status, headers: resHeaders, data: parsed.data };
      },
    };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
