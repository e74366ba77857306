/**
 * A caller for an applyflow API under test: a Bearer key (the test's default, another user's, or none),
 * a JSON or form body, a cookie, and the JSON answer parsed when the response says it is JSON.
 */
import { request } from 'undici';

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- whatever the route answers, checked by the test
  text: string;
}

export interface ApiCallOptions {
  /** Default: the caller's default key; null: no Authorization header. */
  key?: string | null;
  body?: unknown;
  /** A body sent as is (no content type set). */
  raw?: string | Buffer;
  /** An urlencoded form body. */
  form?: string;
  cookie?: string;
  headers?: Record<string, string>;
  /** Another API than the default one (its base URL). */
  to?: string;
}

/** `base` is read on each call: the API under test starts in beforeAll, after the caller is made. */
export function apiCaller(base: () => string, defaultKey: string) {
  return async function call(method: string, path: string, opts: ApiCallOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    const key = opts.key === undefined ? defaultKey : opts.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let body: string | Buffer | undefined = opts.raw;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    if (opts.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = opts.form;
    }
    if (opts.cookie) headers.cookie = opts.cookie;
    const res = await request(`${opts.to ?? base()}${path}`, { method: method as 'GET', headers, body });
    const text = await res.body.text();
    const json = String(res.headers['content-type'] ?? '').includes('json');
    const parsed: unknown = text && json ? JSON.parse(text) : null;
    return { status: res.statusCode, headers: res.headers, body: parsed, text };
  };
}
