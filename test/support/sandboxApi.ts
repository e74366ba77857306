/** Raw HTTP against the sandbox for its own tests: status, headers and parsed body, nothing hidden. */
import { request } from 'undici';

// The sandbox's JSON bodies are read loosely by its tests (the assertions check them): `any` unless a test says.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ApiResponse<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  raw: Buffer;
}

export interface ApiCall {
  json?: unknown;
  raw?: Buffer;
  headers?: Record<string, string>;
  /** Defaults to the sandbox's key; null sends none. */
  apiKey?: string | null;
}

export function apiClient(sandbox: { url: string; apiKey: string }) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as ApiResponse above
  return async function api<T = any>(method: string, path: string, call: ApiCall = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...call.headers };
    const key = call.apiKey === undefined ? sandbox.apiKey : call.apiKey;
    if (key !== null) headers['x-api-key'] = key;
    let body: string | Buffer | undefined = call.raw;
    if (call.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(call.json);
    }
    const res = await request(`${sandbox.url}${path}`, { method: method as 'GET', headers, body });
    const raw = Buffer.from(await res.body.arrayBuffer());
    const text = raw.toString('utf8');
    const isJson = String(res.headers['content-type'] ?? '').includes('application/json');
    return { status: res.statusCode, headers: res.headers, body: (isJson && text ? JSON.parse(text) : text) as T, raw };
  };
}
