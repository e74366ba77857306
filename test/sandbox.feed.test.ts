/**
 * The sandbox's jobs feed and expired sweep over real HTTP: the upstream's wire shapes, every documented
 * request field (filters, stable and legacy scans, updated_after, posted_after), limits, cursors (tampering,
 * carrying the first request), estimated_total, 409 restart, credits, determinism from the seed, and
 * pagination that loses nothing under churn.
 */
import { startSandbox, type SandboxHandle } from '../sandbox/server';
import { readJobs } from '../src/jobo/jobReader';
import { ExpiredResponse, JobDto, type WireFeedResponse, type WireJob } from '../src/jobo/schemas';
import { detectProvider } from '../sandbox/urls';
import { apiClient, type ApiResponse } from './support/sandboxApi';

const START = new Date('2026-07-01T12:00:00Z');
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let sb: SandboxHandle;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 11, jobs: 300, startTime: START });
  api = apiClient(sb);
});
afterAll(() => sb?.close());

// Untyped on purpose: these also carry error bodies.
const feed = (body: unknown) => api('POST', '/api/jobs/feed', { json: body });
const expired = (query: string) => api('GET', `/api/jobs/expired${query}`);

interface ReadPage {
  jobs: JobDto[];
  wire: WireJob[];
  next_cursor: string | null;
  has_more: boolean;
  estimated_total?: number;
}

/**
 * Pages the whole feed of `on` (default: the shared sandbox) as the published client does: the first
 * request carries the query, each continuation the cursor alone. `between` runs after every page.
 */
async function pageAll(body: Record<string, unknown>, between?: () => Promise<unknown>, on = api) {
  const pages: ReadPage[] = [];
  let cursor: string | null = null;
  do {
    const res: ApiResponse<WireFeedResponse> = await on('POST', '/api/jobs/feed', { json: cursor ? { cursor } : body });
    expect(res.status).toBe(200);
    const read = readJobs(res.body.jobs);
    expect(read.oddities).toEqual({});
    pages.push({ ...res.body, wire: res.body.jobs, jobs: read.jobs });
    cursor = res.body.has_more ? res.body.next_cursor : null;
    if (cursor && between) await between();
  } while (cursor);
  return pages;
}

function expectInvalidCursor(res: ApiResponse) {
  expect(res.status).toBe(400);
  expect(res.body).toEqual({ error: 'invalid_cursor', message: 'Invalid cursor' });
}

describe('auth', () => {
  it.each([
    ['no key', null],
    ['a wrong key', 'nope'],
  ])('answers 401 unauthorized with %s', async (_, apiKey) => {
    const res = await api('POST', '/api/jobs/feed', { json: {}, apiKey });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('unauthorized');
    expect((await api('GET', '/api/jobs/expired', { apiKey })).status).toBe(401);
  });
});

