/**
 * The codec server Temporal documents for its UI and CLI: `POST /encode` and `POST /decode` take
 * `{ "payloads": [...] }` (Payloads in protobuf JSON: metadata values and data base64) and answer the same
 * shape, through the project's EncryptionCodec. CORS answers only the configured UI origins.
 *
 * Access: `Authorization: Bearer <token>` with one of the accepted tokens (the API keys, or a token of its
 * own; the `temporal` CLI sends it with `--codec-auth`), or the endpoint's secret path prefix: the Temporal
 * UI of the dev server has no login and so sends no token, and the main job gives it
 * `--ui-codec-endpoint http://host:port/<secret>`. Whoever can open that UI can read its settings, so the
 * secret protects the codec from everyone else, not from the UI's users (who see decoded payloads anyway).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { CodecKey } from '../config';
import { EncryptionCodec } from './encryptionCodec';

export interface CodecServerOptions {
  keys: CodecKey[];
  /** Browser origins allowed to call (the Temporal UI's), e.g. http://127.0.0.1:8233. */
  origins: string[];
  /** Bearer tokens accepted. */
  tokens: string[];
  /** The secret path prefix (URL-safe), for clients that cannot send a header. */
  pathSecret?: string;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const MAX_BODY = 16 * 1024 * 1024;
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

function fromJson(p: JsonPayload): Payload {
  if (typeof p !== 'object' || p === null) throw new TypeError('each payload must be an object');
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) {
    if (typeof v !== 'string') throw new TypeError(`metadata.${k} must be base64`);
    metadata[k] = Buffer.from(v, 'base64');
  }
  if (p.data !== undefined && typeof p.data !== 'string') throw new TypeError('data must be base64');
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

function toJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

export async function buildCodecServer(opts: CodecServerOptions): Promise<FastifyInstance> {
  const codec = new EncryptionCodec(opts.keys);
  const tokens = opts.tokens.map(digest);
  const origins = new Set(opts.origins);
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY });

  const cors = (req: FastifyRequest, reply: FastifyReply) => {
    const origin = req.headers.origin;
    reply.header('vary', 'Origin');
    if (origin && origins.has(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-headers', 'content-type, authorization, x-namespace');
      reply.header('access-control-max-age', '600');
    }
  };
  const authorized = (req: FastifyRequest, viaSecret: boolean): boolean => {
    if (viaSecret) return true;
    const m = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
    if (!m) return false;
    const presented = digest(m[1]);
    let ok = false;
    for (const t of tokens) ok = timingSafeEqual(t, presented) || ok;
    return ok;
  };

  const route = (prefix: string, viaSecret: boolean) => {
    for (const action of ['encode', 'decode'] as const) {
      const url = `${prefix}/${action}`;
      // Preflights carry no credentials (browsers never send them), so they are answered for allowed origins only.
      app.options(url, async (req, reply) => {
        cors(req, reply);
        return reply.code(204).send();
      });
      app.post(url, async (req, reply) => {
        cors(req, reply);
        if (!authorized(req, viaSecret)) {
          return reply
            .code(401)
            .header('www-authenticate', 'Bearer realm="applyflow-codec"')
            .send({ error: 'unauthorized', message: 'a codec token is required' });
        }
        const body = req.body as { payloads?: unknown } | undefined;
        if (!body || !Array.isArray(body.payloads))
          return reply.code(400).send({ error: 'invalid_request', message: 'expected { "payloads": [...] }' });
        let payloads: Payload[];
        try {
          payloads = body.payloads.map((p) => fromJson(p as JsonPayload));
        } catch (err) {
          return reply.code(400).send({ error: 'invalid_request', message: (err as Error).message });
        }
        try {
          const out = action === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
          return { payloads: out.map(toJson) };
        } catch (err) {
          // Unknown key id or failed authentication: the message names the key id, never a payload.
          return reply.code(422).send({ error: 'codec_error', message: (err as Error).message });
        }
      });
    }
  };
  route('', false);
  if (opts.pathSecret) route(`/${opts.pathSecret}`, true);
  await app.ready();
  return app;
}

export interface RunningCodecServer {
  /** The endpoint with its secret path: what the UI and `temporal --codec-endpoint` are given. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * The main job's codec server on `host`:APPLYFLOW_CODEC_SERVER_PORT, for the UI at `uiPort` (both loopback
 * spellings of its origin). The secret is new on every start, like the dev server the main job starts with it.
 */
export async function startCodecServer(
  keys: CodecKey[],
  opts: { host: string; port: number; uiPort: number | null; tokens: string[] },
): Promise<RunningCodecServer> {
  const { randomBytes } = await import('node:crypto');
  const secret = randomBytes(24).toString('base64url');
  const origins =
    opts.uiPort === null
      ? []
      : [`http://${opts.host}:${opts.uiPort}`, `http://localhost:${opts.uiPort}`, `http://127.0.0.1:${opts.uiPort}`];
  const app = await buildCodecServer({ keys, origins, tokens: opts.tokens, pathSecret: secret });
  await app.listen({ host: opts.host, port: opts.port });
  const { port } = app.server.address() as { port: number };
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { endpoint: `http://${host}:${port}/${secret}`, close: () => app.close() };
}
