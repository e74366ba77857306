/**
 * Value normalisation for the answer engine: comparable text, dates, phone numbers, durations, money.
 * Pure functions, no locale or clock: the same input gives the same answer in a workflow and in a test.
 */
import { COUNTRY_ALIASES, US_STATES } from './places';

/** Lower-case words: "Bachelor's Degree" → "bachelors degree", "urls[LinkedIn]" → "urls linkedin". */
export function norm(s: string): string {
  return s
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^a-z0-9+]+/g, ' ')
    .trim();
}

/** Whole-word containment of a normalised phrase. */
export function hasWords(haystack: string, phrase: string): boolean {
  if (phrase.length === 0) return false;
  return ` ${haystack} `.includes(` ${phrase} `);
}

// ---------------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------------

export interface YearMonth {
  year: number;
  month: number;
}

/** "2021-03" / "2021" / "2021-03-15" → year and month; a bare year means January (or December for an end). */
export function parseYearMonth(s: string | null | undefined, end = false): YearMonth | null {
  if (!s) return null;
  const m = /^(\d{4})(?:-(\d{2}))?(?:-\d{2})?$/.exec(s.trim());
  if (!m) return null;
  const month = m[2] ? Number(m[2]) : end ? 12 : 1;
  return month >= 1 && month <= 12 ? { year: Number(m[1]), month } : null;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A profile date (YYYY, YYYY-MM or YYYY-MM-DD) as a full YYYY-MM-DD; partial dates mean the first day. */
export function toIsoDate(s: string | null | undefined): string | null {
  if (!s) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  const ym = parseYearMonth(s);
  return ym ? `${ym.year}-${pad(ym.month)}-01` : null;
}

export type DateFormat = 'YYYY-MM-DD' | 'MM/DD/YYYY' | 'DD/MM/YYYY' | 'MM/YYYY' | 'YYYY';

/** The date format a field's label or description asks for; ISO unless it says otherwise. */
export function requestedDateFormat(text: string): DateFormat {
  const t = text.toUpperCase();
  if (t.includes('MM/DD/YYYY')) return 'MM/DD/YYYY';
  if (t.includes('DD/MM/YYYY')) return 'DD/MM/YYYY';
  if (t.includes('MM/YYYY')) return 'MM/YYYY';
  return 'YYYY-MM-DD';
}

export function formatDate(iso: string, format: DateFormat): string {
  const [y, m, d] = iso.split('-');
  switch (format) {
    case 'MM/DD/YYYY':
      return `${m}/${d}/${y}`;
    case 'DD/MM/YYYY':
      return `${d}/${m}/${y}`;
    case 'MM/YYYY':
      return `${m}/${y}`;
    case 'YYYY':
      return y;
    default:
      return iso;
  }
}

/** Whole years from an ISO birth date to an ISO today. */
export function ageOn(birthIso: string, todayIso: string): number {
  const [by, bm, bd] = birthIso.split('-').map(Number);
  const [ty, tm, td] = todayIso.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

/** Months covered by date ranges, overlaps counted once (both ends inclusive, by month). */
export function monthsCovered(ranges: { from: YearMonth; to: YearMonth }[]): number {
  const index = (ym: YearMonth) => ym.year * 12 + (ym.month - 1);
  const spans = ranges
    .map((r) => [index(r.from), index(r.to)] as const)
    .filter(([a, b]) => b >= a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let cursor = -Infinity;
  for (const [a, b] of spans) {
    const start = Math.max(a, cursor);
    if (b >= start) total += b - start + 1;
    cursor = Math.max(cursor, b + 1);
  }
  return total;
}

// ---------------------------------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------------------------------

export interface PhoneNumber {
  countryCode: string;
  national: string;
}

/** Length of the E.164 country code at the start of `digits` (ITU zones: 1 and 7 are one digit, ...). */
function countryCodeLength(digits: string): number {
  const two = Number(digits.slice(0, 2));
  switch (digits[0]) {
    case '1':
    case '7':
      return 1;
    case '2':
      return two === 20 || two === 27 ? 2 : 3;
    case '3':
      return [30, 31, 32, 33, 34, 36, 39].includes(two) ? 2 : 3;
    case '4':
      return two === 42 ? 3 : 2;
    case '5':
      return two >= 51 && two <= 58 ? 2 : 3;
    case '6':
      return two >= 60 && two <= 66 ? 2 : 3;
    case '8':
      return [81, 82, 84, 86].includes(two) ? 2 : 3;
    case '9':
      return (two >= 90 && two <= 95) || two === 98 ? 2 : 3;
    default:
      return 3;
  }
}

/**
 * Splits a profile phone number. Without a leading + a ten-digit number is taken as North American when
 * the profile lives in the US or Canada; anything else is kept as a national number of unknown country.
 */
export function parsePhone(raw: string, homeCountry: string | null | undefined): PhoneNumber | null {
  const digits = raw.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return null;
  if (raw.trim().startsWith('+') || raw.trim().startsWith('00')) {
    const d = raw.trim().startsWith('00') ? digits.slice(2) : digits;
    const n = countryCodeLength(d);
    return { countryCode: d.slice(0, n), national: d.slice(n) };
  }
  const home = canonicalCountry(homeCountry ?? '');
  if ((home === 'United States' || home === 'Canada') && digits.length === 10) return { countryCode: '1', national: digits };
  if ((home === 'United States' || home === 'Canada') && digits.length === 11 && digits[0] === '1') {
    return { countryCode: '1', national: digits.slice(1) };
  }
  return { countryCode: '', national: digits };
}

/** North American numbers grouped 3-3-4, others in groups of three or four. */
export function groupNational(p: PhoneNumber): string {
  const n = p.national;
  if (p.countryCode === '1' && n.length === 10) return `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
  const groups: string[] = [];
  let rest = n;
  while (rest.length > 4) {
    groups.push(rest.slice(0, 3));
    rest = rest.slice(3);
  }
  return [...groups, rest].join(' ');
}

/** E.164 when the country is known (+14155550100), otherwise the national digits. */
export function e164(p: PhoneNumber): string {
  return p.countryCode ? `+${p.countryCode}${p.national}` : p.national;
}

/** Whether a field asks for the number without its country code. */
export function wantsNationalNumber(text: string): boolean {
  const t = norm(text);
  return (
    /\b(without|no|excluding|exclude)( the)? (country|international) (code|prefix)\b/.test(t) || /\bnational (number|format)\b/.test(t)
  );
}

// ---------------------------------------------------------------------------------------------------
// Places
// ---------------------------------------------------------------------------------------------------

/** The alias group of a country name or code, or null. */
export function countryAliases(name: string): readonly string[] | null {
  const n = norm(name);
  return COUNTRY_ALIASES.find((group) => group.some((a) => norm(a) === n)) ?? null;
}

export function canonicalCountry(name: string): string | null {
  return countryAliases(name)?.[0] ?? null;
}

/**
 * The countries a question names. Two/three-letter codes only count in capitals ("US", not "us" in
 * "hear about us").
 */
export function countriesMentioned(text: string): string[] {
  const n = norm(text);
  return COUNTRY_ALIASES.filter((group) =>
    group.some((alias) =>
      alias.replace(/\./g, '').length <= 3
        ? new RegExp(`\\b${alias.replace(/\./g, '\\.?')}(?![A-Za-z])`).test(text)
        : hasWords(n, norm(alias)),
    ),
  ).map((group) => group[0]);
}

/** "TX" or "Texas" → both spellings; other regions as given. */
export function stateAliases(state: string): string[] {
  const n = norm(state);
  const hit = US_STATES.find(([code, name]) => norm(code) === n || norm(name) === n);
  return hit ? [hit[1], hit[0]] : [state];
}

// ---------------------------------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------------------------------

export type Period = 'year' | 'month' | 'week' | 'day' | 'hour';

// Full-time conventions: 52 weeks, 260 working days, 2080 hours a year.
const PER_YEAR: Record<Period, number> = { year: 1, month: 12, week: 52, day: 260, hour: 2080 };

export function convertPeriod(amount: number, from: Period, to: Period): number {
  return (amount * PER_YEAR[from]) / PER_YEAR[to];
}

/** The pay period a question asks about, if it says. */
export function requestedPeriod(text: string): Period | null {
  const t = norm(text);
  if (/\b(annual|annually|yearly|per year|a year|per annum|yr)\b/.test(t)) return 'year';
  if (/\b(hourly|per hour|an hour|hour)\b/.test(t)) return 'hour';
  if (/\b(monthly|per month|a month)\b/.test(t)) return 'month';
  if (/\b(weekly|per week|a week)\b/.test(t)) return 'week';
  if (/\b(daily|per day|a day|day rate)\b/.test(t)) return 'day';
  return null;
}

const CURRENCY_SYMBOLS: [RegExp, string][] = [
  [/\$/, 'USD'],
  [/€/, 'EUR'],
  [/£/, 'GBP'],
];
const CURRENCY_CODES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'INR', 'CHF', 'JPY', 'SEK', 'NOK', 'DKK', 'PLN'];

/** The currency a question asks in, if it says ("(USD)", "in €"). */
export function requestedCurrency(text: string): string | null {
  const code = CURRENCY_CODES.find((c) => new RegExp(`\\b${c}\\b`, 'i').test(text));
  if (code) return code;
  return CURRENCY_SYMBOLS.find(([re]) => re.test(text))?.[1] ?? null;
}

/** 120000 → "120,000" (no Intl: the output must not depend on the runtime's locale data). */
export function groupThousands(n: number): string {
  const [int, frac] = String(Math.round(n * 100) / 100).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac ? `${grouped}.${frac}` : grouped;
}