describe('POST /api/jobs/feed', () => {
  it('pages every active job exactly once in the upstream shape, read without oddities, in created_at order', async () => {
    const pages = await pageAll({ batch_size: 70 });
    const jobs = pages.flatMap((p) => p.jobs);
    for (const job of jobs) expect(() => JobDto.parse(job)).not.toThrow();
    expect(pages.length).toBe(Math.ceil(jobs.length / 70));
    expect(pages.at(-1)).toMatchObject({ has_more: false, next_cursor: null });
    expect(pages[0].estimated_total).toBe(300);
    expect(pages.slice(1).every((p) => p.estimated_total === undefined)).toBe(true);
    const truth = await sb.admin.groundTruthJobs();
    expect(new Map(jobs.map((j) => [j.id, j.updated_at]))).toEqual(new Map(truth.active.map((j) => [j.id, j.updated_at])));
    expect(new Set(jobs.map((j) => j.id)).size).toBe(300);
    // The stable scan (the upstream's default) pages by immutable creation time.
    const created = jobs.map((j) => Date.parse(j.created_at));
    expect(created).toEqual([...created].sort((a, b) => a - b));

    for (const job of jobs) {
      expect(job.id).toMatch(UUID_V4);
      expect(job.title.length).toBeGreaterThan(0);
      expect(job.description).toContain('\n');
      expect(job.locations.length).toBeGreaterThan(0);
      expect(job.qualifications.must_have.skills.length).toBeGreaterThan(0);
      expect(job.responsibilities.length).toBeGreaterThan(0);
      expect(job.benefits.length).toBeGreaterThan(0);
      expect(Date.parse(job.updated_at)).toBeGreaterThanOrEqual(Date.parse(job.created_at));
      expect(Date.parse(job.updated_at)).toBeLessThan(START.getTime());
      expect(job.source).toBe(detectProvider(job.apply_url).id);
    }
    // The published 4.0.0 sub-object shapes: skills as objects, region, no country_code, absent parts.
    const wire = pages.flatMap((p) => p.wire);
    for (const w of wire) {
      for (const s of w.qualifications!.must_have!.skills!) expect(s).toEqual({ name: expect.any(String), type: 'hard' });
      expect(w.qualifications!.must_have).not.toHaveProperty('experience');
      for (const l of w.locations!) {
        expect(l).not.toHaveProperty('country_code');
        expect(l).not.toHaveProperty('state');
      }
      expect(w.company).not.toHaveProperty('website_url');
      expect(Array.isArray(w.company.industries)).toBe(true);
      if (w.compensation) expect(['yearly', 'hourly']).toContain(w.compensation.period);
    }
    expect(wire.some((w) => w.locations!.some((l) => typeof l.region === 'string'))).toBe(true);
    expect(wire.some((w) => w.locations!.some((l) => !('city' in l)))).toBe(true);
    // Realistic spread: some of everything, not one shape repeated.
    expect(jobs.some((j) => j.compensation === null)).toBe(true);
    expect(jobs.some((j) => j.compensation !== null && j.compensation.min! > 0)).toBe(true);
    expect(jobs.some((j) => j.is_h1b_sponsor === null) && jobs.some((j) => j.is_h1b_sponsor === true)).toBe(true);
    expect(new Set(jobs.map((j) => j.company.id)).size).toBeGreaterThan(5);
    const hosts = new Set(jobs.map((j) => new URL(j.apply_url).host.replace(/^[^.]+(?=\.wd1\.)/, '<tenant>')));
    expect([...hosts].sort()).toEqual(['<tenant>.wd1.myworkdayjobs.com', 'boards.greenhouse.io', 'jobs.ashbyhq.com', 'jobs.lever.co']);
  });

  it('stable_scan false pages in the legacy (updated_at, id) order', async () => {
    const pages = await pageAll({ batch_size: 70, stable_scan: false });
    const truth = await sb.admin.groundTruthJobs();
    expect(pages.flatMap((p) => p.jobs.map((j) => [j.id, j.updated_at]))).toEqual(truth.active.map((j) => [j.id, j.updated_at]));
  });

  it('serves the earlier applyflow shape behind the switch, which the reader stores identically', async () => {
    const upstream = (await pageAll({ batch_size: 1000 })).flatMap((p) => p.jobs);
    await sb.admin.setShapes({ jobs: 'applyflow' });
    try {
      const pages = await pageAll({ batch_size: 1000 });
      const w = pages[0].wire[0];
      expect(typeof w.qualifications!.must_have!.skills![0]).toBe('string');
      expect(w.locations![0]).toHaveProperty('country_code');
      const strip = (j: JobDto) => ({
        ...j,
        company: { ...j.company, size: null },
        locations: j.locations.map((l) => ({ ...l, country_code: null })),
        qualifications: {
          must_have: { ...j.qualifications.must_have, experience: [] },
          preferred: { ...j.qualifications.preferred, experience: [] },
        },
      });
      // What the published shape does not carry (size, country_code, experience) is all that differs.
      expect(pages.flatMap((p) => p.jobs).map(strip)).toEqual(upstream);
    } finally {
      await sb.admin.setShapes({ jobs: 'upstream' });
    }
  });

  it('defaults batch_size to 100 and allows up to 1000', async () => {
    const def = await feed({});
    expect(def.body.jobs).toHaveLength(100);
    expect(def.body.has_more).toBe(true);
    const max = await feed({ batch_size: 1000 });
    expect(max.body.jobs).toHaveLength(300);
    expect(max.body).toMatchObject({ has_more: false, next_cursor: null });
  });

  it.each([
    [{ batch_size: 1001 }, 'batch_size'],
    [{ batch_size: 0 }, 'batch_size'],
    [{ batch_size: 2.5 }, 'batch_size'],
    [{ posted_after: 'yesterday' }, 'posted_after'],
    [{ cursor: '' }, 'cursor'],
    [{ page: 2 }, 'page'],
  ])('answers 400 naming the bad field for %j', async (body, field) => {
    const res = await feed(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(res.body.fields.map((f: { field: string }) => f.field)).toEqual([field]);
  });

  it('answers 400 on a malformed JSON body', async () => {
    const res = await api('POST', '/api/jobs/feed', {
      raw: Buffer.from('{"batch_size":'),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.fields[0].field).toBe('body');
  });

  it('filters updated_after on updated_at and posted_after on created_at (inclusive), across pages', async () => {
    const truth = (await sb.admin.groundTruthFeed()).jobs;
    const pivotU = [...truth].sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at))[120].updated_at;
    const pivotC = [...truth].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))[180].created_at;
    const ids = (pages: ReadPage[]) => new Set(pages.flatMap((p) => p.jobs.map((j) => j.id)));
    const want = (f: (j: (typeof truth)[number]) => boolean) => new Set(truth.filter(f).map((j) => j.id));
    const byUpdated = await pageAll({ batch_size: 25, updated_after: pivotU });
    expect(ids(byUpdated)).toEqual(want((j) => Date.parse(j.updated_at) >= Date.parse(pivotU)));
    expect(byUpdated[0].estimated_total).toBe(want((j) => Date.parse(j.updated_at) >= Date.parse(pivotU)).size);
    expect(ids(await pageAll({ batch_size: 25, updated_after: pivotU, stable_scan: false }))).toEqual(ids(byUpdated));
    const byPosted = await pageAll({ batch_size: 25, posted_after: pivotC });
    expect(ids(byPosted)).toEqual(want((j) => Date.parse(j.created_at) >= Date.parse(pivotC)));
    expect(ids(await pageAll({ batch_size: 25, posted_after: pivotC, stable_scan: false }))).toEqual(ids(byPosted));
  });

  it('honours every filter of the published JobFeedRequest, alone and combined, with ground-truth counts', async () => {
    const truth = (await sb.admin.groundTruthFeed()).jobs;
    const count = async (body: Record<string, unknown>) => {
      const pages = await pageAll({ batch_size: 40, ...body });
      const n = pages.reduce((a, p) => a + p.jobs.length, 0);
      expect(pages[0].estimated_total).toBe(n);
      return n;
    };
    const n = (f: (j: (typeof truth)[number]) => boolean) => truth.filter(f).length;
    const us = truth.find((j) => j.locations.some((l) => l.region))!.locations.find((l) => l.region)!;
    const cases: [Record<string, unknown>, number][] = [
      [{ sources: ['greenhouse', 'LEVER'] }, n((j) => j.source === 'greenhouse' || j.source === 'lever')],
      [{ work_models: ['remote'] }, n((j) => j.workplace_type === 'remote')],
      [{ employment_types: ['full-time', 'contract'] }, n((j) => j.employment_type === 'full_time' || j.employment_type === 'contract')],
      // Filter values are hyphenated and matched exactly: the stored spelling matches nothing.
      [{ employment_types: ['full_time'] }, 0],
      [{ experience_levels: ['senior', 'lead'] }, n((j) => j.experience_level === 'senior' || j.experience_level === 'lead')],
      [{ locations: [{ country: us.country }] }, n((j) => j.locations.some((l) => l.country === us.country))],
      [
        { locations: [{ country: us.country, region: us.region, city: us.city }] },
        n((j) => j.locations.some((l) => l.country === us.country && l.region === us.region && l.city === us.city)),
      ],
      [
        { work_models: ['hybrid', 'onsite'], experience_levels: ['mid'], sources: ['workday', 'ashby'] },
        n(
          (j) =>
            ['hybrid', 'onsite'].includes(j.workplace_type!) && j.experience_level === 'mid' && ['workday', 'ashby'].includes(j.source),
        ),
      ],
    ];
    for (const [body, expected] of cases) {
      if (expected !== 0) expect(expected).toBeGreaterThan(0);
      expect([body, await count(body)]).toEqual([body, expected]);
    }
  });

  it('answers 400 naming the field for a malformed filter', async () => {
    for (const [body, field] of [
      [{ sources: [] }, 'sources'],
      [{ locations: [{ planet: 'Mars' }] }, 'locations.0.planet'],
      [{ stable_scan: 'yes' }, 'stable_scan'],
      [{ updated_after: 'yesterday' }, 'updated_after'],
    ] as const) {
      const res = await feed(body);
      expect(res.status).toBe(400);
      expect(res.body.fields.map((f: { field: string }) => f.field)).toEqual([field]);
    }
  });

  it('a continuation is the cursor alone: fields sent beside it are ignored, the first query holds', async () => {
    const truth = (await sb.admin.groundTruthFeed()).jobs;
    const remote = new Set(truth.filter((j) => j.workplace_type === 'remote').map((j) => j.id));
    const first = await feed({ batch_size: 5, work_models: ['remote'] });
    const next = await feed({ cursor: first.body.next_cursor, batch_size: 1000, work_models: ['hybrid'] });
    expect(next.status).toBe(200);
    expect(next.body.jobs).toHaveLength(5);
    for (const j of next.body.jobs) expect(remote.has(j.id)).toBe(true);
    expect(next.body).not.toHaveProperty('estimated_total');
  });

  it('answers 409 cursor_restart_required on a continuation when the fault is set, in either error shape', async () => {
    const first = await feed({ batch_size: 5 });
    await sb.admin.setFaults({ cursorRestartNext: 1 });
    const res = await feed({ cursor: first.body.next_cursor });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'cursor_restart_required', message: expect.stringMatching(/restart/i) });
    expect((await feed({ cursor: first.body.next_cursor })).status).toBe(200);
    await sb.admin.setShapes({ errors: 'problem' });
    try {
      await sb.admin.setFaults({ cursorRestartNext: 1 });
      const problem = await feed({ cursor: first.body.next_cursor });
      expect(problem.status).toBe(409);
      expect(problem.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(String(problem.body))).toMatchObject({
        status: 409,
        code: 'cursor_restart_required',
        detail: expect.any(String),
        api_version: expect.any(String),
      });
    } finally {
      await sb.admin.setShapes({ errors: 'applyflow' });
    }
  });

  it('charges 0.5 credit per delivered job in X-Credits-Balance', async () => {
    const a = await feed({ batch_size: 10 });
    const b = await feed({ batch_size: 30 });
    const before = Number(a.headers['x-credits-balance']);
    expect(Number(b.headers['x-credits-balance'])).toBe(before - 15);
    const ex = await expired('');
    expect(Number(ex.headers['x-credits-balance'])).toBe(before - 15); // /expired is free
  });
});

