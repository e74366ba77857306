/**
 * CampaignRunner without a server: every decision the campaign workflow makes (entries for the jobs found,
 * stop, outcomes and their accounting, policies, waiting applications off the slots, the schedule,
 * continue-as-new) on plain objects, with a fake clock.
 */
import { applicationWorkflowId, type ApplicationView } from '../src/application/input';
import type { CampaignInput, CandidateJob } from '../src/campaign/input';
import { CampaignRunner, RUNS_PER_GENERATION, policyProblems } from '../src/campaign/runner';

const PROFILE = '8b0c3c8e-2f7e-4a43-9d59-0c1a0d6f7a11';
const job = (n: number, link = `https://jobs.lever.co/acme/job-${n}`): CandidateJob => ({
  jobId: `ref-${n}`,
  title: `Job ${n}`,
  companyName: 'Acme',
  link,
});

function runnerFor(input: Partial<CampaignInput> = {}, opts: { jobKeys?: boolean; person?: boolean } = {}) {
  const statuses: string[] = [];
  let t = Date.parse('2026-03-01T09:00:00Z');
  const runner = new CampaignRunner(
    { campaignId: 'c1', type: 'run_once', candidateProfileId: PROFILE, jobs: [job(1)], ...input },
    {
      workflowId: 'campaign/c1',
      jobKeys: opts.jobKeys ?? true,
      person: opts.person ?? true,
      now: () => new Date((t += 1000)).toISOString(),
      onStatus: (s) => statuses.push(s),
    },
  );
  return { runner, statuses };
}

const view = (status: ApplicationView['status'], more: Partial<ApplicationView> = {}) =>
  ({ status, provider: 'lever', result: null, error: null, from_ledger: false, ...more }) as ApplicationView;

