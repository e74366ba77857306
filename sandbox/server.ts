/**
 * The Jobo sandbox: a faithful local stand-in for the Jobo API on node:http (no framework, so latency,
 * 429/503 and connection resets are ours to control). Routes, auth, faults and stats live here; the
 * domain is in corpus/feed/sessions/profiles.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCodes, IDEMPOTENCY_HEADER, IDEMPOTENT_REPLAYED_HEADER, RESUME_FILE_NAME_HEADER, RESUME_MAX_BYTES } from '../src/jobo/schemas';
import { SandboxAdmin, type AdminJob, type GroundTruthFeedJob, type GroundTruthJobs, type SandboxStats } from './admin';
import { Corpus, type ChurnRates } from './corpus';
import { CursorCodec } from './cursor';
import { DEMO_PROFILES } from './demoProfiles';
import { FaultInjector, faultProblems, type Faults } from './faults';
import { FeedService } from './feed';
import { HttpError, badRequest, notFound, readBody, readJson, sendEmpty, sendError, sendJson } from './http';
import { toV3LiveState } from './forms';
import { ProfileStore } from './profiles';
import { DEFAULT_SHAPES, oddFieldOf, shapeProblems, type Shapes } from './shapes';
import { SessionStore } from './sessions';

export interface SandboxOptions {
  /** 0 = a free port (default). */
  port?: number;
  host?: string;
  seed?: number;
  /** Active jobs at the start, 10 to 1,000,000. */
  jobs?: number;
  /** Default 'sandbox-key'. */
  apiKey?: string;
  faults?: Partial<Faults>;
  /** Default 15 minutes. */
  sessionIdleTimeoutMs?: number;
  /** Default 300 ms. */
  importDelayMs?: number;
  /** Start of the simulated clock; default now. */
  startTime?: Date;
  /** When set, the clock advances by the real elapsed time this often (the standalone demo's churn). */
  churnIntervalMs?: number;
  /** Churn per simulated hour as fractions of the initial corpus. */
  churn?: Partial<ChurnRates>;
  /** Starting X-Credits-Balance; default 1,000,000. */
  credits?: number;
  /** Wire shapes (jobs, errors, forms) and the odd-job rate; see ./shapes. Default: upstream jobs. */
  shapes?: Partial<Shapes>;
  /** Create the demo profiles (./demoProfiles) at start, with their fixed ids. */
  demoProfiles?: boolean;
}

export interface SandboxHandle {
  url: string;
  apiKey: string;
  admin: SandboxAdmin;
  close(): Promise<void>;
}

const JSON_LIMIT = 16 * 1024 * 1024; // an answers body may carry a 10 MiB resume in base64
const MAX_ADVANCE_MINUTES = 30 * 24 * 60;
const ID_SEGMENT = '([0-9A-Za-z-]{1,64})';

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
}

interface Route {
  method: string;
  path: string;
  re: RegExp;
  api: boolean;
  handle(ctx: Ctx): Promise<void> | void;
}

class Stats {
  total = 0;
  readonly byRoute: Record<string, { total: number; byStatus: Record<string, number> }> = {};
  readonly byStatus: Record<string, number> = {};

