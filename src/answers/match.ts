/**
 * Picking select options by meaning rather than by exact value: forms word the same answer many ways
 * ("Yes" / "Yes, I have a disability (or previously had one)" / "I identify as a protected veteran"),
 * hide it behind opaque values ("1", "USA-TX"), and qualify it in parentheses ("White (Not Hispanic or Latino)").
 */
import type { FormField } from '../jobo/schemas';
import { hasWords, norm } from './normalize';

export type FieldOption = NonNullable<FormField['options']>[number];
export type Polarity = 'yes' | 'no' | 'decline' | null;

/** Option text without its parenthesised qualifier. */
function core(label: string): string {
  return norm(label.replace(/\([^)]*\)/g, ' '));
}

const DECLINE_RE =
  /\b(decline|declined|prefer not|rather not|do not wish|dont wish|choose not|not wish to|do not want to (answer|disclose|say)|dont want to (answer|disclose|say)|not to (say|answer|disclose))\b/;
const NO_RE = /^(no|false|n)\b|\b(not|dont|do not|never|cannot|cant|wont|will not|am not|no longer|none)\b/;
const YES_RE = /^(yes|true|y)\b|^i (am|have|do|will|can|identify|would)\b/;

/** Whether an option means yes, no or "I decline", by its wording. */
export function polarity(label: string): Polarity {
  const n = core(label);
  if (DECLINE_RE.test(n)) return 'decline';
  if (NO_RE.test(n)) return 'no';
  if (YES_RE.test(n)) return 'yes';
  return null;
}

export function declineOption(options: FieldOption[]): FieldOption | undefined {
  return options.find((o) => polarity(o.label) === 'decline');
}

export function yesNoOption(options: FieldOption[], value: boolean): FieldOption | undefined {
  return options.find((o) => polarity(o.label) === (value ? 'yes' : 'no'));
}

/**
 * The first option matching the terms (in order of preference): an exact label or value beats a label that
 * merely contains a term as whole words. Decline options never match a real value.
 */
export function matchOption(options: FieldOption[], terms: string[]): FieldOption | undefined {
  const wanted = terms.map(norm).filter((t) => t.length > 0);
  const candidates = options.filter((o) => polarity(o.label) !== 'decline');
  for (const t of wanted) {
    const hit = candidates.find((o) => core(o.label) === t || norm(o.label) === t || norm(o.value) === t);
    if (hit) return hit;
  }
  for (const t of wanted) {
    const hit = candidates.find((o) => hasWords(core(o.label), t));
    if (hit) return hit;
  }
  return undefined;
}

type Range = [min: number, max: number];

/** "1-3 years" → [1, 3]; "10+ years" / "more than 10" → [10, ∞]; "less than 1" → [0, 1]; "5" → [5, 5]. */
export function parseRange(label: string): Range | null {
  const s = label.toLowerCase().replace(/(\d),(\d{3})/g, '$1$2');
  let m = /(\d+(?:\.\d+)?)\s*(?:-|–|—|to)\s*(\d+(?:\.\d+)?)/.exec(s);
  if (m) return [Number(m[1]), Number(m[2])];
  m = /(\d+(?:\.\d+)?)\s*(?:\+|or more|and (?:above|over|more))|(?:more than|over|at least)\s*(\d+(?:\.\d+)?)/.exec(s);
  if (m) return [Number(m[1] ?? m[2]), Infinity];
  m = /(?:less than|under|fewer than)\s*(\d+(?:\.\d+)?)/.exec(s);
  if (m) return [0, Number(m[1])];
  m = /^\D*(\d+(?:\.\d+)?)\D*$/.exec(s);
  return m ? [Number(m[1]), Number(m[1])] : null;
}

/**
 * The option whose range holds `n`. Ranges are read half-open first ("1-3" holds 1 ≤ n < 3, so 3 lands in
 * "3-5"), then with whole-number ends ("0-2, 3-5": 2.5 lands in "0-2").
 */
export function rangeOption(options: FieldOption[], n: number): FieldOption | undefined {
  const ranged = options.map((o) => ({ o, r: parseRange(o.label) })).filter((x): x is { o: FieldOption; r: Range } => x.r !== null);
  return ranged.find(({ r: [a, b] }) => a <= n && (n < b || b === Infinity))?.o ?? ranged.find(({ r: [a, b] }) => a <= n && n < b + 1)?.o;
}
