/**
 * The Jobo client against the real sandbox over HTTP: every endpoint, and every fault mapped to the right
 * retryable or non-retryable Temporal failure type.
 */
import { ApplicationFailure } from '@temporalio/common';
import { startSandbox } from '../sandbox/server';
import { JoboClient } from '../src/jobo/client';
import { JoboFailure } from '../src/jobo/failures';
import { validAnswersFor } from './support/formAnswers';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

let sandbox: Sandbox;
let client: JoboClient;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 7, jobs: 250, port: 0 });
  client = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, timeoutMs: 5_000 });
});

afterAll(async () => {
  await client?.close();
  await sandbox?.close();
});

afterEach(async () => {
  await sandbox.admin.setFaults({
    unavailableRate: 0,
    rateLimitRate: 0,
    rateLimitPerSecond: null,
    resetRate: 0,
    latencyMs: 0,
    invalidCursorNext: 0,
    cursorRestartNext: 0,
    resetAfterCreateNext: 0,
  });
});

/** Runs `fn` and returns the ApplicationFailure it throws (fails the test if it resolves). */
async function failureOf(fn: () => Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }
  throw new Error('expected a failure, got a result');
}

describe('feed', () => {
  it('pages the whole feed and matches the ground truth exactly', async () => {
    const seen = new Map<string, string>();
    let cursor: string | null = null;
    let pages = 0;
    let lastCredits: number | null = null;
    do {
      const page: Awaited<ReturnType<JoboClient['feed']>> = await client.feed({ batch_size: 40, cursor });
      pages++;
      for (const job of page.data.jobs) seen.set(job.id, job.updated_at);
      if (lastCredits !== null && page.data.jobs.length > 0) expect(page.creditsBalance!).toBeLessThan(lastCredits);
      lastCredits = page.creditsBalance;
      cursor = page.data.has_more ? page.data.next_cursor : null;
    } while (cursor);
    const truth = await sandbox.admin.groundTruthJobs();
    expect(pages).toBeGreaterThan(1);
    expect(new Map(truth.active.map((j) => [j.id, j.updated_at]))).toEqual(seen);
  });

  it('filters by updated_after (the sync watermark) on updated_at', async () => {
    const truth = await sandbox.admin.groundTruthJobs();
    const times = truth.active.map((j) => j.updated_at).sort();
    const pivot = times[Math.floor(times.length / 2)];
    const page = await client.feed({ batch_size: 1000, updated_after: pivot });
    expect(page.data.jobs.length).toBe(times.filter((t) => Date.parse(t) >= Date.parse(pivot)).length);
    expect(page.data.estimated_total).toBe(page.data.jobs.length);
    for (const job of page.data.jobs) expect(Date.parse(job.updated_at)).toBeGreaterThanOrEqual(Date.parse(pivot));
  });

  it('stores odd jobs with what parsed and counts each odd field once per job, as the sandbox says it served them', async () => {
    await sandbox.admin.setShapes({ oddJobRate: 0.3 });
    try {
      const truth = (await sandbox.admin.groundTruthFeed()).jobs;
      const expected: Record<string, number> = {};
      for (const j of truth) if (j.odd_field) expected[j.odd_field] = (expected[j.odd_field] ?? 0) + 1;
      expect(Object.keys(expected).length).toBeGreaterThan(3);
      const counted: Record<string, number> = {};
      let cursor: string | null = null;
      const stored: string[] = [];
      do {
        const page: Awaited<ReturnType<JoboClient['feed']>> = await client.feed(cursor ? { cursor } : { batch_size: 60 });
        for (const [f, n] of Object.entries(page.oddities)) counted[f] = (counted[f] ?? 0) + n;
        expect(page.dropped).toBe(0);
        stored.push(...page.data.jobs.map((j) => j.id));
        cursor = page.data.has_more ? page.data.next_cursor : null;
      } while (cursor);
      expect(counted).toEqual(expected);
      expect(new Set(stored)).toEqual(new Set(truth.map((j) => j.id)));
    } finally {
      await sandbox.admin.setShapes({ oddJobRate: 0 });
    }
  });

  it('maps 409 cursor_restart_required to JoboInvalidCursor, in both error shapes', async () => {
    for (const errors of ['applyflow', 'problem'] as const) {
      await sandbox.admin.setShapes({ errors });
      const first = await client.feed({ batch_size: 10 });
      await sandbox.admin.setFaults({ cursorRestartNext: 1 });
      const f = await failureOf(() => client.feed({ cursor: first.data.next_cursor }));
      expect([errors, f.type, f.nonRetryable]).toEqual([errors, JoboFailure.InvalidCursor, true]);
      expect((f.details![0] as { error: string }).error).toBe('cursor_restart_required');
    }
    await sandbox.admin.setShapes({ errors: 'applyflow' });
  });

  it('reads RFC 7807 problem bodies like the { error, message, fields } ones: status first, then code, fields kept', async () => {
    await sandbox.admin.setShapes({ errors: 'problem' });
    try {
      const tampered = await failureOf(() => client.feed({ cursor: 'not-a-cursor' }));
      expect(tampered.type).toBe(JoboFailure.InvalidCursor);
      const d = tampered.details![0] as { status: number; error: string; message: string };
      expect(d).toMatchObject({ status: 400, error: 'invalid_cursor', message: 'Invalid cursor' });
      const old = new Date(Date.parse((await sandbox.admin.health()).now) - 8 * 86_400_000).toISOString();
      const bad = await failureOf(() => client.expired({ expired_since: old }));
      expect(bad.type).toBe(JoboFailure.BadRequest);
      expect((bad.details![0] as { fields: { field: string }[] }).fields.map((x) => x.field)).toEqual(['expired_since']);
      const unknown = await failureOf(() => client.getSession('00000000-0000-4000-8000-000000000000'));
      expect(unknown.type).toBe(JoboFailure.NotFound);
    } finally {
      await sandbox.admin.setShapes({ errors: 'applyflow' });
    }
  });

  it('keeps the request side strict: filter values outside the published enums are refused before sending', async () => {
    const before = await sandbox.admin.stats();
    // The stored spelling "full_time" would silently match nothing upstream, so it never leaves.
    const f = await failureOf(() => client.feed({ employment_types: ['full_time' as 'full-time'] }));
    expect(f.type).toBe(JoboFailure.BadRequest);
    expect(f.message).toContain('employment_types.0');
    const g = await failureOf(() => client.feed({ work_models: ['remote'], shiny: true } as never));
    expect(g.message).toContain('shiny');
    expect((await sandbox.admin.stats()).total).toBe(before.total + 1);
    const ok = await client.feed({ employment_types: ['full-time'], work_models: ['remote'], batch_size: 1000 });
    for (const j of ok.data.jobs) expect([j.employment_type, j.workplace_type]).toEqual(['full_time', 'remote']);
  });

  it('rejects a tampered cursor as a non-retryable JoboInvalidCursor', async () => {
    const first = await client.feed({ batch_size: 10 });
    const cursor = first.data.next_cursor!;
    const tampered = cursor.slice(0, -2) + (cursor.endsWith('A') ? 'BB' : 'AA');
    const f = await failureOf(() => client.feed({ batch_size: 10, cursor: tampered }));
    expect(f.type).toBe(JoboFailure.InvalidCursor);
    expect(f.nonRetryable).toBe(true);
  });

  it('maps the invalid-cursor fault the same way', async () => {
    const first = await client.feed({ batch_size: 10 });
    await sandbox.admin.setFaults({ invalidCursorNext: 1 });
    const f = await failureOf(() => client.feed({ batch_size: 10, cursor: first.data.next_cursor }));
    expect(f.type).toBe(JoboFailure.InvalidCursor);
    // The fault is spent: the same cursor works again.
    await expect(client.feed({ batch_size: 10, cursor: first.data.next_cursor })).resolves.toBeDefined();
  });

  it('refuses an out-of-range batch_size before sending, naming the field', async () => {
    const before = await sandbox.admin.stats();
    const f = await failureOf(() => client.feed({ batch_size: 5000 }));
    expect(f.type).toBe(JoboFailure.BadRequest);
    expect(f.message).toContain('batch_size');
    const after = await sandbox.admin.stats();
    expect(after.total).toBe(before.total + 1); // only the stats call itself reached the server
  });
});

