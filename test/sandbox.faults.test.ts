/**
 * The sandbox's switchable faults and admin API over real HTTP: 503 + Retry-After, 429 (random and token
 * bucket) with X-RateLimit-*, connection resets before any effect, latency, invalid cursors, seeded
 * determinism of the draws, and the stats that count them.
 */
import { errors } from 'undici';
import { startSandbox, type SandboxHandle } from '../sandbox/server';
import { DEFAULT_FAULTS } from '../sandbox/faults';
import { apiClient } from './support/sandboxApi';

let sb: SandboxHandle;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 21, jobs: 50 });
  api = apiClient(sb);
});
afterAll(() => sb?.close());
afterEach(() => sb.admin.setFaults(DEFAULT_FAULTS));

const feed = (body: unknown = { batch_size: 5 }) => api('POST', '/api/jobs/feed', { json: body });

describe('503 unavailable', () => {
  it('answers 503 service_unavailable with Retry-After, and counts it', async () => {
    const before = await sb.admin.stats();
    await sb.admin.setFaults({ unavailableRate: 1, retryAfterSeconds: 7 });
    const res = await feed();
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.body.error).toBe('service_unavailable');
    const after = await sb.admin.stats();
    expect(after.unavailable).toBe(before.unavailable + 1);
    expect(after.byRoute['POST /api/jobs/feed'].byStatus['503']).toBe((before.byRoute['POST /api/jobs/feed']?.byStatus['503'] ?? 0) + 1);
  });

  it('can be switched on at start, and never touches admin routes', async () => {
    const down = await startSandbox({ seed: 1, jobs: 10, faults: { unavailableRate: 1 } });
    try {
      expect((await apiClient(down)('GET', '/api/jobs/expired')).status).toBe(503);
      expect((await down.admin.health()).ok).toBe(true);
      expect((await down.admin.faults()).unavailableRate).toBe(1);
    } finally {
      await down.close();
    }
  });

  it('auth comes first: a wrong key is 401 even while unavailable', async () => {
    await sb.admin.setFaults({ unavailableRate: 1 });
    expect((await api('POST', '/api/jobs/feed', { json: {}, apiKey: 'wrong' })).status).toBe(401);
  });
});

describe('429 rate limiting', () => {
  it('rateLimitRate answers 429 with Retry-After and X-RateLimit-* headers', async () => {
    await sb.admin.setFaults({ rateLimitRate: 1 });
    const res = await feed();
    expect(res.status).toBe(429);
    expect(res.body.error).toBe('rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(res.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
  });

  it('rateLimitPerSecond is a token bucket over all API requests', async () => {
    await sb.admin.setFaults({ rateLimitPerSecond: 5 });
    const t0 = Date.now();
    const burst = await Promise.all(Array.from({ length: 20 }, () => api('GET', '/api/jobs/expired')));
    const elapsedSeconds = (Date.now() - t0) / 1000;
    const limited = burst.filter((r) => r.status === 429);
    const ok = burst.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(5);
    // The burst of 5, plus what refills while a slow machine serves the rest.
    expect(ok.length).toBeLessThanOrEqual(5 + Math.ceil(elapsedSeconds * 5));
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].headers['x-ratelimit-limit']).toBe('5');
    expect(Number(limited[0].headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await api('GET', '/api/jobs/expired')).status).toBe(200);
    const stats = await sb.admin.stats();
    expect(stats.rateLimited).toBeGreaterThanOrEqual(limited.length);
  });
});

