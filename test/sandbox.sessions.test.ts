/**
 * The sandbox's auto-apply sessions over real HTTP: provider forms page by page, validation errors,
 * Idempotency-Key replay, terminal/ended sessions, redirect chains, captcha and error endings, idle
 * expiry, 000's state mapping and the per-(profile, job) submission ledger.
 */
import { startSandbox, type SandboxHandle } from '../sandbox/server';
import { Corpus } from '../sandbox/corpus';
import { FaultInjector } from '../sandbox/faults';
import { formFor } from '../sandbox/forms';
import { SessionStore } from '../sandbox/sessions';
import { validateAnswers } from '../src/forms/validate';
import { LiveSessionState, SessionMetadata, type FeedResponse, type JobDto } from '../src/jobo/schemas';
import { allValidAnswersFor } from './support/formAnswers';
import { apiClient, type ApiResponse } from './support/sandboxApi';

let sb: SandboxHandle;
let api: ReturnType<typeof apiClient>;
const jobBySource = new Map<string, JobDto>();

beforeAll(async () => {
  sb = await startSandbox({ seed: 3, jobs: 200 });
  api = apiClient(sb);
  const page = await api<FeedResponse>('POST', '/api/jobs/feed', { json: { batch_size: 1000 } });
  for (const job of page.body.jobs) if (!jobBySource.has(job.source)) jobBySource.set(job.source, job);
});
afterAll(() => sb?.close());
afterEach(() =>
  sb.admin.setFaults({
    captchaRate: 0,
    reportReservedStatuses: false,
    resetAfterCreateNext: 0,
    resetAfterSubmitNext: 0,
    idempotencyKeys: 'ignore',
  }),
);

async function create(body: Record<string, unknown>): Promise<ApiResponse<LiveSessionState>> {
  const res = await api<LiveSessionState>('POST', '/api/auto-apply/sessions', { json: body });
  if (res.status === 201) LiveSessionState.parse(res.body);
  return res;
}

async function answer(id: string, answers: Record<string, unknown>, idempotencyKey?: string) {
  const headers = idempotencyKey ? { 'idempotency-key': idempotencyKey } : undefined;
  const res = await api<LiveSessionState>('POST', `/api/auto-apply/sessions/${id}/answers`, { json: { answers }, headers });
  if (res.status === 200) LiveSessionState.parse(res.body);
  return res;
}

async function meta(id: string) {
  const res = await api<SessionMetadata>('GET', `/api/auto-apply/sessions/${id}`);
  expect(res.status).toBe(200);
  return SessionMetadata.parse(res.body);
}

/** Answers every page validly; returns each response's status in order. */
async function walk(live: LiveSessionState): Promise<{ statuses: string[]; last: LiveSessionState }> {
  const statuses: string[] = [live.status];
  let state = live;
  while (!state.is_terminal) {
    const res = await answer(state.session_id, allValidAnswersFor(state.fields));
    expect(res.status).toBe(200);
    expect(res.body.validation_errors).toEqual([]);
    state = res.body;
    statuses.push(state.status);
  }
  return { statuses, last: state };
}

const submissionsFor = async (jobUrl: string) => (await sb.admin.submissions()).submissions.filter((s) => s.job_url === jobUrl);