describe('a run', () => {
  it('queues one application per job; the same job twice is one application whose twin reports its outcome', () => {
    const { runner } = runnerFor();
    const run = runner.startRun(null);
    // The same posting under two spellings of its URL is one job.
    runner.enqueue(run, [job(1), job(2), job(3, 'https://jobs.lever.co/acme/job-1?utm_source=x')], 'a@b.example');
    expect(runner.queue.map((q) => q.job.jobId)).toEqual(['ref-1', 'ref-2']);
    expect(runner.state.stats).toMatchObject({ totalRuns: 1, jobsQueued: 2 });
    const twin = runner.state.applications[2];
    expect(twin).toMatchObject({ status: 'PROCESSING', same_job_as: applicationWorkflowId({ profileId: PROFILE, jobUrl: job(1).link }) });

    const first = runner.takeNext()!;
    runner.begin(first.entry, run);
    expect(runner.childFinished(first.entry, run, view('SUCCESS', { result: { confirmationUrl: 'https://c' } }))).toEqual({
      kind: 'settled',
    });
    expect(twin).toMatchObject({ status: 'SUCCESS', result: { confirmationUrl: 'https://c' } });
    expect(runner.state.stats).toMatchObject({ totalApplications: 1, successfulApplications: 1, jobsQueued: 1 });
  });

  it('campaigns before job keys key by the caller id and drop a twin', () => {
    const { runner } = runnerFor({}, { jobKeys: false, person: false });
    const run = runner.startRun(null);
    runner.enqueue(run, [job(1), { ...job(1), title: 'again' }], null);
    expect(runner.state.applications).toHaveLength(1);
    expect(runner.state.applications[0].applicationId).toBe(`application/${PROFILE}/ref-1`);
  });

  it('accounts each outcome: failed, a limit refusal (not an application), parked for a person, unconfirmed to the ledger', () => {
    const { runner } = runnerFor();
    const run = runner.startRun(null);
    runner.enqueue(run, [job(1), job(2), job(3), job(4)], null);
    const [a, b, c, d] = [1, 2, 3, 4].map(() => runner.takeNext()!);
    for (const q of [a, b, c, d]) runner.begin(q.entry, run);
    runner.childFinished(a.entry, run, view('FAILED', { error: 'required fields the profile cannot answer: age' }));
    runner.childFinished(b.entry, run, view('FAILED', { error: 'limit_reached: monthly limit of 10' }));
    runner.childFinished(c.entry, run, view('NEEDS_PERSON', { error: 'captcha_required' }));
    expect(runner.childFinished(d.entry, run, view('UNCONFIRMED'))).toEqual({ kind: 'ask-ledger' });
    expect(d.entry.status).toBe('UNCONFIRMED');
    runner.ledgerSettled(d.entry, run, {
      status: 'SUCCESS',
      error: null,
      confirmationUrl: 'https://ok',
      provider: 'lever',
      awaitingUntil: null,
    });

    expect(runner.failedNotice(a.entry)).toBe(true);
    expect(runner.failedNotice(b.entry)).toBe(false);
    expect(runner.state.stats).toMatchObject({
      totalApplications: 3,
      successfulApplications: 1,
      failedApplications: 1,
      limitReachedApplications: 1,
      needsPersonApplications: 1,
    });
    expect(run.stats).toEqual({
      jobsFound: 0,
      applicationsAttempted: 3,
      applicationsSuccessful: 1,
      applicationsFailed: 1,
      applicationsLimitReached: 1,
    });
  });

  it('a duplicate takes the ledger outcome; none in time is FAILED saying so', () => {
    const { runner } = runnerFor();
    const run = runner.startRun(null);
    runner.enqueue(run, [job(1), job(2)], null);
    const [a, b] = [runner.takeNext()!, runner.takeNext()!];
    runner.duplicateSettled(a.entry, run, {
      status: 'FAILED',
      error: 'form closed',
      confirmationUrl: null,
      provider: 'lever',
      awaitingUntil: null,
    });
    runner.duplicateSettled(b.entry, run, null);
    expect(a.entry).toMatchObject({ status: 'FAILED', error: 'already attempted: form closed', already_applied: true });
    expect(b.entry.error).toMatch(/did not finish in time/);
    const c = runnerFor().runner;
    const run2 = c.startRun(null);
    c.enqueue(run2, [job(3)], null);
    const parked = c.takeNext()!;
    c.duplicateSettled(parked.entry, run2, {
      status: 'NEEDS_PERSON',
      error: 'captcha_required',
      confirmationUrl: null,
      provider: 'workday',
      awaitingUntil: null,
    });
    expect(parked.entry.status).toBe('NEEDS_PERSON');
    expect(c.state.stats).toMatchObject({ needsPersonApplications: 1, failedApplications: 0 });
  });

  it('stop cancels what is queued (twins too), marks the run cancelled and is said once', () => {
    const { runner, statuses } = runnerFor();
    const run = runner.startRun(null);
    runner.enqueue(run, [job(1), job(2), job(2, 'https://jobs.lever.co/acme/job-2#apply')], null);
    runner.begin(runner.takeNext()!.entry, run);
    runner.stop();
    runner.stop();
    expect(statuses).toEqual(['cancelled']);
    expect(run.status).toBe('cancelled');
    expect(runner.state.applications.map((a) => a.status)).toEqual(['PROCESSING', 'CANCELLED', 'CANCELLED']);
    expect(runner.takeNext()).toBeUndefined();
    expect(runner.state.stats.jobsQueued).toBe(0);
  });

  it('a failed search fails a one-off campaign, saying why; the run is trimmed to the kept window when it ends', () => {
    const { runner, statuses } = runnerFor({ type: 'autopilot_once', jobs: undefined, filters: {} });
    const run = runner.startRun(null);
    runner.runFailed(run, 'StoreUnavailable: down');
    runner.finishRun(run);
    expect(statuses).toEqual(['failed']);
    expect(runner.state.error).toBe('run run-1 failed: StoreUnavailable: down');
    expect(run.completedAt).not.toBeNull();
  });
});

