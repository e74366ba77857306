/** Work authorization, sponsorship, age, pay, start date, relocation, workplace preference, today's date. */
import {
  ageOn,
  canonicalCountry,
  convertPeriod,
  countriesMentioned,
  groupThousands,
  requestedCurrency,
  requestedPeriod,
  toIsoDate,
  type Period,
} from '../normalize';
import { bool, date, miss, type Choice, type Fact, type Miss, type Rule, type RuleInput } from '../types';

const isIso = (s: string | undefined): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s);

/** Authorized for the country the question names, or (when it names none) for the country the person lives in. */
function workAuthorization({ profile, wording }: RuleInput): Fact | Miss {
  const authorized = (profile.eligibility.work_authorized_countries ?? []).map((c) => canonicalCountry(c) ?? c);
  if (authorized.length === 0) return miss('the profile lists no countries it is authorized to work in');
  const named = countriesMentioned(wording);
  if (named.length > 0) return { kind: 'bool', value: named.every((c) => authorized.includes(c)) };
  const home = profile.location.country ? (canonicalCountry(profile.location.country) ?? profile.location.country) : null;
  if (home && authorized.includes(home)) return { kind: 'bool', value: true };
  return miss('the question does not say which country, and the profile is not authorized where it lives');
}

const PERIOD_WORDS: Record<Period, string> = { year: 'per year', month: 'per month', week: 'per week', day: 'per day', hour: 'per hour' };

/** The salary expectation in the currency and period the question asks; a different currency is not converted. */
function salary({ profile, field, wording }: RuleInput): Fact | Miss {
  const s = profile.preferences.salary_expectation;
  if (!s) return miss('the profile has no salary expectation');
  const currency = requestedCurrency(wording);
  if (currency && currency !== s.currency) return miss(`the salary expectation is in ${s.currency}; the question asks in ${currency}`);
  const period = requestedPeriod(wording) ?? s.period;
  const amount = Math.round(convertPeriod(s.amount, s.period, period) * (period === 'hour' ? 100 : 1)) / (period === 'hour' ? 100 : 1);
  const words = field.type === 'number' ? String(amount) : `${groupThousands(amount)} ${s.currency} ${PERIOD_WORDS[period]}`;
  return { kind: 'number', value: amount, exact: amount, text: words };
}

const ARRANGEMENTS: Record<'remote' | 'hybrid' | 'onsite', Choice> = {
  remote: { text: 'Remote', terms: ['remote', 'fully remote', 'work from home', 'wfh'] },
  hybrid: { text: 'Hybrid', terms: ['hybrid'] },
  onsite: { text: 'On-site', terms: ['on site', 'onsite', 'in office', 'office', 'in person'] },
};

function workplace({ profile, field }: RuleInput): Fact | Miss {
  const pref = profile.preferences.remote_preference;
  if (!pref) return miss('the profile has no remote/hybrid/on-site preference');
  if (pref !== 'no_preference') return { kind: 'choice', ...ARRANGEMENTS[pref] };
  // Open to anything: every arrangement where several may be picked, "no preference" where one must be.
  return field.type === 'multi_select'
    ? { kind: 'choices', items: Object.values(ARRANGEMENTS) }
    : { kind: 'choice', text: 'No preference', terms: ['no preference', 'any', 'flexible', 'open to all', 'either'] };
}

export const eligibilityRules: Rule[] = [
  {
    id: 'sponsorship',
    test: /\b(sponsor|sponsorship|visa)\b/,
    types: ['boolean', 'select', 'text'],
    resolve: ({ profile }) => bool(profile.eligibility.requires_sponsorship, 'the profile does not say whether it needs sponsorship'),
  },
  {
    id: 'work_authorization',
    test: /\b(authori[sz]ed to work|eligible to work|legally (able|permitted|entitled) to work|right to work|work authori[sz]ation|work permit|permitted to work)\b/,
    types: ['boolean', 'select', 'text'],
    resolve: workAuthorization,
  },
  {
    id: 'age_18',
    test: /\b(18 years|eighteen|at least 18|over 18|legal age|age of majority)\b/,
    types: ['boolean', 'select'],
    resolve: ({ profile, ctx }) => {
      const dob = profile.contact?.date_of_birth;
      if (!dob) return miss('the profile has no date of birth');
      if (!isIso(ctx.today)) return miss("today's date is needed to work out the age");
      return { kind: 'bool', value: ageOn(dob, ctx.today) >= 18 };
    },
  },
  {
    id: 'date_of_birth',
    test: /\b(date of birth|birth ?date|birthday|dob)\b/,
    types: ['date', 'text'],
    resolve: ({ profile }) => date(profile.contact?.date_of_birth ?? null, 'the profile has no date of birth'),
  },
  {
    id: 'salary',
    test: /\b(salary|compensation|pay|remuneration|wages?|(hourly|daily|day|desired) rate|rate expectations?)\b/,
    types: ['number', 'text', 'select'],
    resolve: salary,
  },
  {
    id: 'start_date',
    test: /\b(start date|available to start|availability|earliest (available )?(start )?date|when (can|could|would) you start|date available|available from)\b/,
    types: ['date', 'text'],
    resolve: ({ profile, ctx }) => {
      const start = toIsoDate(profile.preferences.earliest_start_date);
      if (!start) return miss('the profile has no earliest start date');
      // A start date already past means "now".
      return { kind: 'date', iso: isIso(ctx.today) && ctx.today > start ? ctx.today : start };
    },
  },
  {
    id: 'relocation',
    test: /\brelocat\w*\b/,
    types: ['boolean', 'select', 'text'],
    resolve: ({ profile }) => bool(profile.preferences.willing_to_relocate, 'the profile does not say whether it would relocate'),
  },
  {
    id: 'preferred_locations',
    test: /\b(preferred (work )?locations?|locations? (you would|would you|you are open|are you open))\b/,
    types: ['multi_select', 'select', 'text'],
    resolve: ({ profile }) => {
      const places = profile.preferences.preferred_locations ?? [];
      return places.length > 0
        ? { kind: 'choices', items: places.map((p) => ({ text: p, terms: [p, p.split(',')[0]] })) }
        : miss('the profile has no preferred locations');
    },
  },
  {
    id: 'workplace',
    test: /\b(remote|hybrid|on site|onsite|in office|work arrangements?|workplace|work model|work setting)\b/,
    types: ['select', 'multi_select', 'text'],
    resolve: workplace,
  },
  {
    id: 'today',
    test: /\b(today|todays date|date signed|signature date|current date)\b/,
    types: ['date', 'text'],
    resolve: ({ ctx }) => (isIso(ctx.today) ? { kind: 'date', iso: ctx.today } : miss("today's date was not given")),
  },
];