describe('forms per provider', () => {
  it.each(['greenhouse', 'lever', 'ashby', 'workday'])('%s: pages through the provider form to a counted submission', async (provider) => {
    const job = jobBySource.get(provider)!;
    const res = await create({ job_url: job.apply_url });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/auto-apply/sessions/${res.body.session_id}`);
    const form = formFor(provider, job.apply_url);
    expect(res.body).toMatchObject({ provider_id: provider, status: 'form_ready', is_terminal: false, fields: form.pages[0].fields });
    expect(await meta(res.body.session_id)).toMatchObject({
      state: 'running',
      mode: 'interactive',
      provider_id: provider,
      profile_id: null,
    });

    const { statuses, last } = await walk(res.body);
    const middle = Array(Math.max(0, form.pages.length - 2)).fill('next_available');
    const expected = form.pages.length === 1 ? ['form_ready', 'submitted'] : ['form_ready', ...middle, 'submit_ready', 'submitted'];
    expect(statuses).toEqual(expected);
    if (provider === 'workday') expect(form.pages.length).toBeGreaterThanOrEqual(3);
    expect(last).toMatchObject({ is_terminal: true, fields: [], error: null });

    const m = await meta(last.session_id);
    expect(m.state).toBe('completed');
    expect(m.completed_at).not.toBeNull();
    expect(await submissionsFor(job.apply_url)).toEqual([expect.objectContaining({ profile_id: null, job_id: job.id, count: 1 })]);
    const record = await sb.admin.session(last.session_id);
    expect(record).toMatchObject({ ended: true, ended_reason: 'terminal', page_count: form.pages.length });
    expect(record.answers).toHaveLength(form.pages.length);
  });

  it('an unknown host gets the one-page generic form', async () => {
    const res = await create({ job_url: 'https://jobs.example.net/roles/42' });
    expect(res.body.provider_id).toBe('generic');
    const { statuses } = await walk(res.body);
    expect(statuses).toEqual(['form_ready', 'submitted']);
    expect((await submissionsFor('https://jobs.example.net/roles/42'))[0]).toMatchObject({ job_id: null, count: 1 });
  });
});

describe('answers', () => {
  it('invalid answers keep the page and status and name each bad field', async () => {
    const job = jobBySource.get('greenhouse')!;
    const live = (await create({ job_url: job.apply_url })).body;
    const answers = { ...allValidAnswersFor(live.fields), email: 'not-an-email', first_name: '', bogus_field: 'x' };
    const res = await answer(live.session_id, answers);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('form_ready');
    expect(res.body.fields).toEqual(live.fields);
    expect(res.body.validation_errors.map((e) => e.field).sort()).toEqual(['bogus_field', 'email', 'first_name']);
    expect(res.body.validation_errors).toEqual(validateAnswers(live.fields, answers));
    expect((await sb.admin.session(live.session_id)).page).toBe(0);
  });

  it('a file answer may reference a profile resume only when the profile has one', async () => {
    const profile = await api('POST', '/api/auto-apply/profiles', {
      json: { contact: { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' } },
    });
    const live = (await create({ job_url: jobBySource.get('lever')!.apply_url, profile_id: profile.body.id })).body;
    const fileField = live.fields.find((f) => f.type === 'file')!;
    const answers = { ...allValidAnswersFor(live.fields), [fileField.name]: { kind: 'profile_resume', profile_id: profile.body.id } };
    const without = await answer(live.session_id, answers);
    expect(without.body.validation_errors).toEqual([expect.objectContaining({ field: fileField.name })]);
    await api('PUT', `/api/auto-apply/profiles/${profile.body.id}/resume`, {
      raw: Buffer.from('Name: Ada Lovelace'),
      headers: { 'content-type': 'text/plain', 'x-file-name': 'ada.txt' },
    });
    const withResume = await answer(live.session_id, answers);
    expect(withResume.body.validation_errors).toEqual([]);
    expect(withResume.body.status).not.toBe('form_ready');
  });

  it.each([
    [{}, 'answers'],
    [{ answers: [] }, 'answers'],
    [{ answers: { x: { nested: true } } }, 'answers.x'],
    [{ answers: {}, extra: 1 }, 'extra'],
  ])('answers 400 naming the field for the body %j', async (body, field) => {
    const live = (await create({ job_url: jobBySource.get('ashby')!.apply_url })).body;
    const res = await api('POST', `/api/auto-apply/sessions/${live.session_id}/answers`, { json: body });
    expect(res.status).toBe(400);
    expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  it('Idempotency-Key (when honoured) replays the stored response without acting again', async () => {
    await sb.admin.setFaults({ idempotencyKeys: 'honour' });
    const job = jobBySource.get('workday')!;
    const live = (await create({ job_url: job.apply_url })).body;
    const first = await answer(live.session_id, allValidAnswersFor(live.fields), 'page-1');
    const again = await answer(live.session_id, allValidAnswersFor(live.fields), 'page-1');
    expect(again.body).toEqual(first.body);
    expect((await sb.admin.session(live.session_id)).page).toBe(1);

    let state = first.body;
    while (state.status !== 'submit_ready') state = (await answer(state.session_id, allValidAnswersFor(state.fields))).body;
    const submit = await answer(state.session_id, allValidAnswersFor(state.fields), 'final');
    const retry = await answer(state.session_id, allValidAnswersFor(state.fields), 'final');
    expect(submit.body.status).toBe('submitted');
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(submit.body);
    const mine = (await submissionsFor(job.apply_url)).find((s) => s.count > 0)!;
    const before = mine.count;
    // Without the key, a second submission of a terminal session is a conflict, not a second application.
    const conflict = await answer(state.session_id, {});
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toBe('session_terminal');
    expect((await submissionsFor(job.apply_url)).find((s) => s.count > 0)!.count).toBe(before);
  });
});

describe('Idempotency-Key ignored (the default: the documents promise nothing)', () => {
  it('the same key on create opens another session, and the same key on answers submits again', async () => {
    expect((await sb.admin.faults()).idempotencyKeys).toBe('ignore');
    const jobUrl = `https://jobs.lever.co/acme/ignored-${Date.now()}`;
    const headers = { 'idempotency-key': 'same-key' };
    const a = await api<LiveSessionState>('POST', '/api/auto-apply/sessions', { json: { job_url: jobUrl }, headers });
    const b = await api<LiveSessionState>('POST', '/api/auto-apply/sessions', { json: { job_url: jobUrl }, headers });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.session_id).not.toBe(a.body.session_id);
    const first = await answer(a.body.session_id, allValidAnswersFor(a.body.fields), 'page-key');
    const again = await answer(a.body.session_id, allValidAnswersFor(a.body.fields), 'page-key');
    // Not a replay: the second request meets the session where the first left it.
    expect(again.body).not.toEqual(first.body);
  });
});