describe('expired', () => {
  it('returns ids expired since a time, after churn', async () => {
    const since = (await sandbox.admin.health()).now;
    const churn = await sandbox.admin.advanceClock(24 * 60);
    expect(churn.expired).toBeGreaterThan(0);
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page: Awaited<ReturnType<JoboClient['expired']>> = await client.expired({ expired_since: since, batch_size: 3, cursor });
      ids.push(...page.data.job_ids);
      cursor = page.data.has_more ? (page.data.next_cursor ?? undefined) : undefined;
    } while (cursor);
    const truth = await sandbox.admin.groundTruthJobs();
    const expected = truth.expired.filter((e) => Date.parse(e.expired_at) >= Date.parse(since)).map((e) => e.id);
    expect(ids.sort()).toEqual(expected.sort());
  });

  it('answers 400 naming expired_since past the 7-day lookback', async () => {
    const now = Date.parse((await sandbox.admin.health()).now);
    const f = await failureOf(() => client.expired({ expired_since: new Date(now - 8 * 86_400_000).toISOString() }));
    expect(f.type).toBe(JoboFailure.BadRequest);
    expect(f.nonRetryable).toBe(true);
    expect(JSON.stringify(f.details)).toContain('expired_since');
  });
});

describe('faults', () => {
  it('maps 503 to a retryable JoboUnavailable whose next retry delay is Retry-After', async () => {
    await sandbox.admin.setFaults({ unavailableRate: 1, retryAfterSeconds: 3 });
    const f = await failureOf(() => client.feed({ batch_size: 1 }));
    expect(f.type).toBe(JoboFailure.Unavailable);
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(3000);
  });

  it('maps 429 to a retryable JoboRateLimited with Retry-After', async () => {
    await sandbox.admin.setFaults({ rateLimitRate: 1 });
    const f = await failureOf(() => client.feed({ batch_size: 1 }));
    expect(f.type).toBe(JoboFailure.RateLimited);
    expect(f.nonRetryable).toBe(false);
    expect(typeof f.nextRetryDelay).toBe('number');
  });

  it('maps a connection reset to a retryable JoboNetworkError', async () => {
    await sandbox.admin.setFaults({ resetRate: 1 });
    const f = await failureOf(() => client.feed({ batch_size: 1 }));
    expect(f.type).toBe(JoboFailure.Network);
    expect(f.nonRetryable).toBe(false);
  });

  it('maps added latency beyond the timeout to a retryable JoboTimeout', async () => {
    const impatient = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, timeoutMs: 200 });
    try {
      await sandbox.admin.setFaults({ latencyMs: 1_000 });
      const f = await failureOf(() => impatient.feed({ batch_size: 1 }));
      expect(f.type).toBe(JoboFailure.Timeout);
      expect(f.nonRetryable).toBe(false);
    } finally {
      await impatient.close();
    }
  });

  it('maps a wrong API key to a non-retryable JoboUnauthorized', async () => {
    const stranger = new JoboClient({ baseUrl: sandbox.url, apiKey: 'wrong' });
    try {
      const f = await failureOf(() => stranger.feed({}));
      expect(f.type).toBe(JoboFailure.Unauthorized);
      expect(f.nonRetryable).toBe(true);
    } finally {
      await stranger.close();
    }
  });
});

