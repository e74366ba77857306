/** validateAnswers: each rule with inputs that fail and inputs that pass. */
import { validateAnswers, validateField } from '../src/forms/validate';
import type { FieldType, FormField } from '../src/jobo/schemas';

function f(name: string, type: FieldType, extra: Partial<FormField> = {}): FormField {
  return {
    name,
    label: name.toUpperCase(),
    type,
    required: false,
    options: null,
    description: null,
    max_length: null,
    accept: null,
    ...extra,
  };
}

const opts = (...values: string[]) => values.map((v) => ({ value: v, label: `Label ${v}` }));
const PROFILE_ID = '8c5e6d0a-9f2b-4c1e-b7a3-2f4d5e6a7b8c';
const upload = (extra: Record<string, unknown> = {}) => ({
  kind: 'upload',
  file_name: 'cv.pdf',
  content_type: 'application/pdf',
  content_base64: 'JVBERi0xLjQK',
  ...extra,
});

type Case = [what: string, field: FormField, value: unknown, expectedMessage: RegExp | null];

const CASES: Case[] = [
  // required and empty
  ['required text missing', f('a', 'text', { required: true }), undefined, /is required/],
  ['required text blank', f('a', 'text', { required: true }), '   ', /is required/],
  ['required multi_select empty', f('a', 'multi_select', { required: true, options: opts('x') }), [], /is required/],
  ['required boolean false is an answer', f('a', 'boolean', { required: true }), false, null],
  ['required number 0 is an answer', f('a', 'number', { required: true }), 0, null],
  ['optional field left empty', f('a', 'select', { options: opts('x') }), '', null],
  ['optional null', f('a', 'email'), null, null],
  // text / textarea
  ['text', f('a', 'text'), 'hello', null],
  ['text not a string', f('a', 'text'), 42, /expected text, got a number$/],
  ['textarea within max_length', f('a', 'textarea', { max_length: 5 }), '12345', null],
  ['textarea over max_length', f('a', 'textarea', { max_length: 5 }), '123456', /at most 5 characters, got 6/],
  // email
  ['email', f('a', 'email'), 'ada@example.com', null],
  ['email without domain', f('a', 'email'), 'ada@', /expected an email address/],
  ['email with spaces', f('a', 'email'), 'ada lovelace@example.com', /expected an email address/],
  // phone
  ['phone E.164', f('a', 'phone'), '+14155550100', null],
  ['phone with spaces', f('a', 'phone'), '+1 415 555 0100', null],
  ['phone national with punctuation', f('a', 'phone'), '(415) 555-0100', null],
  ['phone with letters', f('a', 'phone'), '+1 415 CALL NOW', /expected a phone number/],
  ['phone too short', f('a', 'phone'), '12345', /7 to 15 digits/],
  ['phone too long', f('a', 'phone'), '+1234567890123456', /7 to 15 digits/],
  // date
  ['date', f('a', 'date'), '2026-08-01', null],
  ['leap day', f('a', 'date'), '2028-02-29', null],
  ['date not in a leap year', f('a', 'date'), '2026-02-29', /YYYY-MM-DD/],
  ['date month 13', f('a', 'date'), '2026-13-01', /YYYY-MM-DD/],
  ['date in US format', f('a', 'date'), '08/01/2026', /expected a date as YYYY-MM-DD, got a string of 10 characters$/],
  ['date as timestamp', f('a', 'date'), '2026-08-01T00:00:00Z', /YYYY-MM-DD/],
  // number
  ['number', f('a', 'number'), 120000.5, null],
  ['number as string', f('a', 'number'), '120000', /expected a number, got a string of 6 characters$/],
  ['number NaN', f('a', 'number'), Number.NaN, /expected a number/],
  ['number infinite', f('a', 'number'), Number.POSITIVE_INFINITY, /expected a number/],
  // boolean
  ['boolean', f('a', 'boolean'), true, null],
  ['boolean as string', f('a', 'boolean'), 'true', /expected true or false, got a string of 4 characters$/],
  // select
  ['select value', f('a', 'select', { options: opts('1', '2') }), '2', null],
  [
    'select label instead of value',
    f('a', 'select', { options: opts('1', '2') }),
    'Label 2',
    /expected one of "1", "2", got a string of 7 characters$/,
  ],
  ['select list', f('a', 'select', { options: opts('1', '2') }), ['1'], /expected one of/],
  // multi_select
  ['multi_select', f('a', 'multi_select', { options: opts('x', 'y', 'z') }), ['x', 'z'], null],
  ['multi_select not a list', f('a', 'multi_select', { options: opts('x') }), 'x', /expected a list of values from "x"/],
  [
    'multi_select unknown value',
    f('a', 'multi_select', { options: opts('x', 'y') }),
    ['x', 'w'],
    /expected values from "x", "y", got 1 other value$/,
  ],
  ['multi_select duplicate', f('a', 'multi_select', { options: opts('x', 'y') }), ['x', 'x'], /at most once/],
  // file
  ['file profile resume', f('a', 'file'), { kind: 'profile_resume', profile_id: PROFILE_ID }, null],
  ['file upload', f('a', 'file', { accept: ['application/pdf'] }), upload(), null],
  [
    'file upload of a type not accepted',
    f('a', 'file', { accept: ['application/pdf'] }),
    upload({ content_type: 'image/png' }),
    /of type application\/pdf, got image\/png/,
  ],
  ['file upload of any type when accept is unset', f('a', 'file'), upload({ content_type: 'image/png' }), null],
  ['file as a string', f('a', 'file'), 'cv.pdf', /expected a file/],
  ['file with an unknown kind', f('a', 'file'), { kind: 'url', url: 'https://x' }, /expected a file/],
  ['file with extra keys', f('a', 'file'), { kind: 'profile_resume', profile_id: PROFILE_ID, extra: 1 }, /expected a file/],
  ['file upload without a name', f('a', 'file'), upload({ file_name: '' }), /file_name of 1 to 255/],
  ['file upload not base64', f('a', 'file'), upload({ content_base64: 'not base64!' }), /base64/],
];

