/**
 * Remembered answers in the answer engine (pure): label normalization, the option check when a choice is
 * reused on another form, and the order profile > remembered (a person's and the caller's answers come
 * first in the workflow, over the engine's answers).
 */
import { formFor } from '../sandbox/forms';
import { providerJobUrl } from '../sandbox/urls';
import {
  answerFieldsRemembering,
  applyRemembered,
  normalizeLabel,
  REMEMBERED_REASON,
  rememberedKey,
  rememberedValueFor,
  type RememberedAnswer,
} from '../src/answers/remembered';
import { answerFields } from '../src/answers';
import type { FormField } from '../src/jobo/schemas';
import { exampleWith } from './fixtures/profiles';

const field = (over: Partial<FormField> & Pick<FormField, 'name' | 'label' | 'type'>): FormField => ({
  required: true,
  options: null,
  description: null,
  max_length: null,
  accept: null,
  ...over,
});

const remembered = (over: Partial<RememberedAnswer> & Pick<RememberedAnswer, 'label' | 'type' | 'value'>): RememberedAnswer => ({
  key: rememberedKey(over.label, over.type)!,
  options: null,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  ...over,
});

describe('normalizeLabel', () => {
  test.each([
    ['Are you at least 18 years of age?', 'are you at least 18 years of age'],
    ['Are you at least 18 years of age? *', 'are you at least 18 years of age'],
    ['  ARE YOU   at least 18 years of age?* ', 'are you at least 18 years of age'],
    ['Are you at least 18 years of age (required)', 'are you at least 18 years of age'],
    ['Are you at least 18 years of age? (Required) *', 'are you at least 18 years of age'],
    ['Are you at least 18 years of age? [required]:', 'are you at least 18 years of age'],
    ['Date of birth*:', 'date of birth'],
    ['Which team are you applying to?', 'which team are you applying to'],
    ["What's your team's name?", 'whats your teams name'],
    ['What’s your team’s name?', 'whats your teams name'],
    ['Tell us about a project you are proud of.', 'tell us about a project you are proud of'],
    ['E-mail / phone', 'e mail phone'],
    ['Geburtsdatum (erforderlich)', 'geburtsdatum erforderlich'],
    ['Année de naissance', 'annee de naissance'],
    ['Required documents', 'required documents'], // "required" only as a trailing marker in brackets
    ['*', ''],
    ['', ''],
  ])('%j → %j', (label, expected) => {
    expect(normalizeLabel(label)).toBe(expected);
  });

  test('a long run of stars normalizes at once', () => {
    expect(normalizeLabel(`Name${'*'.repeat(1000)}x`)).toBe('name x');
    expect(normalizeLabel(`Name${' *'.repeat(1000)}`)).toBe('name');
  });

  test('keys: type and label, dashes for spaces; no words, no key', () => {
    expect(rememberedKey('Are you at least 18 years of age? *', 'select')).toBe('select:are-you-at-least-18-years-of-age');
    expect(rememberedKey('Are you at least 18 years of age?', 'boolean')).toBe('boolean:are-you-at-least-18-years-of-age');
    expect(rememberedKey('(required) *', 'text')).toBeNull();
  });
});

