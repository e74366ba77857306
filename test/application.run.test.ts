/**
 * The application's decisions without a server: ApplicationState (src/application/state.ts) is plain
 * data and rules, so every branch the workflow takes on answers, reviews and upstream states is checked
 * here in milliseconds. The workflow's commands are covered by the e2e and replay tests.
 */
import type { FormField, LiveSessionState } from '../src/jobo/schemas';
import type { ApplicationInput } from '../src/application/input';
import { ApplicationState, personWall } from '../src/application/state';

const PROFILE = '3f4768b8-6120-42a1-b4f5-2832ef06ce01';
const T0 = Date.parse('2026-12-01T10:00:00Z');

function field(name: string, over: Partial<FormField> = {}): FormField {
  return {
    name,
    label: `${name} label`,
    type: 'text',
    required: true,
    options: null,
    description: null,
    max_length: null,
    accept: null,
    ...over,
  };
}

const TEAM = field('team', {
  type: 'select',
  options: [
    { value: 'eng', label: 'Engineering' },
    { value: 'ops', label: 'Operations' },
  ],
});
const NAME = field('name');
const NOTE = field('note', { required: false });

function stateOf(input: Partial<ApplicationInput> = {}, v2 = true) {
  let clock = T0;
  const s = new ApplicationState(
    { profileId: PROFILE, jobUrl: 'https://jobs.lever.co/acme/1/apply', ...input },
    { workflowId: `application/${PROFILE}/k`, runStartedAt: new Date(T0).toISOString(), v2, now: () => clock },
  );
  return { s, tick: (ms: number) => (clock += ms) };
}

function live(over: Partial<LiveSessionState> = {}): LiveSessionState {
  return {
    session_id: 's1',
    provider_id: 'lever',
    provider_name: 'Lever',
    status: 'form_ready',
    is_terminal: false,
    error: null,
    current_url: 'https://jobs.lever.co/acme/1/apply?step=2',
    validation_errors: [],
    fields: [NAME, TEAM],
    redirect_url: null,
    redirect_provider_id: null,
    ...over,
  };
}

describe('answers', () => {
  test("a person's answer wins over the caller's (by name, then label), which wins over the profile's", () => {
    const { s } = stateOf({ answers: { 'name label': 'Caller by label', team: 'ops' } });
    expect(s.merge([NAME, TEAM, NOTE], { name: 'Profile', team: 'eng', note: 'n' })).toEqual({
      name: 'Caller by label',
      team: 'ops',
      note: 'n',
    });
    s.given.team = 'eng';
    expect(s.merge([TEAM], {})).toEqual({ team: 'eng' });
  });

  test("missing: required fields without a valid answer, with the engine's reason, and fields the form rejected", () => {
    const { s } = stateOf();
    s.fill([NAME, TEAM, NOTE], { name: 'Ada' });
    expect([...s.missingOf(new Map([['team', 'Which team: no answer in the profile']]))]).toEqual([
      ['team', 'Which team: no answer in the profile'],
    ]);
    s.rejected.set('name', 'too short');
    expect(s.missingOf(new Map()).get('name')).toBe('rejected by the form: too short');
  });

  test('answers are refused when nothing is asked, when the payload is not answers, for another page, or incomplete/invalid', () => {
    const { s } = stateOf({ policy: 'ask' });
    s.fill([NAME, TEAM], { name: 'Ada' });
    expect(s.answerProblems({ answers: { team: 'eng' } })).toEqual([
      { field: '(application)', message: 'no answers are being asked for (status QUEUED)' },
    ]);
    s.openQuestion(s.missingOf(new Map()));
    expect(s.answerProblems({ answers: ['x'] }).map((p) => p.field)).toEqual(['answers']);
    expect(s.answerProblems({ answers: { team: 'eng' }, page: 3 }).map((p) => p.field)).toEqual(['page']);
    expect(s.answerProblems({ answers: {} }).map((p) => p.field)).toEqual(['team', 'team']);
    expect(s.answerProblems({ answers: { team: 'marketing' } })).toEqual([expect.objectContaining({ field: 'team' })]);
    expect(s.answerProblems({ answers: { team: 'eng' }, page: 1 })).toEqual([]);
  });

  test('answerQuestion: `remember` may name only fields answered here; what is remembered carries label, type and options', () => {
    const { s } = stateOf({ policy: 'ask' });
    s.fill([NAME, TEAM], { name: 'Ada' });
    s.openQuestion(s.missingOf(new Map()));
    expect(s.questionProblems({ answers: { team: 'eng' }, remember: 'team' as unknown as string[] }).map((p) => p.field)).toEqual([
      'remember',
    ]);
    expect(s.questionProblems({ answers: { team: 'eng' }, remember: ['name', 'age'] }).map((p) => p.field)).toEqual([
      'remember.name',
      'remember.age',
    ]);
    expect(s.questionProblems({ answers: { team: 'eng' }, remember: ['team'] })).toEqual([]);
    expect(s.toRemember({ answers: { team: 'eng' }, remember: ['team'] })).toEqual([
      { label: 'team label', type: 'select', options: TEAM.options, value: 'eng' },
    ]);
  });

  test("taking answers closes the question, clears the form's refusal and counts", () => {
    const { s } = stateOf({ policy: 'ask' });
    s.fill([TEAM], {});
    s.rejected.set('team', 'bad');
    s.openQuestion(s.missingOf(new Map()));
    s.take({ answers: { team: 'ops' } });
    expect([s.view.awaiting, s.rejected.size, s.answered, s.given]).toEqual([null, 0, 1, { team: 'ops' }]);
  });
});

