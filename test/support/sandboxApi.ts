/** Raw HTTP against the sandbox for its own tests: status, headers and parsed body, nothing hidden. */
import { request } from 'undici';
import type { FormField } from '../../src/jobo/schemas';

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

/** An answer that the form's validation accepts, for walking a form to the end. */
export function validAnswer(field: FormField): unknown {
  const fit = (s: string) => (field.max_length ? s.slice(0, field.max_length) : s);
  switch (field.type) {
    case 'email':
      return 'ada@example.com';
    case 'phone':
      return '+1 415 555 0100';
    case 'date':
      return '2026-08-01';
    case 'number':
      return 3;
    case 'boolean':
      return true;
    case 'select':
      return field.options![0].value;
    case 'multi_select':
      return [field.options![0].value];
    case 'file':
      return {
        kind: 'upload',
        file_name: 'ada.pdf',
        content_type: field.accept?.[0] ?? 'application/pdf',
        content_base64: Buffer.from('Name: Ada Lovelace').toString('base64'),
      };
    default:
      return fit('Because I like it');
  }
}

export function validAnswers(fields: FormField[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, validAnswer(f)]));
}
