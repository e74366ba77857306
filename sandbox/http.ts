/**
 * Transport helpers for the sandbox's node:http server: typed HTTP errors that become ErrorBody answers,
 * zod issues turned into per-field problems, bounded body reading.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { ErrorCodes, type ErrorBody, type FieldProblem, type ProblemBody } from '../src/jobo/schemas';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldProblem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): ErrorBody {
    return this.fields ? { error: this.code, message: this.message, fields: this.fields } : { error: this.code, message: this.message };
  }

  /** The RFC 7807-style form the published client reads (detail, code, api_version; fields is our guess). */
  problem(): ProblemBody {
    return {
      type: 'about:blank',
      title: STATUS_TITLES[this.status] ?? 'Error',
      status: this.status,
      detail: this.message,
      code: this.code,
      api_version: PROBLEM_API_VERSION,
      ...(this.fields ? { fields: this.fields } : {}),
    };
  }
}

/** The sandbox's guess: no published document names the value. */
const PROBLEM_API_VERSION = '2025-01-01';
const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const badRequest = (message: string, fields: FieldProblem[]) => new HttpError(400, ErrorCodes.invalidRequest, message, fields);
export const notFound = (what: string) => new HttpError(404, ErrorCodes.notFound, `${what} not found`);

/** One problem per offending field; an unknown key is named itself rather than its parent object. */
export function fieldProblems(error: z.ZodError, prefix: string[] = []): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: [...path, key].join('.'), message: 'unknown field' });
    } else {
      out.push({ field: path.join('.') || 'body', message: issue.message });
    }
  }
  return out;
}

/** Parses `value` with `schema` or throws a 400 naming every bad field. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = fieldProblems(parsed.error);
  throw badRequest(`Invalid request: ${fields.map((f) => f.field).join(', ')}`, fields);
}

/** Reads the whole body; past `limit` bytes it keeps draining (so the answer can be sent) and throws 413. */
export function readBody(req: IncomingMessage, limit: number, field = 'body'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        const message = `${field} exceeds ${limit} bytes`;
        reject(new HttpError(413, ErrorCodes.invalidRequest, message, [{ field, message }]));
      } else resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}

export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const raw = await readBody(req, limit);
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('Malformed JSON body', [{ field: 'body', message: 'not valid JSON' }]);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

export function sendError(res: ServerResponse, err: HttpError, shape: 'applyflow' | 'problem' = 'applyflow'): void {
  if (shape === 'problem') {
    const text = JSON.stringify(err.problem());
    res.writeHead(err.status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(text), ...err.headers });
    res.end(text);
    return;
  }
  sendJson(res, err.status, err.body(), err.headers);
}