describe('person tasks', () => {
  test('a question shows the asked fields with why and the rule, and the ledger update names it', () => {
    const { s } = stateOf({ policy: 'ask', answerDeadlineMinutes: 60, campaignId: 'c1', job: { title: 'Engineer', companyName: 'Acme' } });
    s.fill([NAME, TEAM], { name: 'Ada' });
    const task = s.openQuestion(s.missingOf(new Map([['team', 'no team in the profile']])));
    expect(task).toMatchObject({
      kind: 'question',
      application_id: `application/${PROFILE}/k`,
      campaign_id: 'c1',
      job_title: 'Engineer',
      company_name: 'Acme',
      page: 1,
      fields: [expect.objectContaining({ name: 'team', page: 1, reason: 'no team in the profile', rule: 'team (team label) is required' })],
      live_url: null,
      asked_at: '2026-12-01T10:00:00.000Z',
      deadline: '2026-12-01T11:00:00.000Z',
    });
    expect(s.view.waiting_for).toBe('question');
    expect(s.ledgerUpdate()).toMatchObject({ awaitingKind: 'question', awaitingUntil: '2026-12-01T11:00:00.000Z' });
    s.closeTask();
    expect([s.task, s.view.waiting_for, s.ledgerUpdate().awaitingKind, s.ledgerUpdate().awaitingUntil]).toEqual([null, null, null, null]);
  });

  test('a review shows every field sent and the page about to be submitted, with the answers', () => {
    const { s } = stateOf({ policy: 'review' });
    s.fill([NAME], { name: 'Ada' });
    expect(s.afterSubmit(live({ status: 'submit_ready', fields: [TEAM, NOTE] }))).toBeNull();
    s.fill([TEAM, NOTE], { team: 'eng' });
    const task = s.openReview();
    expect(task.kind).toBe('review');
    expect(task.page).toBe(2);
    expect(task.fields.map((f) => [f.name, f.page, f.reason])).toEqual([
      ['name', 1, 'sent with page 1'],
      ['team', 2, 'to be submitted on approval'],
      ['note', 2, 'to be submitted on approval'],
    ]);
    expect(task.answers).toEqual({ name: 'Ada', team: 'eng' });
    expect(s.ledgerUpdate()).toMatchObject({ awaitingKind: 'review', awaitingUntil: task.deadline });
  });

  test('approveReview: changes must be fields of the page under review and valid; approved changes are what is submitted', () => {
    const { s } = stateOf({ policy: 'review' });
    expect(s.reviewProblems({})).toEqual([expect.objectContaining({ field: '(application)' })]);
    s.fill([NAME], { name: 'Ada' });
    s.afterSubmit(live({ status: 'submit_ready', fields: [TEAM] }));
    s.fill([TEAM], { team: 'eng' });
    s.openReview();
    expect(s.reviewProblems({ answers: { name: 'Bob' } })).toEqual([
      { field: 'name', message: 'name was sent with page 1 and cannot change now' },
    ]);
    expect(s.reviewProblems({ answers: { age: 3 } })).toEqual([{ field: 'age', message: 'age is not a field of this form' }]);
    expect(s.reviewProblems({ answers: { team: 'marketing' } })).toEqual([expect.objectContaining({ field: 'team' })]);
    expect(s.reviewProblems({ answers: 'x' })).toEqual([expect.objectContaining({ field: 'answers' })]);
    expect(s.reviewProblems({ answers: { team: 'ops' } })).toEqual([]);
    s.approve({ answers: { team: 'ops' } });
    expect(s.current.answers).toEqual({ team: 'ops' });
    expect(s.verdict).toEqual({ approved: true });
    expect(s.reviewProblems({})).toEqual([expect.objectContaining({ field: '(application)' })]); // decided once
  });

  test('rejectReview: only while a review is pending; the reason is checked and kept', () => {
    const { s } = stateOf({ policy: 'review' });
    expect(s.rejectProblems({})).toEqual([expect.objectContaining({ field: '(application)' })]);
    s.fill([TEAM], { team: 'eng' });
    s.openReview();
    expect(s.rejectProblems({ reason: 7 })).toEqual([expect.objectContaining({ field: 'reason' })]);
    expect(s.rejectProblems({ reason: 'wrong team' })).toEqual([]);
    s.reject({ reason: 'wrong team' });
    expect(s.verdict).toEqual({ approved: false, reason: 'wrong team' });
  });

  test('review stops before a submit that may be the final one, for policy review only', () => {
    expect(stateOf({ policy: 'review' }).s.needsReview({ status: 'submit_ready' })).toBe(true);
    expect(stateOf({ policy: 'review' }).s.needsReview({ status: 'form_ready' })).toBe(true); // 001: a first page may be the last
    expect(stateOf({ policy: 'review' }).s.needsReview({ status: 'next_available' })).toBe(false);
    expect(stateOf({ policy: 'ask' }).s.needsReview({ status: 'submit_ready' })).toBe(false);
  });

  test('needs_person keeps the live URL and stays open', () => {
    const { s } = stateOf();
    const task = s.openNeedsPerson('https://jobs.lever.co/acme/1/apply?step=2');
    expect(task).toMatchObject({ kind: 'needs_person', live_url: 'https://jobs.lever.co/acme/1/apply?step=2', fields: [] });
    expect(s.ledgerUpdate()).toMatchObject({ awaitingKind: 'needs_person', awaitingUntil: null });
  });
});