describe('resetAfterSubmitNext', () => {
  it('carries the final submission out, then drops the connection; the session state says completed', async () => {
    const jobUrl = `https://jobs.lever.co/acme/lost-submit-${Date.now()}`;
    let state = (await create({ job_url: jobUrl })).body;
    const resets = (await sb.admin.stats()).resets;
    await sb.admin.setFaults({ resetAfterSubmitNext: 1 });
    let lost: unknown = null;
    while (!lost) {
      const res = await answer(state.session_id, allValidAnswersFor(state.fields)).catch((e: unknown) => e);
      if (res instanceof Error) lost = res;
      else state = (res as { body: LiveSessionState }).body;
      expect(state.is_terminal && !lost).toBe(false); // the final page never answers
    }
    expect((await sb.admin.stats()).resets).toBe(resets + 1);
    expect((await sb.admin.faults()).resetAfterSubmitNext).toBe(0);
    const meta = await api<{ state: string }>('GET', `/api/auto-apply/sessions/${state.session_id}`);
    expect(meta.body.state).toBe('completed');
    expect((await sb.admin.sessions()).find((s) => s.id === state.session_id)).toMatchObject({ status: 'submitted' });
  });
});

describe('create Idempotency-Key (honoured)', () => {
  // After the top-level afterEach, which puts the default (ignore) back.
  beforeEach(() => sb.admin.setFaults({ idempotencyKeys: 'honour' }));
  const createWithKey = (body: Record<string, unknown>, key: string) =>
    api<LiveSessionState>('POST', '/api/auto-apply/sessions', { json: body, headers: { 'idempotency-key': key } });
  const sessionsAt = async (jobUrl: string) => (await sb.admin.sessions()).filter((s) => s.job_url === jobUrl);

  it('the same key returns the same session, in its current state, instead of opening another', async () => {
    const jobUrl = `${jobBySource.get('workday')!.apply_url}?k=${Date.now()}`;
    const first = await createWithKey({ job_url: jobUrl }, 'wf-1/hop-0');
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await createWithKey({ job_url: jobUrl }, 'wf-1/hop-0');
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(`/api/auto-apply/sessions/${first.body.session_id}`);
    expect(LiveSessionState.parse(again.body)).toEqual(first.body);
    expect(await sessionsAt(jobUrl)).toHaveLength(1);

    // The replay shows where the session is now, not the first response.
    const page2 = await answer(first.body.session_id, allValidAnswersFor(first.body.fields));
    expect(page2.body.status).toBe('next_available');
    const later = await createWithKey({ job_url: jobUrl }, 'wf-1/hop-0');
    expect(later.body).toEqual(page2.body);

    // Another key is another session; no key at all always opens one.
    const other = await createWithKey({ job_url: jobUrl }, 'wf-1/hop-1');
    expect(other.status).toBe(201);
    expect(other.body.session_id).not.toBe(first.body.session_id);
    const unkeyed = [await create({ job_url: jobUrl }), await create({ job_url: jobUrl })];
    expect(new Set(unkeyed.map((r) => r.body.session_id)).size).toBe(2);
    expect(await sessionsAt(jobUrl)).toHaveLength(4);
  });

  it('a key reused for a different request is a 422 naming Idempotency-Key, and opens nothing', async () => {
    const jobUrl = `https://jobs.lever.co/acme/key-reuse-${Date.now()}`;
    expect((await createWithKey({ job_url: jobUrl }, 'reuse-1')).status).toBe(201);
    const before = (await sb.admin.sessions()).length;
    const res = await createWithKey({ job_url: `${jobUrl}-other` }, 'reuse-1');
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'invalid_request', fields: [expect.objectContaining({ field: 'Idempotency-Key' })] });
    const tooLong = await createWithKey({ job_url: jobUrl }, 'k'.repeat(256));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.fields).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    expect((await sb.admin.sessions()).length).toBe(before);
  });

  it('resetAfterCreateNext opens the session, then drops the connection; the same key finds it again', async () => {
    const jobUrl = `https://boards.greenhouse.io/acme/jobs/lost-${Date.now()}`;
    const resetsBefore = (await sb.admin.stats()).resets;
    await sb.admin.setFaults({ resetAfterCreateNext: 1 });
    const lost = await createWithKey({ job_url: jobUrl }, 'lost-1').catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(Error); // no response at all: the socket was destroyed
    expect((await sb.admin.faults()).resetAfterCreateNext).toBe(0);
    expect((await sb.admin.stats()).resets).toBe(resetsBefore + 1);
    const opened = await sessionsAt(jobUrl);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ ended: false, status: 'form_ready' });

    const retry = await createWithKey({ job_url: jobUrl }, 'lost-1');
    expect(retry.status).toBe(200);
    expect(retry.body.session_id).toBe(opened[0].id);
    expect(await sessionsAt(jobUrl)).toHaveLength(1);
  });

  it.each([-1, 1.5, 'x', null])('resetAfterCreateNext rejects %j, naming the fault', async (value) => {
    const err = await sb.admin.setFaults({ resetAfterCreateNext: value as number }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toContain('resetAfterCreateNext');
    expect((await sb.admin.faults()).resetAfterCreateNext).toBe(0);
  });

  it('keys are forgotten with their sessions, so memory stays bounded', () => {
    const profiles = { has: () => false, hasResume: () => false };
    const store = new SessionStore(
      new Corpus({ seed: 1, jobs: 10, startTime: Date.now() }),
      profiles,
      new FaultInjector(1),
      60_000,
      Date.now,
      2,
    );
    try {
      const body = { job_url: 'https://jobs.lever.co/acme/bounded' };
      const a = store.create(body, 'a').state.session_id;
      const b = store.create(body, 'b').state.session_id;
      expect(store.create(body, 'a')).toMatchObject({ replayed: true, state: { session_id: a } });
      store.create(body, 'c'); // the third record pushes out the oldest, and its key with it
      expect(store.adminList().map((s) => s.id)).not.toContain(a);
      const reopened = store.create(body, 'a');
      expect(reopened.replayed).toBe(false);
      expect(reopened.state.session_id).not.toBe(a);
      expect(store.create(body, 'c').replayed).toBe(true);
      expect(store.adminList()).toHaveLength(2);
      expect(store.adminList().map((s) => s.id)).not.toContain(b);
    } finally {
      store.close();
    }
  });
});

