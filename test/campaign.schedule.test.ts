// Pure: campaign schedules across daylight-saving changes, and campaign input validation.
import { validateCampaignInput } from '../src/campaign/input';
import { nextRunAt, type CampaignSchedule } from '../src/campaign/schedule';

const H = 3_600_000;

/** Every instant a schedule produces in [from, to), by chaining nextRunAt. */
function chain(schedule: CampaignSchedule, from: Date, to: Date): string[] {
  const out: string[] = [];
  for (let t = nextRunAt(schedule, from); t < to; t = nextRunAt(schedule, t)) out.push(t.toISOString());
  return out;
}

/** Expected instants computed independently: UTC days, a fixed local time and the zone's known 2027 rules. */
function expected(from: Date, to: Date, keep: (day: Date) => boolean, utcHourOf: (day: Date) => number): string[] {
  const out: string[] = [];
  for (let d = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()); d < to.getTime(); d += 24 * H) {
    const day = new Date(d);
    if (!keep(day)) continue;
    const at = new Date(d + utcHourOf(day) * H);
    if (at > from && at < to) out.push(at.toISOString());
  }
  return out;
}

const from = new Date('2027-01-01T00:00:00Z');
const to = new Date('2028-01-01T00:00:00Z');

test('weekly Monday/Wednesday 09:00 America/New_York over 2027: 14:00Z in EST, 13:00Z in EDT (Mar 14 .. Nov 7)', () => {
  const schedule: CampaignSchedule = {
    pattern: 'weekly',
    daysOfWeek: ['monday', 'wednesday'],
    time: '09:00',
    timezone: 'America/New_York',
  };
  const edt = (day: Date) => day >= new Date('2027-03-14T00:00:00Z') && day < new Date('2027-11-07T00:00:00Z');
  const want = expected(
    from,
    to,
    (d) => d.getUTCDay() === 1 || d.getUTCDay() === 3,
    (d) => (edt(d) ? 13 : 14),
  );
  const got = chain(schedule, from, to);
  expect(got).toEqual(want);
  expect(got).toHaveLength(104);
  // Around the changes: the Monday after each, and the Wednesday before.
  expect(got).toContain('2027-03-10T14:00:00.000Z');
  expect(got).toContain('2027-03-15T13:00:00.000Z');
  expect(got).toContain('2027-11-03T13:00:00.000Z');
  expect(got).toContain('2027-11-08T14:00:00.000Z');
});

test('daily 09:00 Europe/Berlin over 2027: 08:00Z in CET, 07:00Z in CEST (Mar 28 .. Oct 31)', () => {
  const schedule: CampaignSchedule = { pattern: 'daily', time: '09:00', timezone: 'Europe/Berlin' };
  const cest = (day: Date) => day >= new Date('2027-03-28T00:00:00Z') && day < new Date('2027-10-31T00:00:00Z');
  const got = chain(schedule, from, to);
  expect(got).toEqual(
    expected(
      from,
      to,
      () => true,
      (d) => (cest(d) ? 7 : 8),
    ),
  );
  expect(got).toHaveLength(365);
  expect(got.slice(got.indexOf('2027-03-27T08:00:00.000Z'), got.indexOf('2027-03-27T08:00:00.000Z') + 2)).toEqual([
    '2027-03-27T08:00:00.000Z',
    '2027-03-28T07:00:00.000Z',
  ]);
});

test('a local time in the spring-forward gap runs at the transition; one in the fall-back overlap runs at its first occurrence', () => {
  const berlin = (time: string): CampaignSchedule => ({ pattern: 'daily', time, timezone: 'Europe/Berlin' });
  const ny = (time: string): CampaignSchedule => ({ pattern: 'daily', time, timezone: 'America/New_York' });
  // Berlin 2027-03-28 02:00..03:00 does not exist: 02:30 runs at 03:00 CEST = 01:00Z.
  expect(nextRunAt(berlin('02:30'), new Date('2027-03-27T12:00:00Z')).toISOString()).toBe('2027-03-28T01:00:00.000Z');
  // ...and the next day is normal again.
  expect(nextRunAt(berlin('02:30'), new Date('2027-03-28T01:00:00Z')).toISOString()).toBe('2027-03-29T00:30:00.000Z');
  // Berlin 2027-10-31 02:30 happens twice (CEST, then CET): the first, 00:30Z; not again at 01:30Z.
  expect(nextRunAt(berlin('02:30'), new Date('2027-10-30T12:00:00Z')).toISOString()).toBe('2027-10-31T00:30:00.000Z');
  expect(nextRunAt(berlin('02:30'), new Date('2027-10-31T00:30:00Z')).toISOString()).toBe('2027-11-01T01:30:00.000Z');
  // New York 2027-03-14 02:30 does not exist: 03:00 EDT = 07:00Z. 2027-11-07 01:30 happens twice: 05:30Z first.
  expect(nextRunAt(ny('02:30'), new Date('2027-03-13T12:00:00Z')).toISOString()).toBe('2027-03-14T07:00:00.000Z');
  expect(nextRunAt(ny('01:30'), new Date('2027-11-06T12:00:00Z')).toISOString()).toBe('2027-11-07T05:30:00.000Z');
  expect(nextRunAt(ny('01:30'), new Date('2027-11-07T05:30:00Z')).toISOString()).toBe('2027-11-08T06:30:00.000Z');
});