describe('cursors', () => {
  let cursor: string;
  beforeAll(async () => {
    cursor = (await feed({ batch_size: 5 })).body.next_cursor!;
  });

  it('are opaque (no readable position) and accepted as issued', async () => {
    expect(cursor).not.toMatch(/\d{10,}/);
    expect((await feed({ batch_size: 5, cursor })).status).toBe(200);
  });

  it('reject a tampered signature, a forged payload and garbage', async () => {
    const [payload, sig] = cursor.split('.');
    const flipped = sig.slice(0, -3) + (sig.at(-3) === 'A' ? 'B' : 'A') + sig.slice(-2);
    expectInvalidCursor(await feed({ cursor: `${payload}.${flipped}` }));
    const decoded = Buffer.from(payload, 'base64url').toString();
    const forged = Buffer.from(decoded.replace(/\|(\d+)\|/, '|1|')).toString('base64url');
    expect(forged).not.toBe(payload);
    expectInvalidCursor(await feed({ cursor: `${forged}.${sig}` }));
    expectInvalidCursor(await feed({ cursor: 'not-a-cursor' }));
    expectInvalidCursor(await feed({ cursor: cursor.replace('.', '') }));
  });

  it('are bound to their endpoint', async () => {
    expectInvalidCursor(await expired(`?cursor=${encodeURIComponent(cursor)}`));
  });

  it('are not accepted by a sandbox with another seed', async () => {
    const other = await startSandbox({ seed: 12, jobs: 10, startTime: START });
    try {
      const res = await apiClient(other)('POST', '/api/jobs/feed', { json: { cursor } });
      expectInvalidCursor(res);
    } finally {
      await other.close();
    }
  });
});

