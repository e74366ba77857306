/**
 * The engine's vocabulary. A rule recognises a question and resolves it to a Fact (what the profile says,
 * independent of how the form asks); render.ts then turns the Fact into the field's type and options.
 */
import type { FileAnswer, FormField, Profile } from '../jobo/schemas';

export interface AnswerContext {
  job?: { title?: string; companyName?: string; url?: string };
  /** YYYY-MM-DD. Needed for "today's date", age and current-job durations; there is no clock in here. */
  today?: string;
}

/** A value with the words that identify it among a select's options. */
export interface Choice {
  text: string;
  terms: string[];
  /**
   * Lesser matches, tried group by group only when no option matches `terms` ("Company Website", then
   * "Other", when a form has no job-board option). Within a group, as in `terms`, exact beats contained.
   */
  fallbacks?: string[][];
}

export type Fact =
  | { kind: 'text'; text: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'date'; iso: string }
  /** `value` for number fields, `exact` to pick a range option, `text` for text fields. */
  | { kind: 'number'; value: number; exact: number; text: string }
  | ({ kind: 'choice' } & Choice)
  | { kind: 'choices'; items: Choice[] }
  /** An EEO question the person declines to answer. */
  | { kind: 'decline' }
  | { kind: 'file'; file: FileAnswer };

/** Why a question was left for a person. */
export interface Miss {
  miss: string;
}

export const miss = (reason: string): Miss => ({ miss: reason });
export const isMiss = (x: unknown): x is Miss => typeof x === 'object' && x !== null && 'miss' in x;

export interface RuleInput {
  profile: Profile;
  field: FormField;
  ctx: AnswerContext;
  /** The field's label and description as written (formats, currencies, countries are read from it). */
  wording: string;
}

export interface Rule {
  id: string;
  /** Tested against the normalised field name and label (see normalize.norm). */
  test: RegExp;
  /** Restricts the rule to these field types. */
  types?: FormField['type'][];
  resolve(input: RuleInput): Fact | Miss;
}

/** Shorthands for rules. */
export const text = (value: string | null | undefined, missing: string): Fact | Miss =>
  value && value.trim() ? { kind: 'text', text: value.trim() } : miss(missing);
export const bool = (value: boolean | null | undefined, missing: string): Fact | Miss =>
  typeof value === 'boolean' ? { kind: 'bool', value } : miss(missing);
export const date = (iso: string | null, missing: string): Fact | Miss => (iso ? { kind: 'date', iso } : miss(missing));