  record(route: string, status: string): void {
    const r = (this.byRoute[route] ??= { total: 0, byStatus: {} });
    r.total++;
    r.byStatus[status] = (r.byStatus[status] ?? 0) + 1;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
  }
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<SandboxHandle> {
  const seed = opts.seed ?? 42;
  const apiKey = opts.apiKey ?? 'sandbox-key';
  const initialFaultProblems = faultProblems(opts.faults ?? {});
  if (initialFaultProblems.length > 0) {
    throw new RangeError(`invalid faults: ${initialFaultProblems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
  }
  const corpus = new Corpus({ seed, jobs: opts.jobs ?? 2000, startTime: (opts.startTime ?? new Date()).getTime(), churn: opts.churn });
  const initialShapeProblems = shapeProblems(opts.shapes ?? {});
  if (initialShapeProblems.length > 0) {
    throw new RangeError(`invalid shapes: ${initialShapeProblems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
  }
  let shapes: Shapes = { ...DEFAULT_SHAPES, ...opts.shapes };
  const faults = new FaultInjector(seed, opts.faults);
  const feed = new FeedService(corpus, new CursorCodec(`jobo-sandbox-cursor:${seed}`), faults, opts.credits ?? 1_000_000, () => shapes);
  const profiles = new ProfileStore(Date.now, opts.importDelayMs);
  if (opts.demoProfiles) {
    for (const d of DEMO_PROFILES) {
      profiles.seed(
        d.id,
        d.body,
        d.resume && { bytes: Buffer.from(d.resume.text), fileName: d.resume.fileName, contentType: d.resume.contentType },
      );
    }
  }
  const sessions = new SessionStore(corpus, profiles, faults, opts.sessionIdleTimeoutMs);
  const stats = new Stats();
  const iso = (ms: number) => new Date(ms).toISOString();
  // The form-field shape switch (./shapes): ours, or the published 3.0.0 FormFieldInfo.
  const liveShape = <T extends Parameters<typeof toV3LiveState>[0]>(state: T) => (shapes.forms === 'v3' ? toV3LiveState(state) : state);

  const routes: Route[] = [];
  const route = (method: string, path: string, handle: Route['handle']) => {
    const re = new RegExp(`^${path.replace(/\{[a-z_]+\}/g, ID_SEGMENT)}$`);
    routes.push({ method, path, re, api: path.startsWith('/api/'), handle });
  };

  // ---- Jobo API ----------------------------------------------------------------------------------
  route('POST', '/api/jobs/feed', async ({ req, res }) => {
    const a = feed.feed(await readJson(req, JSON_LIMIT));
    sendJson(res, 200, a.body, a.headers);
  });
  route('GET', '/api/jobs/expired', ({ res, url }) => {
    const a = feed.expired(url.searchParams);
    sendJson(res, 200, a.body, a.headers);
  });
  route('POST', '/api/auto-apply/sessions', async ({ req, res }) => {
    const key = req.headers[IDEMPOTENCY_HEADER];
    const body = await readJson(req, JSON_LIMIT);
    const { state, replayed } = sessions.create(body, faults.idempotencyKey(key));
    if (faults.takeResetAfterCreate()) {
      // The session exists (or was touched), but the answer is lost: only an Idempotency-Key finds it again.
      stats.record('POST /api/auto-apply/sessions', 'reset');
      req.socket.destroy();
      return;
    }
    const location = `/api/auto-apply/sessions/${state.session_id}`;
    sendJson(res, replayed ? 200 : 201, liveShape(state), replayed ? { location, [IDEMPOTENT_REPLAYED_HEADER]: 'true' } : { location });
  });
  route('POST', '/api/auto-apply/sessions/{id}/answers', async ({ req, res, params }) => {
    const key = req.headers[IDEMPOTENCY_HEADER];
    const body = await readJson(req, JSON_LIMIT);
    const state = sessions.answer(params[0], body, faults.idempotencyKey(key));
    if (state.status === 'submitted' && faults.takeResetAfterSubmit()) {
      // The application went in, but the answer is lost: only the session's state (000) tells.
      stats.record('POST /api/auto-apply/sessions/{id}/answers', 'reset');
      req.socket.destroy();
      return;
    }
    sendJson(res, 200, liveShape(state));
  });
  route('GET', '/api/auto-apply/sessions/{id}', ({ res, params }) => sendJson(res, 200, sessions.get(params[0])));
  route('DELETE', '/api/auto-apply/sessions/{id}', ({ res, params }) => {
    sessions.end(params[0]);
    sendEmpty(res, 204);
  });
  route('POST', '/api/auto-apply/profiles', async ({ req, res }) => {
    const p = profiles.create(await readJson(req, JSON_LIMIT));
    sendJson(res, 201, p, { location: `/api/auto-apply/profiles/${p.id}` });
  });
  route('GET', '/api/auto-apply/profiles/{id}', ({ res, params }) => sendJson(res, 200, profiles.get(params[0])));
  route('PATCH', '/api/auto-apply/profiles/{id}', async ({ req, res, params }) => {
    sendJson(res, 200, profiles.patch(params[0], await readJson(req, JSON_LIMIT)));
  });
  route('PUT', '/api/auto-apply/profiles/{id}/resume', async ({ req, res, url, params }) => {
    profiles.get(params[0]); // 404 before reading a large body
    const bytes = await readBody(req, RESUME_MAX_BYTES, 'file');
    const fileName = req.headers[RESUME_FILE_NAME_HEADER];
    const importing = url.searchParams.get('import') === 'true';
    const p = profiles.putResume(params[0], {
      bytes,
      contentType: req.headers['content-type'],
      fileName: Array.isArray(fileName) ? fileName[0] : fileName,
      import: importing,
    });
    // The import is asynchronous: 202 Accepted while it runs.
    sendJson(res, importing ? 202 : 200, p);
  });
  route('GET', '/api/auto-apply/profiles/{id}/resume', ({ res, params }) => {
    const r = profiles.getResume(params[0]);
    res.writeHead(200, {
      'content-type': r.contentType,
      'content-length': r.bytes.length,
      [RESUME_FILE_NAME_HEADER]: encodeURIComponent(r.fileName),
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(r.fileName)}`,
    });
    res.end(r.bytes);
  });

  // ---- admin -------------------------------------------------------------------------------------
  route('GET', '/__admin/health', ({ res }) => sendJson(res, 200, { ok: true, now: iso(corpus.now) }));
  route('GET', '/__admin/ground-truth/jobs', ({ res }) => {
    const truth: GroundTruthJobs = { now: iso(corpus.now), active: [], expired: [] };
    for (const seq of corpus.activeSeqs()) truth.active.push({ id: corpus.gen.idOf(seq), updated_at: iso(corpus.updatedAtOf(seq)) });
    for (const seq of corpus.expiredSeqs()) truth.expired.push({ id: corpus.gen.idOf(seq), expired_at: iso(corpus.expiredAtOf(seq)) });
    sendJson(res, 200, truth);
  });
  // What the feed's filters and the odd-job switch see, per active job (for contract tests' expected counts).
  route('GET', '/__admin/ground-truth/feed', ({ res }) => {
    const jobs: GroundTruthFeedJob[] = [];
    for (const seq of corpus.activeSeqs()) {
      jobs.push({
        id: corpus.gen.idOf(seq),
        created_at: iso(corpus.createdAtOf(seq)),
        updated_at: iso(corpus.updatedAtOf(seq)),
        ...corpus.gen.attributes(seq),
        odd_field: oddFieldOf(seed, seq, corpus.versionOf(seq), shapes.oddJobRate),
      });
    }
    sendJson(res, 200, { now: iso(corpus.now), jobs });
  });
  route('GET', '/__admin/shapes', ({ res }) => sendJson(res, 200, shapes));
  route('PUT', '/__admin/shapes', async ({ req, res }) => {
    const patch = await readJson(req, JSON_LIMIT);
    const problems = shapeProblems(patch);
    if (problems.length > 0) throw badRequest('Invalid shapes', problems);
    shapes = { ...shapes, ...(patch as Partial<Shapes>) };
    sendJson(res, 200, shapes);
  });
  route('GET', '/__admin/jobs/{id}', ({ res, params }) => {
    const seq = corpus.gen.seqOfId(params[0]);
    if (seq < 0 || seq >= corpus.size) throw notFound('Job');
    const active = corpus.isActive(seq);
    const body: AdminJob = { job: corpus.job(seq), active, expired_at: active ? null : iso(corpus.expiredAtOf(seq)) };
    sendJson(res, 200, body);
  });
  route('POST', '/__admin/clock/advance', async ({ req, res }) => {
    const { minutes } = (await readJson(req, JSON_LIMIT)) as { minutes?: unknown };
    if (typeof minutes !== 'number' || !(minutes > 0) || minutes > MAX_ADVANCE_MINUTES) {
      throw badRequest('Invalid minutes', [{ field: 'minutes', message: `expected a number > 0 and <= ${MAX_ADVANCE_MINUTES}` }]);
    }
    const churn = corpus.advance(minutes);
    sendJson(res, 200, { now: iso(corpus.now), ...churn });
  });
  route('GET', '/__admin/faults', ({ res }) => sendJson(res, 200, faults.current));
  route('PUT', '/__admin/faults', async ({ req, res }) => {
    const patch = await readJson(req, JSON_LIMIT);
    const problems = faultProblems(patch);
    if (problems.length > 0) throw badRequest('Invalid faults', problems);
    sendJson(res, 200, faults.update(patch as Partial<Faults>));
  });
  route('GET', '/__admin/submissions', ({ res }) => sendJson(res, 200, sessions.submissionList()));
  route('GET', '/__admin/sessions', ({ res }) => sendJson(res, 200, { sessions: sessions.adminList() }));
  route('GET', '/__admin/sessions/{id}', ({ res, params }) => sendJson(res, 200, sessions.adminGet(params[0])));
  route('GET', '/__admin/stats', ({ res }) => {
    const body: SandboxStats = {
      total: stats.total,
      byRoute: stats.byRoute,
      byStatus: stats.byStatus,
      resets: stats.byStatus.reset ?? 0,
      rateLimited: stats.byStatus['429'] ?? 0,
      unavailable: stats.byStatus['503'] ?? 0,
      creditsBalance: feed.creditsBalance,
    };
    sendJson(res, 200, body);
  });

  // ---- dispatch ----------------------------------------------------------------------------------
  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.total++;
    const url = new URL(req.url ?? '/', 'http://sandbox');
    let matched: { r: Route; params: string[] } | null = null;
    let pathKnown = false;
    for (const r of routes) {
      const m = r.re.exec(url.pathname);
      if (!m) continue;
      pathKnown = true;
      if (r.method === req.method) {
        matched = { r, params: m.slice(1) };
        break;
      }
    }
    const label = matched ? `${matched.r.method} ${matched.r.path}` : `${req.method} (unmatched)`;
    // The simulated clock is the server's clock: clients judge posted_after/expired_since windows by it.
    res.setHeader('date', new Date(corpus.now).toUTCString());
    res.on('finish', () => stats.record(label, String(res.statusCode)));
    try {
      if (url.pathname.startsWith('/api/')) {
        if (req.headers['x-api-key'] !== apiKey) throw new HttpError(401, ErrorCodes.unauthorized, 'Missing or invalid X-Api-Key');
        const f = faults.current;
        if (f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs));
        const decision = faults.decide();
        if (decision.kind === 'reset') {
          stats.record(label, 'reset');
          req.socket.destroy();
          return;
        }
        if (decision.kind === 'error') throw decision.error;
      }
      if (!matched) {
        throw pathKnown
          ? new HttpError(405, ErrorCodes.invalidRequest, `Method ${req.method} not allowed on ${url.pathname}`)
          : new HttpError(404, ErrorCodes.notFound, `No route for ${req.method} ${url.pathname}`);
      }
      await matched.r.handle({ req, res, url, params: matched.params });
    } catch (err) {
      if (res.headersSent || res.destroyed) return;
      if (err instanceof HttpError) return sendError(res, err, url.pathname.startsWith('/api/') ? shapes.errors : 'applyflow');
      sendJson(res, 500, { error: 'internal', message: err instanceof Error ? err.message : String(err) });
    }
  }

  const server: Server = createServer((req, res) => void dispatch(req, res));
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let churnTimer: NodeJS.Timeout | null = null;
  if (opts.churnIntervalMs && opts.churnIntervalMs > 0) {
    let last = Date.now();
    churnTimer = setInterval(() => {
      const now = Date.now();
      corpus.advance((now - last) / 60_000);
      last = now;
    }, opts.churnIntervalMs);
    churnTimer.unref();
  }

  return {
    url,
    apiKey,
    admin: new SandboxAdmin(url),
    async close() {
      if (churnTimer) clearInterval(churnTimer);
      sessions.close();
      profiles.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