describe('determinism', () => {
  it('the same seed and size give the same corpus and the same churn, however the clock is advanced', async () => {
    const a = await startSandbox({ seed: 99, jobs: 500, startTime: START });
    const b = await startSandbox({ seed: 99, jobs: 500, startTime: START });
    const c = await startSandbox({ seed: 100, jobs: 500, startTime: START });
    try {
      const page = async (s: SandboxHandle) => (await apiClient(s)('POST', '/api/jobs/feed', { json: { batch_size: 50 } })).body.jobs;
      expect(await page(a)).toEqual(await page(b));
      const ids = (await page(a)).map((j: JobDto) => j.id);
      expect((await page(c)).map((j: JobDto) => j.id)).not.toEqual(ids);

      await a.admin.advanceClock(90);
      await b.admin.advanceClock(30);
      await b.admin.advanceClock(60);
      const [ta, tb] = [await a.admin.groundTruthJobs(), await b.admin.groundTruthJobs()];
      expect(ta).toEqual(tb);
      expect(ta.active.length).toBeGreaterThan(0);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('rejects a corpus size outside 10..1,000,000', async () => {
    await expect(startSandbox({ jobs: 9 })).rejects.toThrow(/jobs/);
    await expect(startSandbox({ jobs: 1_000_001 })).rejects.toThrow(/jobs/);
  });
});

describe('churn', () => {
  let churny: SandboxHandle;
  let churnApi: ReturnType<typeof apiClient>;
  beforeEach(async () => {
    // Heavy churn so every page sees new, edited and expired jobs.
    churny = await startSandbox({
      seed: 5,
      jobs: 400,
      startTime: START,
      churn: { newPerHour: 0.2, updatedPerHour: 0.4, expiredPerHour: 0.1 },
    });
    churnApi = apiClient(churny);
  });
  afterEach(() => churny.close());

  it('advancing the clock creates, edits and expires jobs deterministically, and the feed reflects it', async () => {
    const before = await churny.admin.groundTruthJobs();
    const r = await churny.admin.advanceClock(60);
    expect(r.now).toBe(new Date(START.getTime() + 3_600_000).toISOString());
    expect(r.created).toBeGreaterThan(40);
    expect(r.updated).toBeGreaterThan(100);
    expect(r.expired).toBeGreaterThan(20);
    const after = await churny.admin.groundTruthJobs();
    expect(after.active.length).toBe(before.active.length + r.created - r.expired);
    const edited = after.active.filter((j) => Date.parse(j.updated_at) > START.getTime());
    expect(edited.length).toBeGreaterThanOrEqual(r.created);
    // An edited job comes back with a new updated_at and changed content.
    const old = new Map(before.active.map((j) => [j.id, j.updated_at]));
    const moved = after.active.find((j) => old.has(j.id) && old.get(j.id) !== j.updated_at)!;
    const job = await churny.admin.job(moved.id);
    expect(job.job.updated_at).toBe(moved.updated_at);
    expect(job.job.description).toMatch(/revision \d+/);
  });

  it('stable scan under churn: every job active at the end is delivered, none twice', async () => {
    const seen: string[] = [];
    const pages = await pageAll({ batch_size: 40 }, () => churny.admin.advanceClock(7), churnApi);
    for (const job of pages.flatMap((p) => p.jobs)) seen.push(job.id);
    expect(new Set(seen).size).toBe(seen.length);
    const truth = await churny.admin.groundTruthJobs();
    const have = new Set(seen);
    expect(truth.active.filter((j) => !have.has(j.id))).toEqual([]);
  });

  it('legacy scan: loses no job when the clock moves between pages: the union covers every active job at its latest version', async () => {
    const seen = new Map<string, string>();
    let churned = 0;
    const pages = await pageAll(
      { batch_size: 40, stable_scan: false },
      async () => {
        const r = await churny.admin.advanceClock(7);
        churned += r.created + r.updated + r.expired;
      },
      churnApi,
    );
    for (const job of pages.flatMap((p) => p.jobs)) seen.set(job.id, job.updated_at);
    expect(churned).toBeGreaterThan(100);
    const truth = await churny.admin.groundTruthJobs();
    const missing = truth.active.filter((j) => seen.get(j.id) !== j.updated_at);
    expect(missing).toEqual([]);
  });

  it('a cursor survives the index compacting its tombstones', async () => {
    // Thousands of edits leave more tombstones than the compaction threshold. (Churn that outpaces paging
    // would keep moving jobs behind the cursor forever, so the edits happen once, mid-way.)
    const hot = await startSandbox({ seed: 8, jobs: 400, startTime: START, churn: { updatedPerHour: 25 } });
    try {
      const hotApi = apiClient(hot);
      let edited = false;
      const pages = await pageAll(
        { batch_size: 100, stable_scan: false },
        async () => {
          if (edited) return;
          edited = true;
          expect((await hot.admin.advanceClock(30)).updated).toBeGreaterThan(5000);
        },
        hotApi,
      );
      const seen = new Map<string, string>();
      for (const job of pages.flatMap((p) => p.jobs)) seen.set(job.id, job.updated_at);
      const truth = await hot.admin.groundTruthJobs();
      expect(truth.active.filter((j) => seen.get(j.id) !== j.updated_at)).toEqual([]);
      const again = await pageAll({ batch_size: 1000, stable_scan: false }, undefined, hotApi);
      expect(again.flatMap((p) => p.jobs.map((j) => j.id))).toEqual(truth.active.map((j) => j.id));
    } finally {
      await hot.close();
    }
  });

  it('an incremental sync with updated_after picks up exactly the new and edited jobs', async () => {
    const since = (await churny.admin.health()).now;
    await churny.admin.advanceClock(30);
    const pages = await pageAll({ batch_size: 1000, updated_after: since, stable_scan: false }, undefined, churnApi);
    const truth = await churny.admin.groundTruthJobs();
    const changed = truth.active.filter((j) => Date.parse(j.updated_at) >= Date.parse(since)).map((j) => j.id);
    expect(changed.length).toBeGreaterThan(0);
    expect(pages.flatMap((p) => p.jobs.map((j) => j.id))).toEqual(changed);
  });

  it('/expired returns what expired since expired_since, paged, and the default looks back 24 h', async () => {
    const since = (await churny.admin.health()).now;
    await churny.admin.advanceClock(120);
    const truth = await churny.admin.groundTruthJobs();
    const expect24h = truth.expired.filter((e) => Date.parse(e.expired_at) >= Date.parse(truth.now) - 86_400_000).map((e) => e.id);
    const expectSince = truth.expired.filter((e) => Date.parse(e.expired_at) >= Date.parse(since)).map((e) => e.id);
    expect(expectSince.length).toBeGreaterThan(5);
    expect(expect24h).toEqual(expect.arrayContaining(expectSince));

    const collect = async (first: string) => {
      const ids: string[] = [];
      let q = first;
      for (;;) {
        const res = await churnApi<ExpiredResponse>('GET', `/api/jobs/expired${q}`);
        expect(res.status).toBe(200);
        ExpiredResponse.parse(res.body);
        ids.push(...res.body.job_ids);
        if (!res.body.has_more) return ids;
        q = `${first}${first ? '&' : '?'}cursor=${encodeURIComponent(res.body.next_cursor!)}`;
      }
    };
    expect(await collect(`?expired_since=${encodeURIComponent(since)}&batch_size=4`)).toEqual(expectSince);
    expect(await collect('')).toEqual(expect24h);
    // A cursor from a default-bound pagination keeps its bound even after the clock moves on.
    const first = await churnApi('GET', '/api/jobs/expired?batch_size=3');
    await churny.admin.advanceClock(5);
    const next = await churnApi('GET', `/api/jobs/expired?batch_size=1000&cursor=${encodeURIComponent(first.body.next_cursor)}`);
    expect([...first.body.job_ids, ...next.body.job_ids].slice(0, expect24h.length)).toEqual(expect24h);
  });
});

describe('GET /api/jobs/expired validation', () => {
  it.each([
    [`?expired_since=${encodeURIComponent(new Date(START.getTime() - 8 * 86_400_000).toISOString())}`, 'expired_since'],
    [`?expired_since=${encodeURIComponent(new Date(START.getTime() + 60_000).toISOString())}`, 'expired_since'],
    ['?expired_since=last-week', 'expired_since'],
    ['?batch_size=10001', 'batch_size'],
    ['?batch_size=ten', 'batch_size'],
    ['?since=2026-07-01T00:00:00Z', 'since'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    const res = await expired(query);
    expect(res.status).toBe(400);
    expect(res.body.fields.map((f: { field: string }) => f.field)).toEqual([field]);
  });

  it('accepts exactly 7 days back, and batch_size up to 10000', async () => {
    const now = Date.parse((await sb.admin.health()).now);
    const res = await expired(`?expired_since=${encodeURIComponent(new Date(now - 7 * 86_400_000).toISOString())}&batch_size=10000`);
    expect(res.status).toBe(200);
    expect(res.body.job_ids.length).toBe((await sb.admin.groundTruthJobs()).expired.length);
  });

  it('invalidates a cursor replayed with a different expired_since', async () => {
    const now = Date.parse((await sb.admin.health()).now);
    const since = new Date(now - 3 * 86_400_000).toISOString();
    const first = await expired(`?expired_since=${encodeURIComponent(since)}&batch_size=1`);
    expect(first.body.has_more).toBe(true);
    const other = new Date(now - 2 * 86_400_000).toISOString();
    expectInvalidCursor(await expired(`?expired_since=${encodeURIComponent(other)}&cursor=${encodeURIComponent(first.body.next_cursor)}`));
    expectInvalidCursor(await api('POST', '/api/jobs/feed', { json: { cursor: first.body.next_cursor } }));
  });
});