test('monthly runs on dayOfMonth, or on the last day of shorter months; "after" is strict', () => {
  const s: CampaignSchedule = { pattern: 'monthly', dayOfMonth: 31, time: '00:15', timezone: 'Asia/Tokyo' };
  expect(chain(s, new Date('2027-01-01T00:00:00Z'), new Date('2027-05-01T00:00:00Z'))).toEqual([
    '2027-01-30T15:15:00.000Z', // Jan 31 00:15 JST
    '2027-02-27T15:15:00.000Z', // Feb 28
    '2027-03-30T15:15:00.000Z',
    '2027-04-29T15:15:00.000Z', // Apr 30
  ]);
  const daily: CampaignSchedule = { pattern: 'daily', time: '09:00', timezone: 'UTC' };
  expect(nextRunAt(daily, new Date('2027-06-01T09:00:00Z')).toISOString()).toBe('2027-06-02T09:00:00.000Z');
  expect(nextRunAt(daily, new Date('2027-06-01T08:59:59.999Z')).toISOString()).toBe('2027-06-01T09:00:00.000Z');
});

describe('validateCampaignInput', () => {
  const profile = '8b0c3c8e-2f7e-4a43-9d59-0c1a0d6f7a11';
  const job = { companyName: 'Acme', title: 'Engineer', jobId: 'j-1', link: 'https://boards.greenhouse.io/acme/jobs/1' };

  test('valid inputs of each type pass', () => {
    expect(validateCampaignInput({ campaignId: 'c1', type: 'run_once', candidateProfileId: profile, jobs: [job] })).toEqual([]);
    expect(
      validateCampaignInput({
        campaignId: 'c2',
        type: 'autopilot_recurring',
        candidateProfileId: profile,
        schedule: { pattern: 'weekly', daysOfWeek: ['monday', 'wednesday'], time: '09:00', timezone: 'America/New_York' },
        filters: { jobTitle: 'Software Engineer', location: ['San Francisco, CA'], workType: ['Remote'], salaryMin: 100000 },
        limits: { maxJobsPerRun: 25, concurrency: 2 },
        overrideEmail: 'me@example.com',
        searchId: 'srch_1',
      }),
    ).toEqual([]);
  });

  test('every bad field is named', () => {
    const problems = validateCampaignInput({
      campaignId: 'bad id!',
      type: 'autopilot_recurring',
      candidateProfileId: 'nope',
      schedule: { pattern: 'weekly', daysOfWeek: ['funday'], time: '9am', timezone: 'Mars/Olympus' },
      filters: { workType: ['Remote', 'Anywhere'], postedWithinDays: 0, colour: 'red' },
      limits: { maxJobsPerRun: 101, concurrency: 0 },
      overrideEmail: 'not-an-email',
      extra: 1,
    }).map((p) => p.field);
    expect(problems).toEqual([
      'campaignId',
      'candidateProfileId',
      'filters.workType[1]',
      'filters.postedWithinDays',
      'filters.colour',
      'schedule.daysOfWeek[0]',
      'schedule.time',
      'schedule.timezone',
      'limits.maxJobsPerRun',
      'limits.concurrency',
      'overrideEmail',
      'extra',
    ]);
  });

  test('run_once jobs: 1..100, each with companyName, title, jobId and an absolute http(s) link', () => {
    const base = { campaignId: 'c', type: 'run_once', candidateProfileId: profile };
    expect(validateCampaignInput({ ...base, jobs: [] }).map((p) => p.field)).toEqual(['jobs']);
    expect(validateCampaignInput({ ...base, jobs: Array.from({ length: 101 }, () => job) }).map((p) => p.field)).toEqual(['jobs']);
    const fields = validateCampaignInput({
      ...base,
      jobs: [
        job,
        { companyName: '', title: 'x', jobId: 'has space', link: 'ftp://x' },
        { ...job, link: `https://x.example/${'a'.repeat(2000)}` },
      ],
    }).map((p) => p.field);
    expect(fields).toEqual(['jobs[1].companyName', 'jobs[1].jobId', 'jobs[1].link', 'jobs[2].link']);
    expect(
      validateCampaignInput({ ...base, jobs: [job], schedule: { pattern: 'daily', time: '09:00', timezone: 'UTC' } }).map((p) => p.field),
    ).toEqual(['schedule']);
  });

  test('schedule: daysOfWeek only and required for weekly, dayOfMonth for monthly', () => {
    const base = { campaignId: 'c', type: 'autopilot_recurring', candidateProfileId: profile, filters: {} };
    const fields = (schedule: unknown) => validateCampaignInput({ ...base, schedule }).map((p) => p.field);
    expect(fields({ pattern: 'weekly', time: '09:00', timezone: 'UTC' })).toEqual(['schedule.daysOfWeek']);
    expect(fields({ pattern: 'monthly', time: '09:00', timezone: 'UTC' })).toEqual(['schedule.dayOfMonth']);
    expect(fields({ pattern: 'daily', daysOfWeek: ['monday'], time: '24:00', timezone: 'UTC' })).toEqual([
      'schedule.daysOfWeek',
      'schedule.time',
    ]);
    expect(fields({ pattern: 'hourly', time: '09:00', timezone: 'Europe/Berlin' })).toEqual(['schedule.pattern']);
  });
});
