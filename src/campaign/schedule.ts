/**
 * When a recurring campaign runs next: a local wall-clock time in an IANA zone, turned into instants with
 * Intl (no date library, so the workflow bundle can use it). Pure and deterministic for a given tzdata.
 *
 * DST rules: a local time that does not exist (spring-forward gap) runs at the first valid instant after
 * it, i.e. the transition itself; a local time that happens twice (fall-back overlap) runs at the first.
 */

export const DAYS_OF_WEEK = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];
export type SchedulePattern = 'daily' | 'weekly' | 'monthly';

export interface CampaignSchedule {
  pattern: SchedulePattern;
  /** weekly only: the days it runs on (lower-case English names, as reference 002). */
  daysOfWeek?: DayOfWeek[];
  /** monthly only: 1..31; months without that day run on their last day. */
  dayOfMonth?: number;
  /** Local time, HH:MM (24 h). */
  time: string;
  /** IANA zone, e.g. America/New_York. */
  timezone: string;
}

export const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

// Intl formatters are expensive to build; one per zone for the life of the process (or workflow isolate).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The problem with an IANA zone name, or null when Intl knows it. */
export function timezoneProblem(timeZone: unknown): string | null {
  if (typeof timeZone !== 'string' || timeZone.length === 0) return 'required: an IANA time zone such as America/New_York';
  try {
    formatterFor(timeZone);
    return null;
  } catch {
    return `unknown time zone ${JSON.stringify(timeZone)} (expected an IANA name such as Europe/Berlin)`;
  }
}

/** The zone's wall clock at `t`, as if it were UTC (ms). */
function wallClock(timeZone: string, t: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(t))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

/** UTC offset of the zone at `t` in ms (local = utc + offset), to the minute. */
function offsetAt(timeZone: string, t: number): number {
  const whole = Math.floor(t / 1000) * 1000;
  return wallClock(timeZone, whole) - whole;
}

/**
 * The instant of a local wall-clock time (`local` is that wall clock as a UTC ms number) in `timeZone`.
 * Overlap: the earlier instant. Gap: the transition (the first instant whose local time is past it).
 */
export function zonedInstant(timeZone: string, local: number): number {
  // Offsets change at most by a day's worth; the ones around `local` are all that can apply.
  const offsets = new Set([offsetAt(timeZone, local - DAY), offsetAt(timeZone, local), offsetAt(timeZone, local + DAY)]);
  const valid = [...offsets].map((o) => local - o).filter((t) => offsetAt(timeZone, t) === local - t);
  if (valid.length) return Math.min(...valid);
  // Gap: every candidate maps elsewhere. Binary search (minutes) for the transition between them.
  const candidates = [...offsets].map((o) => local - o);
  let lo = Math.min(...candidates);
  let hi = Math.max(...candidates);
  const before = offsetAt(timeZone, lo);
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (offsetAt(timeZone, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

function matches(schedule: CampaignSchedule, day: Date): boolean {
  switch (schedule.pattern) {
    case 'daily':
      return true;
    case 'weekly':
      return (schedule.daysOfWeek ?? []).includes(DAYS_OF_WEEK[day.getUTCDay()]);
    case 'monthly': {
      const want = Math.min(schedule.dayOfMonth ?? 1, daysInMonth(day.getUTCFullYear(), day.getUTCMonth()));
      return day.getUTCDate() === want;
    }
  }
}

/** The first scheduled instant strictly after `after`. */
export function nextRunAt(schedule: CampaignSchedule, after: Date): Date {
  const m = TIME_OF_DAY.exec(schedule.time);
  if (!m) throw new RangeError(`schedule.time must be HH:MM (got ${JSON.stringify(schedule.time)})`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  const t = after.getTime();
  const local = wallClock(schedule.timezone, t);
  // Start a day early: near a transition the local date at `after` and the run's date may differ.
  const first = Math.floor(local / DAY) * DAY - DAY;
  for (let d = first; d <= first + 400 * DAY; d += DAY) {
    const day = new Date(d);
    if (!matches(schedule, day)) continue;
    const at = zonedInstant(schedule.timezone, d + minutes * MINUTE);
    if (at > t) return new Date(at);
  }
  throw new RangeError('the schedule never runs (weekly without daysOfWeek?)');
}