describe('connection resets', () => {
  it('destroy the socket before any response, and before any effect', async () => {
    await sb.admin.setFaults({ resetRate: 1 });
    const before = (await sb.admin.sessions()).length;
    const statsBefore = await sb.admin.stats();
    const err = await api('POST', '/api/auto-apply/sessions', { json: { job_url: 'https://jobs.lever.co/acme/1' } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(errors.SocketError);
    expect((await sb.admin.sessions()).length).toBe(before);
    expect((await sb.admin.stats()).resets).toBe(statsBefore.resets + 1);
    await sb.admin.setFaults({ resetRate: 0 });
    expect((await feed()).status).toBe(200);
  });
});

describe('latency', () => {
  it('delays API responses (and not admin ones)', async () => {
    await sb.admin.setFaults({ latencyMs: 400 });
    const t0 = Date.now();
    expect((await feed()).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    const t1 = Date.now();
    await sb.admin.health();
    expect(Date.now() - t1).toBeLessThan(390);
  });
});

describe('invalid cursors', () => {
  it('invalidCursorNext rejects that many cursor-bearing requests, counting down, then cursors work again', async () => {
    const cursor = (await feed()).body.next_cursor;
    await sb.admin.setFaults({ invalidCursorNext: 2 });
    expect((await feed()).status).toBe(200); // no cursor: not affected, nothing spent
    for (const left of [1, 0]) {
      const res = await feed({ batch_size: 5, cursor });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_cursor', message: 'Invalid cursor' });
      expect((await sb.admin.faults()).invalidCursorNext).toBe(left);
    }
    expect((await feed({ batch_size: 5, cursor })).status).toBe(200);
  });

  it('applies to /expired cursors too', async () => {
    expect((await sb.admin.advanceClock(24 * 60)).expired).toBeGreaterThan(1);
    const first = await api('GET', '/api/jobs/expired?batch_size=1');
    expect(first.body.has_more).toBe(true);
    await sb.admin.setFaults({ invalidCursorNext: 1 });
    const res = await api('GET', `/api/jobs/expired?cursor=${encodeURIComponent(first.body.next_cursor)}`);
    expect(res.body.error).toBe('invalid_cursor');
  });
});

describe('determinism and validation of faults', () => {
  it('the same seed and request order draw the same faults', async () => {
    const run = async () => {
      const s = await startSandbox({ seed: 77, jobs: 10, faults: { unavailableRate: 0.3, rateLimitRate: 0.2 } });
      try {
        const a = apiClient(s);
        const statuses: number[] = [];
        for (let i = 0; i < 40; i++) statuses.push((await a('GET', '/api/jobs/expired')).status);
        return statuses;
      } finally {
        await s.close();
      }
    };
    const [x, y] = [await run(), await run()];
    expect(x).toEqual(y);
    expect(new Set(x)).toEqual(new Set([200, 429, 503]));
  });

  it('PUT /__admin/faults merges, and rejects bad values naming the field', async () => {
    const merged = await sb.admin.setFaults({ latencyMs: 5 });
    expect(merged).toEqual({ ...DEFAULT_FAULTS, latencyMs: 5 });
    for (const [patch, field] of [
      [{ unavailableRate: 2 }, 'unavailableRate'],
      [{ rateLimitPerSecond: 0 }, 'rateLimitPerSecond'],
      [{ latencyMs: -1 }, 'latencyMs'],
      [{ reportReservedStatuses: 'yes' }, 'reportReservedStatuses'],
      [{ explode: true }, 'explode'],
    ] as const) {
      const res = await fetch(`${sb.url}/__admin/faults`, { method: 'PUT', body: JSON.stringify(patch) });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { fields: unknown[] }).fields).toEqual([expect.objectContaining({ field })]);
    }
    expect((await sb.admin.faults()).latencyMs).toBe(5);
    await expect(startSandbox({ faults: { resetRate: 3 } })).rejects.toThrow(/resetRate/);
  });
});

describe('admin', () => {
  it('health reports the simulated clock; advancing it validates minutes', async () => {
    const start = new Date('2026-03-01T00:00:00Z');
    const s = await startSandbox({ seed: 2, jobs: 10, startTime: start });
    try {
      expect(await s.admin.health()).toEqual({ ok: true, now: start.toISOString() });
      expect((await s.admin.advanceClock(1.5)).now).toBe('2026-03-01T00:01:30.000Z');
      for (const minutes of [0, -5, 'ten', 50_000]) {
        const res = await fetch(`${s.url}/__admin/clock/advance`, { method: 'POST', body: JSON.stringify({ minutes }) });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { fields: { field: string }[] }).fields[0].field).toBe('minutes');
      }
    } finally {
      await s.close();
    }
  });

  it('stats count every request by route and status, the stats call included', async () => {
    const before = await sb.admin.stats();
    await feed();
    await api('GET', '/api/nowhere');
    await api('GET', '/api/jobs/expired', { apiKey: null });
    const after = await sb.admin.stats();
    expect(after.total).toBe(before.total + 4);
    expect(after.byRoute['POST /api/jobs/feed'].total).toBe(before.byRoute['POST /api/jobs/feed'].total + 1);
    expect(after.byRoute['GET (unmatched)'].byStatus['404']).toBeGreaterThanOrEqual(1);
    expect(after.byStatus['401']).toBe((before.byStatus['401'] ?? 0) + 1);
    expect(after.creditsBalance).toBe(before.creditsBalance - 2.5);
  });

  it('unknown routes are 404 and wrong methods 405', async () => {
    expect((await api('GET', '/api/jobs/feed')).status).toBe(405);
    expect((await fetch(`${sb.url}/__admin/nope`)).status).toBe(404);
  });
});