describe('validateField', () => {
  test.each(CASES)('%s', (_what, field, value, expected) => {
    const problem = validateField(field, value);
    if (expected === null) {
      expect(problem).toBeNull();
    } else {
      expect(problem).not.toBeNull();
      expect(problem!.field).toBe(field.name);
      // Messages name the field by name and label.
      expect(problem!.message).toContain(`${field.name} (${field.label})`);
      expect(problem!.message).toMatch(expected);
    }
  });
});

// Values long enough not to occur in a rule's own text by chance.
test.each(
  CASES.filter(
    ([, , value, expected]) => expected !== null && (typeof value === 'number' || (typeof value === 'string' && value.length >= 5)),
  ),
)('the message for %s names the field and the rule, never the value given', (_what, field, value) => {
  const { message } = validateField(field, value)!;
  expect(message).not.toContain(String(value));
});

test('values in lists and candidate-looking strings are not echoed either', () => {
  const email = 'grace.hopper@navy',
    phone = '+1 555 CALL GRACE';
  expect(validateField(f('e', 'email'), email)!.message).not.toContain(email);
  expect(validateField(f('p', 'phone'), phone)!.message).not.toContain('GRACE');
  expect(validateField(f('m', 'multi_select', { options: opts('x') }), ['Hopper'])!.message).not.toContain('Hopper');
});

describe('validateAnswers', () => {
  const page = [
    f('email', 'email', { required: true }),
    f('team', 'select', { required: true, options: opts('eng', 'sales') }),
    f('notes', 'textarea'),
  ];

  test('a complete, valid page has no problems', () => {
    expect(validateAnswers(page, { email: 'ada@example.com', team: 'eng' })).toEqual([]);
  });

  test('answers to fields not on the page are rejected by name', () => {
    const problems = validateAnswers(page, { email: 'ada@example.com', team: 'eng', salary: 1 });
    expect(problems).toEqual([
      { field: 'salary', message: expect.stringMatching(/^salary is not a field on this page \(expected one of: email, team, notes\)$/) },
    ]);
  });

  test('every problem is reported, one per field', () => {
    const problems = validateAnswers(page, { team: 'marketing', notes: 7 });
    expect(problems.map((p) => p.field)).toEqual(['email', 'team', 'notes']);
  });

  test('long option lists are abbreviated in messages', () => {
    const many = f('state', 'select', { options: opts(...Array.from({ length: 51 }, (_, i) => `S${i}`)) });
    const [problem] = validateAnswers([many], { state: 'XX' });
    expect(problem.message).toContain('… (51 options)');
    expect(problem.message.length).toBeLessThan(200);
  });

  test('inherited object keys are not answers', () => {
    expect(validateAnswers([f('toString', 'text', { required: true })], {})).toEqual([
      { field: 'toString', message: 'toString (TOSTRING) is required' },
    ]);
  });
});
