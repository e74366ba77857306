/**
 * Remembered answers: what a person once answered for a profile, reused when the same question comes
 * back on another form. A question is the same when its normalized label and its field type are; a
 * choice is reused only when the new form still offers it (same value, and the same meaning where both
 * forms label it), otherwise the person is asked again. Pure (no I/O, no clock), like the rest of the engine.
 *
 * Order of answers for a field: a person's answer now > the caller's answers > the profile > remembered.
 * The first two are merged by the application workflow over this engine's answers; here a remembered
 * answer only fills a required field the profile left unanswered.
 */
import type { AnswerValue, FieldType, FormField, Profile } from '../jobo/schemas';
import { validateField } from '../forms/validate';
import { answerFields, type AnswerResult } from './index';
import { isMiss, miss, type AnswerContext, type Miss } from './types';

export type RememberedValue = string | number | boolean | string[];

export interface RememberedOption {
  value: string;
  label: string;
}

export interface RememberedAnswer {
  /** `<type>:<normalized-label-with-dashes>`, see rememberedKey. */
  key: string;
  /** The label as the form wrote it when the answer was remembered. */
  label: string;
  type: FieldType;
  /** The form's options then (select, multi_select); null for free-form types. */
  options: RememberedOption[] | null;
  value: RememberedValue;
  createdAt: string;
  updatedAt: string;
}

/** The field types an answer can be remembered for (files are uploads, never remembered). */
export const REMEMBERABLE_TYPES = ['text', 'email', 'phone', 'date', 'number', 'select', 'multi_select', 'boolean', 'textarea'] as const;
export type RememberableType = (typeof REMEMBERABLE_TYPES)[number];
export const isRememberableType = (t: string): t is RememberableType => (REMEMBERABLE_TYPES as readonly string[]).includes(t);

// One trailing mark at a time (normalizeLabel loops): no nested repetition for a long run of "*" to explode on.
const REQUIRED_MARK = /\s*(?:\*|\((?:required|mandatory)\)|\[(?:required|mandatory)\])[\s:.]*$/u;

/**
 * A question's label as compared across forms: lower case, accents dropped, a trailing "*" or
 * "(required)" dropped, apostrophes joined ("you're" → "youre"), other punctuation and runs of
 * whitespace → one space. "Are you at least 18 years of age? *" → "are you at least 18 years of age".
 */
export function normalizeLabel(label: string): string {
  let s = label
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .trim();
  for (let prev = ''; prev !== s;) {
    prev = s;
    s = s.replace(REQUIRED_MARK, '').trim();
  }
  return s
    .replace(/['’`]/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The key of a question: `select:are-you-at-least-18-years-of-age`; null when the label has no words. */
export function rememberedKey(label: string, type: FieldType): string | null {
  const n = normalizeLabel(label);
  return n ? `${type}:${n.replace(/ /g, '-')}` : null;
}

const sameLabel = (a: string, b: string) => normalizeLabel(a) === normalizeLabel(b);

/** Why a remembered choice cannot be used on this form, or null when it can. */
function optionProblem(field: FormField, r: RememberedAnswer, value: string): string | null {
  const offered = (field.options ?? []).find((o) => o.value === value);
  if (!offered) return "the remembered answer is not one of this form's options";
  // Same value, different meaning ("1" was "Yes" there and is "No" here): ask rather than guess.
  const then = r.options?.find((o) => o.value === value);
  if (then && offered.label && then.label && !sameLabel(then.label, offered.label)) {
    return "the remembered answer's option means something else on this form";
  }
  return null;
}

/** A remembered answer as an answer to `field`, or why it does not fit (never naming the value: it is candidate data). */
export function rememberedValueFor(field: FormField, r: RememberedAnswer): AnswerValue | Miss {
  if (rememberedKey(field.label, field.type) !== r.key) return miss('no remembered answer for this question');
  const value = r.value;
  if (field.type === 'select' && typeof value === 'string') {
    const problem = optionProblem(field, r, value);
    if (problem) return miss(problem);
  }
  if (field.type === 'multi_select' && Array.isArray(value)) {
    const problem = value.map((v) => optionProblem(field, r, v)).find((p) => p !== null);
    if (problem) return miss(problem);
  }
  const problem = validateField({ ...field, required: true }, value);
  return problem ? miss(`the remembered answer does not fit: ${problem.message}`) : value;
}

/** A field answered from a remembered answer; `reason` is what a person is shown. */
export interface RememberedUse {
  field: string;
  label: string;
  key: string;
  reason: string;
}

export const REMEMBERED_REASON = 'remembered answer';

export interface RememberingResult extends AnswerResult {
  remembered: RememberedUse[];
}

/**
 * Fills the required fields `result` left unanswered from the profile's remembered answers. A remembered
 * answer that does not fit this form leaves the field to a person, its reason saying why.
 */
export function applyRemembered(result: AnswerResult, fields: FormField[], remembered: readonly RememberedAnswer[]): RememberingResult {
  const byKey = new Map(remembered.map((r) => [r.key, r]));
  const answers = { ...result.answers };
  const unanswered: AnswerResult['unanswered'] = [];
  const used: RememberedUse[] = [];
  for (const u of result.unanswered) {
    const field = fields.find((f) => f.name === u.field);
    const key = field && u.required ? rememberedKey(field.label, field.type) : null;
    const r = key ? byKey.get(key) : undefined;
    if (!field || !key || !r) {
      unanswered.push(u);
      continue;
    }
    const value = rememberedValueFor(field, r);
    if (isMiss(value)) {
      unanswered.push({ ...u, reason: `${u.reason}; ${value.miss}` });
      continue;
    }
    answers[field.name] = value;
    used.push({ field: field.name, label: field.label, key, reason: REMEMBERED_REASON });
  }
  return { answers, unanswered, remembered: used };
}

/** The answer engine with remembered answers after the profile: profile first, remembered for what it leaves. */
export function answerFieldsRemembering(
  profile: Profile,
  fields: FormField[],
  ctx: AnswerContext,
  remembered: readonly RememberedAnswer[],
): RememberingResult {
  return applyRemembered(answerFields(profile, fields, ctx), fields, remembered);
}