describe('policies and a person in the loop', () => {
  it('skip (the default) starts applications as before; ask and review carry the deadline in minutes; setPolicy applies to later ones', () => {
    const { runner } = runnerFor();
    expect(runner.applicationInput(job(1))).toEqual({
      profileId: PROFILE,
      jobUrl: job(1).link,
      jobId: 'ref-1',
      job: { title: 'Job 1', companyName: 'Acme' },
      campaignId: 'c1',
      policy: 'skip',
    });
    expect(runner.view()).toMatchObject({ policy: 'skip', personDeadlineHours: 72 });
    expect(runner.state.stats.waitingForPerson).toBeUndefined(); // skip campaigns keep their stats shape

    runner.setPolicy({ policy: 'ask', personDeadlineHours: 2 });
    expect(runner.applicationInput(job(2))).toMatchObject({ policy: 'ask', answerDeadlineMinutes: 120 });
    expect(runner.state.stats).toMatchObject({ waitingForPerson: 0, needsPersonApplications: 0 });
    runner.setPolicy({ policy: 'review' });
    expect(runner.applicationInput(job(3))).toMatchObject({ policy: 'review', answerDeadlineMinutes: 120 });

    const review = runnerFor({ policy: 'ask', personDeadlineHours: 1 / 60 }).runner;
    expect(review.applicationInput(job(1))).toMatchObject({ policy: 'ask', answerDeadlineMinutes: 1 });
  });

  it('campaigns started before policies always apply with skip and show no policy', () => {
    const { runner } = runnerFor({ policy: 'ask' }, { person: false });
    expect(runner.applicationInput(job(1)).policy).toBe('skip');
    expect(runner.view().policy).toBeUndefined();
  });

  it('the setPolicy validator names each bad field', () => {
    expect(policyProblems({ policy: 'ask', personDeadlineHours: 72 })).toEqual([]);
    expect(policyProblems({ policy: 'maybe', personDeadlineHours: 0, extra: 1 }).map((p) => p.field)).toEqual([
      'policy',
      'personDeadlineHours',
      'extra',
    ]);
    expect(policyProblems({}).map((p) => p.field)).toEqual(['policy']);
    expect(policyProblems({ policy: 'ask', personDeadlineHours: 169 }).map((p) => p.field)).toEqual(['personDeadlineHours']);
  });

  it('an application waiting for a person gives its slot up and takes it back when it goes on', () => {
    const { runner } = runnerFor({ policy: 'ask', limits: { concurrency: 2 } });
    const run = runner.startRun(null);
    runner.enqueue(
      run,
      [1, 2, 3, 4].map((n) => job(n)),
      null,
    );
    const a = runner.takeNext()!;
    const b = runner.takeNext()!;
    runner.begin(a.entry, run);
    runner.begin(b.entry, run);
    expect(runner.mayStart()).toBe(false);

    expect(runner.applicationWaiting({ applicationId: a.entry.applicationId, waitingFor: 'question' })).toBe(true);
    expect(runner.mayStart()).toBe(true);
    expect(runner.state.stats.waitingForPerson).toBe(1);
    expect(a.entry.waiting_for).toBe('question');
    expect(runner.applicationWaiting({ applicationId: 'application/elsewhere', waitingFor: 'review' })).toBe(false);

    const c = runner.takeNext()!;
    runner.begin(c.entry, run);
    expect(runner.mayStart()).toBe(false);
    runner.applicationWaiting({ applicationId: a.entry.applicationId, waitingFor: null }); // answered: it goes on with a slot
    expect(runner.busy).toBe(3);
    runner.childFinished(a.entry, run, view('SUCCESS'));
    runner.childFinished(b.entry, run, view('SUCCESS'));
    expect(runner.mayStart()).toBe(true);
    expect(runner.state.stats.waitingForPerson).toBe(0);
    expect(a.entry.waiting_for).toBeNull();
  });

  it('a settled application that was waiting leaves the waiting count; a paused campaign starts nothing', () => {
    const { runner } = runnerFor({ policy: 'review' });
    const run = runner.startRun(null);
    runner.enqueue(run, [job(1)], null);
    const a = runner.takeNext()!;
    runner.begin(a.entry, run);
    runner.applicationWaiting({ applicationId: a.entry.applicationId, waitingFor: 'review' });
    runner.childFinished(a.entry, run, view('CANCELLED', { error: 'review rejected' }));
    expect(runner.state.stats.waitingForPerson).toBe(0);
    expect(runner.state.stats.failedApplications).toBe(1);
    runner.pause();
    expect(runner.mayStart()).toBe(false);
  });

  it('delivery ids are deterministic and carried across continue-as-new', () => {
    const { runner } = runnerFor();
    expect([runner.nextDeliveryId(), runner.nextDeliveryId()]).toEqual(['campaign/c1/event-1', 'campaign/c1/event-2']);
    const next = runner.continued();
    const again = new CampaignRunner(next, {
      workflowId: 'campaign/c1',
      jobKeys: true,
      person: true,
      now: () => '2026-03-02T00:00:00Z',
      onStatus: () => {},
    });
    expect(again.nextDeliveryId()).toBe('campaign/c1/event-3');
  });
});

