/**
 * SessionDriver's decisions without a server: a scripted upstream behind fake ports, `condition` as a
 * polling loop and idle expiry on demand. What reaches the upstream is read from the fake's own log.
 */
import { ApplicationFailure } from '@temporalio/common';
import { SessionDriver, answerProblems, initialView, type SessionPorts } from '../src/interactiveSession/driver';
import type { SessionAnswers, SessionView } from '../src/interactiveSession/messages';
import type { FormField, LiveSessionState } from '../src/jobo/schemas';

const field = (name: string, extra: Partial<FormField> = {}): FormField => ({
  name,
  label: name,
  type: 'text',
  required: true,
  options: null,
  description: null,
  max_length: null,
  accept: null,
  ...extra,
});

const live = (session_id: string, status: string, extra: Partial<LiveSessionState> = {}): LiveSessionState => ({
  session_id,
  provider_id: 'greenhouse',
  provider_name: 'Greenhouse',
  status,
  is_terminal: ['submitted', 'expired', 'error', 'redirect_required', 'captcha_required'].includes(status),
  error: null,
  current_url: `https://boards.example/${session_id}`,
  validation_errors: [],
  fields: status === 'form_ready' ? [field('name'), field('email', { type: 'email' })] : [],
  redirect_url: null,
  redirect_provider_id: null,
  ...extra,
});

const jobo = (type: string, message: string, fields: unknown[] = []) =>
  ApplicationFailure.create({ type, message, nonRetryable: true, details: [{ fields }] });

const tick = () => new Promise<void>((r) => setImmediate(r));

interface Script {
  start?: (jobUrl: string, n: number) => LiveSessionState | Promise<LiveSessionState>;
  submit?: (n: number, answers: SessionAnswers['answers']) => LiveSessionState | Promise<LiveSessionState>;
  getSession?: (sessionId: string) => string;
}

function harness(script: Script = {}) {
  const log: string[] = [];
  const open = new Set<string>();
  const ended: string[] = [];
  const published: string[] = [];
  let starts = 0;
  let submits = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  let idle = false;
  let handlers = 0;
  const ports: SessionPorts = {
    workflowId: 'interactive-session/abc-1',
    createKey: (which) => `key/${which}`,
    async startSession(req) {
      log.push(`start ${req.jobUrl} ${req.idempotencyKey}`);
      return (script.start ?? ((_, n) => live(`s${n}`, 'form_ready')))(req.jobUrl, ++starts);
    },
    async submitAnswers(req) {
      log.push(`submit ${req.idempotencyKey}`);
      maxConcurrent = Math.max(maxConcurrent, ++concurrent);
      try {
        await tick();
        return await (script.submit ?? (() => live(req.sessionId, 'submitted')))(++submits, req.answers);
      } finally {
        concurrent--;
      }
    },
    async getSession({ sessionId }) {
      log.push(`get ${sessionId}`);
      return { state: script.getSession?.(sessionId) ?? 'running' } as never;
    },
    sessions: {
      add: (id) => void open.add(id),
      forget: (id) => void open.delete(id),
      async end(id) {
        if (open.delete(id)) ended.push(id);
      },
      async endAll() {
        for (const id of [...open]) await this.end(id);
      },
    },
    publish: (status, provider) => void published.push(`${status}${provider ? `/${provider}` : ''}`),
    patched: () => true,
    async condition(ready, timeoutMs) {
      for (;;) {
        if (ready()) return true;
        if (timeoutMs !== undefined && idle) {
          idle = false;
          return false;
        }
        await tick();
      }
    },
    allHandlersFinished: () => handlers === 0,
    warn: () => undefined,
  };
  const driver = new SessionDriver({ jobUrl: 'https://boards.example/job/1' }, ports);
  const track = <T>(p: Promise<T>) => {
    handlers++;
    return p.finally(() => handlers--);
  };
  return {
    driver,
    log,
    open,
    ended,
    published,
    maxConcurrent: () => maxConcurrent,
    running: driver.run(),
    update: (a: SessionAnswers) => track(driver.onUpdate(a)),
    signal: (a: SessionAnswers) => track(driver.onSignal(a)),
    expireIdle: () => void (idle = true),
    /** Until the view shows a page to answer (the driver's start is async). */
    async settled(): Promise<SessionView> {
      while (driver.view.status === 'starting') await tick();
      return driver.view;
    },
  };
}