describe('a remembered choice on another form', () => {
  const AGE = 'Are you at least 18 years of age?';
  const yesNo = [
    { value: 'Yes', label: 'Yes' },
    { value: 'No', label: 'No' },
  ];
  const r = remembered({ label: AGE, type: 'select', options: yesNo, value: 'Yes' });

  test('used when the value is among the new options with the same meaning', () => {
    expect(rememberedValueFor(field({ name: 'q', label: `${AGE} *`, type: 'select', options: yesNo }), r)).toBe('Yes');
    // Options in another order, one more: still offered.
    const more = [
      { value: 'No', label: 'No' },
      { value: 'Yes', label: 'Yes' },
      { value: 'Prefer not', label: 'Prefer not to say' },
    ];
    expect(rememberedValueFor(field({ name: 'q', label: AGE, type: 'select', options: more }), r)).toBe('Yes');
  });

  test('not used when the value is not among them: the person is asked', () => {
    const ids = [
      { value: '1', label: 'Yes' },
      { value: '2', label: 'No' },
    ];
    expect(rememberedValueFor(field({ name: 'q', label: AGE, type: 'select', options: ids }), r)).toEqual({
      miss: "the remembered answer is not one of this form's options",
    });
  });

  test('not used when the same value means something else here', () => {
    const swapped = [
      { value: 'Yes', label: 'No, I am not' },
      { value: 'No', label: 'Yes, I am' },
    ];
    expect(rememberedValueFor(field({ name: 'q', label: AGE, type: 'select', options: swapped }), r)).toEqual({
      miss: "the remembered answer's option means something else on this form",
    });
  });

  test('multi_select: every value must be offered', () => {
    const langs = [
      { value: 'go', label: 'Go' },
      { value: 'ts', label: 'TypeScript' },
    ];
    const m = remembered({
      label: 'Languages',
      type: 'multi_select',
      options: [...langs, { value: 'rs', label: 'Rust' }],
      value: ['go', 'rs'],
    });
    expect(rememberedValueFor(field({ name: 'l', label: 'Languages', type: 'multi_select', options: langs }), m)).toEqual({
      miss: "the remembered answer is not one of this form's options",
    });
    const both = remembered({ ...m, value: ['go', 'ts'] });
    expect(rememberedValueFor(field({ name: 'l', label: 'Languages', type: 'multi_select', options: langs }), both)).toEqual(['go', 'ts']);
  });

  test('another type is another question; free text must still fit the field', () => {
    expect(rememberedValueFor(field({ name: 'q', label: AGE, type: 'boolean' }), r)).toEqual({
      miss: 'no remembered answer for this question',
    });
    const text = remembered({ label: 'Tell us about a project', type: 'textarea', value: 'x'.repeat(50) });
    const short = rememberedValueFor(field({ name: 't', label: 'Tell us about a project', type: 'textarea', max_length: 10 }), text);
    expect(short).toEqual({
      miss: 'the remembered answer does not fit: t (Tell us about a project): expected at most 10 characters, got 50',
    });
  });
});

describe('order: profile > remembered', () => {
  const noDob = exampleWith((p) => {
    p.contact!.date_of_birth = null;
  });
  const workday = formFor('workday', providerJobUrl('workday', 'acme/1')).pages[2].fields; // the application questions
  const ctx = { today: '2026-12-02' };

  test('a required field the profile cannot answer is answered from a remembered answer, with the reason', () => {
    const before = answerFields(noDob, workday, ctx);
    expect(before.unanswered.filter((u) => u.required).map((u) => u.field)).toEqual(['q_age']);
    const r = remembered({
      label: 'Are you at least 18 years of age?',
      type: 'select',
      options: [
        { value: 'Yes', label: 'Yes' },
        { value: 'No', label: 'No' },
      ],
      value: 'Yes',
    });
    const after = answerFieldsRemembering(noDob, workday, ctx, [r]);
    expect(after.answers.q_age).toBe('Yes');
    expect(after.unanswered.filter((u) => u.required)).toEqual([]);
    expect(after.remembered).toEqual([
      { field: 'q_age', label: 'Are you at least 18 years of age?', key: r.key, reason: REMEMBERED_REASON },
    ]);
    expect(REMEMBERED_REASON).toBe('remembered answer');
    // Everything else exactly as the profile answered it.
    expect({ ...after.answers, q_age: undefined }).toEqual({ ...before.answers, q_age: undefined });
  });

  test('the profile wins over a remembered answer for the same question', () => {
    const withDob = exampleWith(() => undefined); // born 1990: the profile says Yes
    const r = remembered({ label: 'Are you at least 18 years of age?', type: 'select', value: 'No' });
    const result = answerFieldsRemembering(withDob, workday, ctx, [r]);
    expect(result.answers.q_age).toBe('Yes');
    expect(result.remembered).toEqual([]);
    // And for any field the profile answers: remembered answers for every label change nothing.
    const all = workday.map((f) => remembered({ label: f.label, type: f.type, value: f.type === 'number' ? 1 : 'No' }));
    expect(answerFieldsRemembering(withDob, workday, ctx, all).answers).toEqual(answerFields(withDob, workday, ctx).answers);
  });

  test('optional fields are left as they are; an unusable remembered answer says why in the reason', () => {
    const generic = formFor('generic', providerJobUrl('generic', 'acme/1')).pages[0].fields;
    const base = answerFields(noDob, generic, ctx);
    const stale = remembered({ label: 'Which team are you applying to?', type: 'select', value: 'Research' });
    const result = applyRemembered(base, generic, [stale, remembered({ label: 'Cover letter', type: 'textarea', value: 'Dear team' })]);
    expect(base.unanswered.find((u) => u.field === 'cover_letter')?.required).toBe(false);
    expect(result.answers.cover_letter).toBeUndefined(); // optional: not filled from remembered answers
    const team = result.unanswered.find((u) => u.field === 'team')!;
    expect(team.reason).toMatch(/; the remembered answer is not one of this form's options$/);
    expect(result.remembered).toEqual([]);
  });
});