describe('the schedule and continue-as-new', () => {
  const recurring = {
    type: 'autopilot_recurring' as const,
    jobs: undefined,
    filters: {},
    schedule: { pattern: 'daily' as const, time: '09:00', timezone: 'UTC' },
  };

  it('the next tick counts from the last tick run, never before it; paused shows none', () => {
    const { runner } = runnerFor(recurring);
    const now = Date.parse('2026-03-01T10:00:00Z');
    expect(runner.nextTick(now).toISOString()).toBe('2026-03-02T09:00:00.000Z');
    runner.state.scheduleFrom = '2026-03-05T09:00:00.000Z';
    expect(runner.nextTick(now).toISOString()).toBe('2026-03-06T09:00:00.000Z');
    expect(runner.state.stats.nextRunAt).toBe('2026-03-06T09:00:00.000Z');
    runner.pause();
    runner.nextTick(now);
    expect(runner.state.stats.nextRunAt).toBeNull();
  });

  it('continues as new every RUNS_PER_GENERATION runs (or when suggested) with the same settings and the state', () => {
    const { runner } = runnerFor({ ...recurring, policy: 'ask' });
    expect(runner.shouldContinueAsNew(RUNS_PER_GENERATION - 1, false)).toBe(false);
    expect(runner.shouldContinueAsNew(RUNS_PER_GENERATION, false)).toBe(true);
    expect(runner.shouldContinueAsNew(1, true)).toBe(true);
    runner.setPolicy({ policy: 'review' });
    const next = runner.continued();
    expect(next).toMatchObject({
      campaignId: 'c1',
      type: 'autopilot_recurring',
      policy: 'ask',
      carried: { generations: 1, policy: 'review' },
    });
    runner.stop();
    expect(runner.shouldContinueAsNew(RUNS_PER_GENERATION, true)).toBe(false);
  });
});

describe('daily pacing (ours)', () => {
  it('a paced application shows QUEUED with its next attempt; nextRunAt is the earliest window only while nothing else runs; stop clears it', () => {
    const { runner } = runnerFor();
    const run = runner.startRun(null);
    runner.enqueue(run, [job(1), job(2), job(3)], null);
    const [a, b, c] = [1, 2, 3].map(() => runner.takeNext()!);
    for (const q of [a, b, c]) runner.begin(q.entry, run);
    expect(runner.state.stats.pacedApplications).toBeUndefined(); // absent until one waits
    expect(runner.applicationPaced({ applicationId: a.entry.applicationId, nextAttemptAt: '2026-03-02T05:00:00.000Z' })).toBe(true);
    expect(a.entry).toMatchObject({ status: 'QUEUED', next_attempt_at: '2026-03-02T05:00:00.000Z' });
    // b and c still run: the campaign is not idle, nextRunAt stays the schedule's (none for a run-once).
    expect(runner.state.stats).toMatchObject({ pacedApplications: 1, nextRunAt: null });
    runner.applicationPaced({ applicationId: b.entry.applicationId, nextAttemptAt: '2026-03-02T04:00:00.000Z' });
    runner.childFinished(c.entry, run, view('SUCCESS'));
    expect(runner.state.stats).toMatchObject({ pacedApplications: 2, nextRunAt: '2026-03-02T04:00:00.000Z' });
    // b goes on after its window: no longer idle.
    runner.applicationPaced({ applicationId: b.entry.applicationId, nextAttemptAt: null });
    expect(b.entry).toMatchObject({ status: 'PROCESSING', next_attempt_at: null });
    expect(runner.state.stats).toMatchObject({ pacedApplications: 1, nextRunAt: null });
    runner.childFinished(b.entry, run, view('SUCCESS'));
    expect(runner.state.stats).toMatchObject({ pacedApplications: 1, nextRunAt: '2026-03-02T05:00:00.000Z' });
    expect(runner.applicationPaced({ applicationId: 'application/someone/else', nextAttemptAt: '2026-03-02T05:00:00.000Z' })).toBe(false);
    runner.stop();
    expect(runner.state.stats.nextRunAt).toBeNull();
    runner.childFinished(a.entry, run, view('SUCCESS'));
    expect(a.entry).toMatchObject({ status: 'SUCCESS', next_attempt_at: null });
    expect(runner.state.stats).toMatchObject({ pacedApplications: 0, nextRunAt: null, successfulApplications: 3 });
  });
});