const good = { answers: { name: 'Ada', email: 'ada@example.com' } };

test('answers on the last page submit once, finish submitted and end the upstream session', async () => {
  const h = harness();
  expect((await h.settled()).status).toBe('form_ready');
  const view = await h.update({ ...good, page: 1 });
  expect(view).toMatchObject({ outcome: 'submitted', status: 'submitted', is_terminal: true, pages_answered: 1, page: 2 });
  expect(await h.running).toMatchObject({ outcome: 'submitted', session_id: 's1', hops: 0, pages_answered: 1, detail: null });
  expect(h.log).toEqual(['start https://boards.example/job/1 key/hop-0', 'submit interactive-session/abc-1/s1/1']);
  expect(h.ended).toEqual(['s1']);
  expect(h.published).toEqual(['form_ready/greenhouse', 'submitted/greenhouse']);
});

test('validation errors from the upstream keep the page; the next submit has the next idempotency key', async () => {
  const h = harness({
    submit: (n) =>
      n === 1 ? live('s1', 'form_ready', { validation_errors: [{ field: 'email', message: 'taken' }] }) : live('s1', 'submitted'),
  });
  await h.settled();
  expect(await h.update(good)).toMatchObject({ page: 1, pages_answered: 0, validation_errors: [{ field: 'email', message: 'taken' }] });
  await h.update(good);
  await h.running;
  expect(h.log.filter((l) => l.startsWith('submit'))).toEqual([
    'submit interactive-session/abc-1/s1/1',
    'submit interactive-session/abc-1/s1/2',
  ]);
});

test('invalid answers are refused per field before anything reaches the upstream', () => {
  const view: SessionView = {
    ...initialView('https://a.example/1'),
    status: 'form_ready',
    fields: [field('name'), field('email', { type: 'email' })],
  };
  expect(answerProblems(view, { answers: { name: 'Ada' } }).map((p) => p.field)).toEqual(['email']);
  expect(answerProblems(view, { answers: good.answers, page: 2 }).map((p) => p.field)).toEqual(['page']);
  expect(answerProblems(view, { nope: 1 }).map((p) => p.field)).toEqual(['answers']);
  expect(answerProblems(initialView('https://a.example/1'), good)[0].message).toMatch(/starting/);
  expect(answerProblems({ ...view, status: 'redirect_required' }, good)[0].message).toMatch(/redirect/);
  expect(answerProblems({ ...view, outcome: 'ended', is_terminal: true }, good)[0].message).toMatch(/over/);
});

test('a redirect ends the first upstream session and opens the next with its own key; more than 3 is an error', async () => {
  const chain = harness({
    start: (url, n) =>
      n < 3 ? live(`s${n}`, 'redirect_required', { redirect_url: `https://hop.example/${n}` }) : live(`s${n}`, 'form_ready'),
  });
  expect(await chain.settled()).toMatchObject({ status: 'form_ready', hops: 2, session_id: 's3', page: 1 });
  expect(chain.log).toEqual([
    'start https://boards.example/job/1 key/hop-0',
    'start https://hop.example/1 key/hop-1',
    'start https://hop.example/2 key/hop-2',
  ]);
  expect(chain.ended).toEqual(['s1', 's2']);
  chain.expireIdle();
  await chain.running;

  const loop = harness({ start: (_, n) => live(`s${n}`, 'redirect_required', { redirect_url: `https://hop.example/${n}` }) });
  expect(await loop.running).toMatchObject({ outcome: 'error', hops: 3, detail: expect.stringMatching(/more than 3 redirects/) });
  expect(loop.ended).toEqual(['s1', 's2', 's3', 's4']);
  expect(loop.open.size).toBe(0);
});

