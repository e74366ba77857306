/**
 * The answer engine: a form page's fields answered from a candidate profile, and the fields left for a
 * person with the reason. Pure and deterministic (no I/O, no clock: pass ctx.today), so a workflow can run it.
 *
 * Each field is recognised by its name and label (rules/), resolved to what the profile says (a Fact),
 * rendered into the field's type and options (render.ts), and finally checked with the same validator the
 * sandbox and the session workflow use, so an answer produced here is never rejected as malformed.
 */
import type { AnswerValue, FormField, Profile } from '../jobo/schemas';
import { validateField } from '../forms/validate';
import { render } from './render';
import { ruleFor } from './rules';
import { isMiss, type AnswerContext } from './types';

export type { AnswerContext } from './types';
export { RULES, ruleFor } from './rules';

export interface Unanswered {
  field: string;
  label: string;
  required: boolean;
  reason: string;
}

export interface AnswerResult {
  answers: Record<string, AnswerValue>;
  /** Every field without an answer, required or not; `required` ones block the page. */
  unanswered: Unanswered[];
}

export function answerField(profile: Profile, field: FormField, ctx: AnswerContext = {}): AnswerValue | { miss: string } {
  const rule = ruleFor(field);
  if (!rule) return { miss: 'the profile has nothing that answers this question' };
  const fact = rule.resolve({ profile, field, ctx, wording: `${field.label} ${field.description ?? ''}` });
  if (isMiss(fact)) return fact;
  const value = render(fact, field);
  if (isMiss(value)) return value;
  const problem = validateField(field, value);
  return problem ? { miss: `the profile's answer does not fit: ${problem.message}` } : value;
}

export function answerFields(profile: Profile, fields: FormField[], ctx: AnswerContext = {}): AnswerResult {
  const answers: Record<string, AnswerValue> = {};
  const unanswered: Unanswered[] = [];
  for (const field of fields) {
    const value = answerField(profile, field, ctx);
    if (isMiss(value)) unanswered.push({ field: field.name, label: field.label, required: field.required, reason: value.miss });
    else answers[field.name] = value;
  }
  return { answers, unanswered };
}

/** The required fields a person still has to answer. */
export function missingRequired(result: AnswerResult): Unanswered[] {
  return result.unanswered.filter((u) => u.required);
}