const adaProfile = {
  name: 'Default',
  contact: { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com', phone: '+1 415 555 0100' },
  links: { linkedin: 'https://www.linkedin.com/in/ada-lovelace' },
  eligibility: { work_authorized_countries: ['United States'], requires_sponsorship: false },
};

describe('profiles', () => {
  it('creates, reads, patches by section and imports a resume', async () => {
    const created = await client.createProfile(adaProfile);
    expect(created.status).toBe('ready');
    expect(await client.getProfile(created.id)).toEqual(created);

    const patched = await client.patchProfile(created.id, { memories: ['Go and Kubernetes'] });
    expect(patched.memories).toEqual(['Go and Kubernetes']);
    expect(patched.contact).toEqual(created.contact); // absent sections are untouched
    expect(patched.links.linkedin).toBe(adaProfile.links.linkedin);

    const resume = Buffer.from('%PDF-1.4\nName: Ada Lovelace\nEmail: ada.l@example.com\n');
    const importing = await client.uploadResume(
      created.id,
      { fileName: 'ada.pdf', contentType: 'application/pdf', data: resume },
      { import: true },
    );
    expect(importing.resume?.size_bytes).toBe(resume.length);
    let final = importing;
    for (let i = 0; i < 50 && final.status === 'importing'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      final = await client.getProfile(created.id);
    }
    expect(final.status).toBe('ready');
  });

  it('maps an unknown profile to JoboNotFound', async () => {
    const f = await failureOf(() => client.getProfile('00000000-0000-4000-8000-000000000000'));
    expect(f.type).toBe(JoboFailure.NotFound);
  });

  it('refuses a malformed profile before sending, naming the field', async () => {
    const f = await failureOf(() => client.createProfile({ ...adaProfile, links: { github: 'ftp://example.com/ada' } }));
    expect(f.type).toBe(JoboFailure.BadRequest);
    expect(f.message).toContain('links.github');
  });
});

describe('sessions', () => {
  // The sandbox ignores Idempotency-Key unless told to honour it (the documents never promise replays).
  beforeEach(() => sandbox.admin.setFaults({ idempotencyKeys: 'honour' }));
  afterEach(() => sandbox.admin.setFaults({ idempotencyKeys: 'ignore' }));

  it('creates, validates, answers idempotently, reads and ends a session', async () => {
    const truth = await sandbox.admin.groundTruthJobs();
    const job = truth.active[0];
    const jobUrl = (await client.feed({ batch_size: 1000 })).data.jobs.find((j) => j.id === job.id)!.apply_url;

    const live = await client.createSession({ job_url: jobUrl });
    expect(live.is_terminal).toBe(false);
    expect(live.fields.length).toBeGreaterThan(0);

    const wrong = await client.submitAnswers(live.session_id, { answers: {} });
    const required = live.fields.filter((f) => f.required).map((f) => f.name);
    expect(wrong.validation_errors.map((e) => e.field).sort()).toEqual(expect.arrayContaining(required));
    expect(wrong.status).toBe(live.status);

    // A retried submission with the same Idempotency-Key returns the first response and does not advance twice.
    const answers = { answers: validAnswersFor(live.fields) };
    const next = await client.submitAnswers(live.session_id, answers, { idempotencyKey: 'page-1' });
    expect(next.validation_errors).toEqual([]);
    const again = await client.submitAnswers(live.session_id, answers, { idempotencyKey: 'page-1' });
    expect(again).toEqual(next);
    const record = await sandbox.admin.session(live.session_id);
    expect(record.answers).toHaveLength(1);

    const meta = await client.getSession(live.session_id);
    expect(meta).toMatchObject({ id: live.session_id, mode: 'interactive', job_url: jobUrl, completed_at: null });

    await client.endSession(live.session_id);
    await client.endSession(live.session_id); // idempotent
    expect((await client.getSession(live.session_id)).state).toBe('closed');
    const f = await failureOf(() => client.submitAnswers(live.session_id, { answers: {} }));
    expect(f.type).toBe(JoboFailure.Conflict);
  });

  it('createSession with an idempotencyKey: a retry after a lost response gets the one session it opened', async () => {
    const jobUrl = `https://jobs.lever.co/acme/idempotent-${Date.now()}`;
    const opened = async () => (await sandbox.admin.sessions()).filter((s) => s.job_url === jobUrl);
    await sandbox.admin.setFaults({ resetAfterCreateNext: 1 });
    const lost = await failureOf(() => client.createSession({ job_url: jobUrl }, { idempotencyKey: 'wf/run/hop-0' }));
    expect(lost.type).toBe(JoboFailure.Network);
    expect(lost.nonRetryable).toBe(false);
    expect(await opened()).toHaveLength(1); // the upstream acted before the connection dropped

    const retried = await client.createSession({ job_url: jobUrl }, { idempotencyKey: 'wf/run/hop-0' });
    expect(retried.session_id).toBe((await opened())[0].id);
    expect(await client.createSession({ job_url: jobUrl }, { idempotencyKey: 'wf/run/hop-0' })).toEqual(retried);
    expect(await opened()).toHaveLength(1);

    const another = await client.createSession({ job_url: jobUrl }, { idempotencyKey: 'wf/run/hop-1' });
    expect(another.session_id).not.toBe(retried.session_id);
    expect(await opened()).toHaveLength(2);
  });

  it('maps an Idempotency-Key reused for another job to JoboBadRequest, and refuses a malformed key before sending', async () => {
    const jobUrl = `https://jobs.lever.co/acme/reused-${Date.now()}`;
    await client.createSession({ job_url: jobUrl }, { idempotencyKey: 'reused' });
    const reused = await failureOf(() => client.createSession({ job_url: `${jobUrl}-2` }, { idempotencyKey: 'reused' }));
    expect(reused.type).toBe(JoboFailure.BadRequest);
    expect(reused.message).toContain('Idempotency-Key');
    const before = (await sandbox.admin.stats()).byRoute['POST /api/auto-apply/sessions']?.total ?? 0;
    const tooLong = await failureOf(() => client.createSession({ job_url: jobUrl }, { idempotencyKey: 'k'.repeat(256) }));
    expect(tooLong.type).toBe(JoboFailure.BadRequest);
    expect(tooLong.message).toContain('Idempotency-Key');
    expect((await sandbox.admin.stats()).byRoute['POST /api/auto-apply/sessions']?.total ?? 0).toBe(before);
  });

  it('refuses a job URL over 2000 characters before sending', async () => {
    const f = await failureOf(() => client.createSession({ job_url: `https://example.com/${'a'.repeat(2000)}` }));
    expect(f.type).toBe(JoboFailure.BadRequest);
    expect(f.message).toContain('job_url');
  });

  it('maps an unknown session to JoboNotFound, but ending it is a no-op', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    expect((await failureOf(() => client.getSession(id))).type).toBe(JoboFailure.NotFound);
    await expect(client.endSession(id)).resolves.toBeUndefined();
  });
});