test('answers the form refused come back per field and the session goes on', async () => {
  const h = harness({
    submit: (n) =>
      n === 1 ? Promise.reject(jobo('JoboBadRequest', 'bad', [{ field: 'name', message: 'too short' }])) : live('s1', 'submitted'),
  });
  await h.settled();
  const err = await h.update(good).catch((e: unknown) => e);
  expect(err).toMatchObject({ type: 'AnswersRejectedUpstream', details: [[{ field: 'name', message: 'too short' }]] });
  expect(h.driver.view).toMatchObject({ outcome: null, validation_errors: [{ field: 'name', message: 'too short' }] });
  await h.update(good);
  expect((await h.running).outcome).toBe('submitted');
});

test('a 409 after the upstream completed the form finishes submitted; after it closed the session, expired', async () => {
  const done = harness({ submit: () => Promise.reject(jobo('JoboConflict', 'session_terminal')), getSession: () => 'completed' });
  await done.settled();
  expect(await done.update(good)).toMatchObject({ outcome: 'submitted', pages_answered: 1 });
  expect(done.ended).toEqual([]); // the upstream ended it itself
  await done.running;

  const closed = harness({ submit: () => Promise.reject(jobo('JoboConflict', 'session_terminal')), getSession: () => 'closed' });
  await closed.settled();
  expect(await closed.update(good).catch((e: unknown) => e)).toMatchObject({ type: 'SessionClosed' });
  expect(await closed.running).toMatchObject({ outcome: 'expired', detail: expect.stringMatching(/upstream session expired/) });
});

test('a submit that keeps failing asks the upstream first, then says the answers can be sent again', async () => {
  const h = harness({ submit: () => Promise.reject(jobo('JoboUnavailable', '503')), getSession: () => 'running' });
  await h.settled();
  expect(await h.update(good).catch((e: unknown) => e)).toMatchObject({ type: 'SubmitFailed' });
  expect(h.driver.view.error).toMatch(/can be sent again/);
  expect(h.log.slice(-1)).toEqual(['get s1']);
  h.expireIdle();
  await h.running;
});

test('submissions take the lock one at a time: a second update for the same page waits and is then refused', async () => {
  const h = harness({ submit: () => live('s1', 'form_ready', { fields: [field('next')] }) });
  await h.settled();
  const [first, second] = await Promise.allSettled([h.update({ ...good, page: 1 }), h.update({ ...good, page: 1 })]);
  expect(first).toMatchObject({ status: 'fulfilled', value: { page: 2 } });
  expect(second).toMatchObject({ status: 'rejected', reason: { type: 'InvalidAnswers' } });
  expect(h.maxConcurrent()).toBe(1);
  h.expireIdle();
  await h.running;
});

test('a signal with bad answers is shown in the view and not submitted', async () => {
  const h = harness();
  await h.settled();
  await h.signal({ answers: { name: 'Ada' } });
  expect(h.driver.view.validation_errors.map((p) => p.field)).toEqual(['email']);
  expect(h.log.some((l) => l.startsWith('submit'))).toBe(false);
  await h.signal(good);
  expect((await h.running).outcome).toBe('submitted');
});

test('idle expiry, the end signal and a failed start each finish the session and leave nothing open', async () => {
  const idle = harness();
  await idle.settled();
  idle.expireIdle();
  expect(await idle.running).toMatchObject({ outcome: 'expired', detail: 'no answers for 30 minutes' });
  expect(idle.ended).toEqual(['s1']);

  const ended = harness();
  await ended.settled();
  ended.driver.onEnd('person left');
  expect(await ended.running).toMatchObject({ outcome: 'ended', status: 'ended', detail: 'person left' });
  expect(ended.ended).toEqual(['s1']);

  const failed = harness({ start: () => Promise.reject(jobo('JoboUnauthorized', 'bad key')) });
  expect(await failed.running).toMatchObject({ outcome: 'error', detail: 'could not start the session: JoboUnauthorized: bad key' });
});