describe('upstream states', () => {
  test("captcha and login walls: the reserved statuses, or `error` with the upstream's message (001 today)", () => {
    expect(personWall({ status: 'captcha_required', error: null })).toBe(true);
    expect(personWall({ status: 'login_required', error: null })).toBe(true);
    expect(personWall({ status: 'error', error: 'A captcha challenge blocked the submission' })).toBe(true);
    expect(personWall({ status: 'error', error: 'Please log in to continue' })).toBe(true);
    expect(personWall({ status: 'error', error: 'The application form returned an error on submit' })).toBe(false);
  });

  test('terminal states: submitted, expired (retry), a wall (needs_person when parking is on), else failed', () => {
    const { s } = stateOf();
    const captcha = live({ status: 'error', is_terminal: true, error: 'A captcha challenge blocked the submission' });
    expect(s.terminalOutcome(live({ status: 'submitted', is_terminal: true }), true)).toEqual({
      kind: 'submitted',
      url: 'https://jobs.lever.co/acme/1/apply?step=2',
    });
    expect(s.terminalOutcome(live({ status: 'expired', is_terminal: true }), true)).toEqual({
      kind: 'retry',
      error: 'the upstream session expired',
    });
    expect(s.terminalOutcome(captcha, true)).toMatchObject({ kind: 'needs_person', url: captcha.current_url });
    expect(s.terminalOutcome(captcha, false)).toEqual({ kind: 'failed', error: 'A captcha challenge blocked the submission' });
    expect(s.terminalOutcome(live({ status: 'error', is_terminal: true }), true)).toEqual({
      kind: 'failed',
      error: 'the application ended with status error',
    });
  });

  test('an unknown submit outcome: completed is submitted, failed/closed is a new try, anything else undecided', () => {
    const { s } = stateOf();
    expect(s.reconciled('completed', 'lost')).toEqual({ kind: 'submitted', url: 'https://jobs.lever.co/acme/1/apply' });
    expect(s.reconciled('closed', 'lost')).toEqual({ kind: 'retry', error: 'the upstream session expired: lost' });
    expect(s.reconciled('failed', 'lost')).toEqual({ kind: 'retry', error: 'the upstream session failed: lost' });
    expect(s.reconciled('running', 'lost')).toBeNull();
    expect(s.reconciled(null, 'lost')).toBeNull();
  });

  test('a response with refusals keeps the page; refusals of fields it lacks mean it moved on (v2 only); a form-level refusal fails', () => {
    const { s } = stateOf();
    s.fill([NAME, TEAM], { name: 'Ada', team: 'eng' });
    expect(s.afterSubmit(live({ status: 'form_ready', validation_errors: [{ field: 'team', message: 'no' }] }))).toBeNull();
    expect([s.page, [...s.rejected]]).toEqual([1, [['team', 'no']]]);
    // The next page refusing the resent answers as fields it does not have: that page is answered now.
    expect(
      s.afterSubmit(live({ status: 'submit_ready', fields: [NOTE], validation_errors: [{ field: 'name', message: 'not a field' }] })),
    ).toBeNull();
    expect([s.page, s.pagesAnswered, s.rejected.size]).toEqual([2, 1, 0]);
    const legacy = stateOf({}, false).s;
    legacy.fill([NAME], { name: 'Ada' });
    expect(legacy.afterSubmit(live({ fields: [NOTE], validation_errors: [{ field: 'name', message: 'not a field' }] }))).toMatchObject({
      kind: 'failed',
    });
    s.fill([NOTE], {});
    expect(s.afterSubmit(live({ fields: [NOTE], validation_errors: [{ field: 'x', message: 'broken form' }] }))).toEqual({
      kind: 'failed',
      error: 'the form rejected the answers: x: broken form',
    });
  });

  test("the view starts QUEUED with the job key of the run's version", () => {
    const v2 = stateOf({ jobId: 'ref-1' }).s.view;
    const v1 = stateOf({ jobId: 'ref-1' }, false).s.view;
    expect([v2.status, v2.job_ref, v2.waiting_for, v2.policy]).toEqual(['QUEUED', 'ref-1', null, 'skip']);
    expect(v1.job_id).toBe('ref-1');
    expect(v2.job_id).not.toBe('ref-1');
  });
});
