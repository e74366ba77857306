/**
 * Voluntary self-identification (EEO). Absent or prefer_not_to_say means the person declines (003), so
 * these pick the form's decline option rather than going to a person.
 */
import type { Profile } from '../../jobo/schemas';
import { miss, type Fact, type Rule } from '../types';

type SelfId = Profile['self_identification'];

const PNTS = 'prefer_not_to_say';
const DECLINE: Fact = { kind: 'decline' };

const GENDER: Record<string, string[]> = {
  male: ['male', 'man'],
  female: ['female', 'woman'],
  non_binary: ['non binary', 'nonbinary', 'genderqueer', 'gender non conforming'],
  other: ['other', 'self describe', 'prefer to self describe'],
};

const ETHNICITY: Record<string, string[]> = {
  american_indian_or_alaska_native: [
    'american indian or alaska native',
    'american indian or alaskan native',
    'native american',
    'american indian',
    'alaska native',
  ],
  asian: ['asian'],
  black_or_african_american: ['black or african american', 'black', 'african american'],
  hispanic_or_latino: ['hispanic or latino', 'hispanic', 'latino', 'latina', 'latinx'],
  native_hawaiian_or_pacific_islander: [
    'native hawaiian or other pacific islander',
    'native hawaiian or pacific islander',
    'pacific islander',
    'native hawaiian',
  ],
  white: ['white', 'caucasian'],
  two_or_more_races: ['two or more races', 'two or more', 'multiracial', 'multiple races', 'mixed'],
};

const label = (key: string) => key.replace(/_/g, ' ');

function choiceOrDecline(value: string | null | undefined, synonyms: Record<string, string[]>): Fact {
  if (!value || value === PNTS) return DECLINE;
  return { kind: 'choice', text: label(value), terms: synonyms[value] ?? [label(value)] };
}

/** A yes/no self-identification: `yes` is the value meaning "yes", anything else known means "no". */
function yesNoOrDecline(value: string | null | undefined, yes: string): Fact {
  if (!value || value === PNTS) return DECLINE;
  return { kind: 'bool', value: value === yes };
}

const selfId = (p: Profile): SelfId => p.self_identification ?? {};

export const eeoRules: Rule[] = [
  {
    id: 'lgbtq',
    test: /\b(lgbt\w*|sexual orientation|queer)\b/,
    types: ['select', 'boolean'],
    resolve: ({ profile }) => yesNoOrDecline(selfId(profile).lgbtq_status, 'yes'),
  },
  {
    // "Are you Hispanic/Latino?" is asked apart from race on US forms.
    id: 'hispanic',
    test: /\b(hispanic|latino|latina|latinx)\b/,
    types: ['select', 'boolean'],
    resolve: ({ profile }) => yesNoOrDecline(selfId(profile).ethnicity, 'hispanic_or_latino'),
  },
  {
    id: 'ethnicity',
    test: /\b(race|races|racial|ethnicity|ethnic)\b/,
    types: ['select', 'multi_select'],
    resolve: ({ profile }) => choiceOrDecline(selfId(profile).ethnicity, ETHNICITY),
  },
  {
    id: 'gender',
    test: /\b(gender|sex)\b/,
    types: ['select'],
    resolve: ({ profile }) => choiceOrDecline(selfId(profile).gender, GENDER),
  },
  {
    id: 'veteran',
    test: /\b(veteran|military|armed forces)\b/,
    types: ['select', 'boolean'],
    resolve: ({ profile }) => yesNoOrDecline(selfId(profile).veteran_status, 'protected_veteran'),
  },
  {
    id: 'disability',
    test: /\b(disability|disabilities|disabled)\b/,
    types: ['select', 'boolean'],
    resolve: ({ profile }) => yesNoOrDecline(selfId(profile).disability_status, 'has_disability'),
  },
  {
    id: 'pronouns',
    test: /\bpronouns?\b/,
    resolve: () => miss('the profile has no pronouns'),
  },
];