describe('automated sessions and the submission ledger', () => {
  it('profile_id makes the session automated and counts submissions per (profile, job)', async () => {
    const job = jobBySource.get('ashby')!;
    const p = await api('POST', '/api/auto-apply/profiles', {
      json: { contact: { first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.com' } },
    });
    for (let i = 0; i < 2; i++) {
      const live = (await create({ job_url: job.apply_url, profile_id: p.body.id })).body;
      expect(await meta(live.session_id)).toMatchObject({ mode: 'automated', profile_id: p.body.id });
      await walk(live);
    }
    const mine = (await submissionsFor(job.apply_url)).filter((s) => s.profile_id === p.body.id);
    expect(mine).toEqual([expect.objectContaining({ job_id: job.id, count: 2 })]);
    const all = await sb.admin.submissions();
    expect(all.total).toBe(all.submissions.reduce((n, s) => n + s.count, 0));
  });

  it('answers 404 naming profile_id for an unknown profile, and creates nothing', async () => {
    const before = (await sb.admin.sessions()).length;
    const res = await create({ job_url: jobBySource.get('lever')!.apply_url, profile_id: '00000000-0000-4000-8000-0000000000aa' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'not_found', fields: [expect.objectContaining({ field: 'profile_id' })] });
    expect((await sb.admin.sessions()).length).toBe(before);
  });

  it.each([
    [{ job_url: `https://example.com/${'a'.repeat(2000)}` }, 'job_url'],
    [{ job_url: 'ftp://example.com/job' }, 'job_url'],
    [{}, 'job_url'],
    [{ job_url: 'https://example.com/j', profile_id: 'nope' }, 'profile_id'],
    [{ job_url: 'https://example.com/j', mode: 'x' }, 'mode'],
  ])('answers 400 naming the field for %j', async (body, field) => {
    const res = await api('POST', '/api/auto-apply/sessions', { json: body });
    expect(res.status).toBe(400);
    expect(res.body.fields.map((f: { field: string }) => f.field)).toEqual([field]);
  });

  it('a job that has expired no longer accepts applications', async () => {
    const truth = await sb.admin.groundTruthJobs();
    const gone = await sb.admin.job(truth.expired[0].id);
    expect(gone.active).toBe(false);
    const res = await create({ job_url: gone.job.apply_url });
    expect(res.body).toMatchObject({ status: 'error', is_terminal: true, fields: [] });
    expect(res.body.error).toMatch(/no longer/);
    expect((await meta(res.body.session_id)).state).toBe('failed');
  });
});

describe('ending sessions', () => {
  it('DELETE ends a session (204, idempotent); GET shows closed and answers conflict', async () => {
    const live = (await create({ job_url: jobBySource.get('greenhouse')!.apply_url })).body;
    const del = await api('DELETE', `/api/auto-apply/sessions/${live.session_id}`);
    expect(del.status).toBe(204);
    expect((await api('DELETE', `/api/auto-apply/sessions/${live.session_id}`)).status).toBe(204);
    expect(await meta(live.session_id)).toMatchObject({ state: 'closed' });
    expect((await meta(live.session_id)).completed_at).not.toBeNull();
    expect((await sb.admin.session(live.session_id)).ended_reason).toBe('deleted');
    const res = await answer(live.session_id, allValidAnswersFor(live.fields));
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('session_terminal');
  });

  it('deleting a submitted session keeps it completed', async () => {
    const live = (await create({ job_url: 'https://jobs.example.net/roles/77' })).body;
    await walk(live);
    expect((await api('DELETE', `/api/auto-apply/sessions/${live.session_id}`)).status).toBe(204);
    expect((await meta(live.session_id)).state).toBe('completed');
  });

  it('an unknown session id is 404 on every verb', async () => {
    const id = '00000000-0000-4000-8000-0000000000bb';
    expect((await api('GET', `/api/auto-apply/sessions/${id}`)).status).toBe(404);
    expect((await api('DELETE', `/api/auto-apply/sessions/${id}`)).status).toBe(404);
    const res = await answer(id, {});
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });
});

describe('idle expiry', () => {
  const IDLE_MS = 1000;
  let idle: SandboxHandle;
  let idleApi: ReturnType<typeof apiClient>;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const url = 'https://jobs.lever.co/acme/idle-test';
  beforeAll(async () => {
    idle = await startSandbox({ seed: 3, jobs: 10, sessionIdleTimeoutMs: IDLE_MS });
    idleApi = apiClient(idle);
  });
  afterAll(() => idle?.close());

  it('an idle session expires (status expired, closed) by the timer and on access', async () => {
    const swept = (await idleApi('POST', '/api/auto-apply/sessions', { json: { job_url: url } })).body;
    const lazy = (await idleApi('POST', '/api/auto-apply/sessions', { json: { job_url: url } })).body;
    await sleep(IDLE_MS * 2.5);
    // Admin reads do not touch sessions: this is the timer's work.
    expect(await idle.admin.session(swept.session_id)).toMatchObject({ status: 'expired', ended_reason: 'idle', state: 'closed' });
    const res = await idleApi('POST', `/api/auto-apply/sessions/${lazy.session_id}/answers`, { json: { answers: {} } });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('session_terminal');
    expect((await idleApi('GET', `/api/auto-apply/sessions/${lazy.session_id}`)).body.state).toBe('closed');
  });

  it('activity keeps a session alive past the idle timeout', async () => {
    const live = (await idleApi('POST', '/api/auto-apply/sessions', { json: { job_url: url } })).body;
    for (let i = 0; i < 4; i++) {
      await sleep(IDLE_MS * 0.3);
      expect((await idleApi('GET', `/api/auto-apply/sessions/${live.session_id}`)).body.state).toBe('running');
    }
  });
});

describe('redirects, captcha and errors', () => {
  it('follows a redirect chain hop by hop to the provider form', async () => {
    const first = (await create({ job_url: 'https://careers.example.com/redirect/2/lever/acme/123' })).body;
    expect(first).toMatchObject({
      status: 'redirect_required',
      is_terminal: true,
      fields: [],
      redirect_url: 'https://careers.example.com/redirect/1/lever/acme/123',
      redirect_provider_id: 'lever',
    });
    expect((await meta(first.session_id)).state).toBe('completed');
    const second = (await create({ job_url: first.redirect_url! })).body;
    expect(second).toMatchObject({ status: 'redirect_required', redirect_url: 'https://jobs.lever.co/acme/123' });
    const third = (await create({ job_url: second.redirect_url! })).body;
    expect(third).toMatchObject({ status: 'form_ready', provider_id: 'lever', redirect_url: null });
    expect((await answer(first.session_id, {})).status).toBe(409);
  });

  it('a captcha URL ends in status error by default, captcha_required when reserved statuses are on', async () => {
    const url = 'https://careers.example.com/captcha/acme/1';
    const { last } = await walk((await create({ job_url: url })).body);
    expect(last).toMatchObject({ status: 'error', is_terminal: true });
    expect(last.error).toMatch(/captcha/i);
    expect((await meta(last.session_id)).state).toBe('failed');

    await sb.admin.setFaults({ reportReservedStatuses: true });
    const reserved = await walk((await create({ job_url: url })).body);
    expect(reserved.last.status).toBe('captcha_required');
    expect(await submissionsFor(url)).toEqual([]);
  });

  it('captchaRate hits ordinary URLs at submission', async () => {
    await sb.admin.setFaults({ captchaRate: 1 });
    const url = 'https://jobs.example.net/roles/captcha-fault';
    const { last } = await walk((await create({ job_url: url })).body);
    expect(last.status).toBe('error');
    expect(await submissionsFor(url)).toEqual([]);
  });

  it('an error URL ends in status error with a message and no submission', async () => {
    const url = 'https://careers.example.com/error/acme/9';
    const { last } = await walk((await create({ job_url: url })).body);
    expect(last).toMatchObject({ status: 'error', is_terminal: true });
    expect(last.error).toBeTruthy();
    expect((await meta(last.session_id)).state).toBe('failed');
    expect(await submissionsFor(url)).toEqual([]);
  });
});
