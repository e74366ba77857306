/**
 * A remembered answer as the API, the CLI and the rememberAnswers activity receive it: { label, type,
 * options?, value }, checked before anything is stored. Every problem names its field (`value`,
 * `options[2].value`, or under a prefix such as `answers[0].value`) and says what is expected, never what
 * was given: values are candidate data.
 */
import { isEmail, isIsoDate, isPhoneNumber } from '../forms/validate';
import { isRememberableType, REMEMBERABLE_TYPES, rememberedKey, type RememberedOption, type RememberedValue } from '../answers/remembered';
import { InvalidInputError, type InputProblem } from '../shared/input';
import type { RememberAnswer } from '../store/rememberedAnswers';

export const MAX_LABEL = 1000;
export const MAX_TEXT_VALUE = 10_000;
export const MAX_OPTIONS = 500;

export class InvalidRememberedAnswerError extends InvalidInputError {
  constructor(problems: InputProblem[]) {
    super('remembered answer', problems);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function optionsProblems(options: unknown, at: (f: string) => string): InputProblem[] {
  if (!Array.isArray(options)) return [{ field: at('options'), message: 'expected a list of { value, label } or null' }];
  if (options.length > MAX_OPTIONS) return [{ field: at('options'), message: `expected at most ${MAX_OPTIONS} options` }];
  return options.flatMap((o, i): InputProblem[] => {
    if (!isObject(o)) return [{ field: at(`options[${i}]`), message: 'expected { value, label }' }];
    const out: InputProblem[] = [];
    if (typeof o.value !== 'string' || o.value.length === 0 || o.value.length > MAX_LABEL) {
      out.push({ field: at(`options[${i}].value`), message: `expected a string of 1 to ${MAX_LABEL} characters` });
    }
    if (typeof o.label !== 'string' || o.label.length > MAX_LABEL)
      out.push({ field: at(`options[${i}].label`), message: `expected a string of at most ${MAX_LABEL} characters` });
    const unknown = Object.keys(o).filter((k) => k !== 'value' && k !== 'label');
    out.push(...unknown.map((k) => ({ field: at(`options[${i}].${k}`), message: 'unknown field' })));
    return out;
  });
}

/** What a value of `type` must be, or null when it is one. */
function valueProblem(type: string, value: unknown, options: RememberedOption[] | null): string | null {
  const allowed = options && new Set(options.map((o) => o.value));
  const text = (what: string, ok: (s: string) => boolean = () => true) =>
    typeof value === 'string' && value.trim() !== '' && value.length <= MAX_TEXT_VALUE && ok(value) ? null : `expected ${what}`;
  switch (type) {
    case 'text':
    case 'textarea':
      return text(`text of 1 to ${MAX_TEXT_VALUE} characters`);
    case 'email':
      return text('an email address such as name@example.com', isEmail);
    case 'phone':
      return text('a phone number of 7 to 15 digits such as +1 415 555 0100', isPhoneNumber);
    case 'date':
      return text('a date as YYYY-MM-DD', isIsoDate);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'expected a number';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'expected true or false';
    case 'select':
      if (typeof value !== 'string' || value === '') return 'expected one option value (a string)';
      return allowed && !allowed.has(value) ? 'expected one of the options’ values' : null;
    case 'multi_select':
      if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || v === ''))
        return 'expected a non-empty list of option values';
      if (new Set(value).size !== value.length) return 'expected each value at most once';
      return allowed && value.some((v) => !allowed.has(v as string)) ? 'expected values from the options' : null;
    default:
      return null;
  }
}

/**
 * The problems with one answer; `prefix` names where it sits (`answers[0]`). An empty list means
 * `parseRememberAnswer` will return it.
 */
export function rememberAnswerProblems(input: unknown, prefix = ''): InputProblem[] {
  const at = (f: string) => (prefix ? `${prefix}.${f}` : f);
  if (!isObject(input)) return [{ field: prefix || 'body', message: 'expected { label, type, options?, value }' }];
  const problems: InputProblem[] = [];
  const unknown = Object.keys(input).filter((k) => !['label', 'type', 'options', 'value'].includes(k));
  problems.push(...unknown.map((k) => ({ field: at(k), message: 'unknown field' })));
  const { label, type, options, value } = input;
  if (typeof label !== 'string' || label.length === 0 || label.length > MAX_LABEL) {
    problems.push({ field: at('label'), message: `required: the question's label, 1 to ${MAX_LABEL} characters` });
  } else if (rememberedKey(label, 'text') === null) {
    problems.push({ field: at('label'), message: 'must contain a word or a number' });
  }
  if (type === 'file')
    problems.push({ field: at('type'), message: 'file answers are not remembered (upload the file with the answer instead)' });
  else if (typeof type !== 'string' || !isRememberableType(type))
    problems.push({ field: at('type'), message: `required: one of ${REMEMBERABLE_TYPES.join(', ')}` });
  const choice = type === 'select' || type === 'multi_select';
  let parsedOptions: RememberedOption[] | null = null;
  if (options !== undefined && options !== null) {
    if (!choice) problems.push({ field: at('options'), message: 'only select and multi_select answers have options' });
    else {
      const found = optionsProblems(options, at);
      problems.push(...found);
      if (found.length === 0) parsedOptions = options as RememberedOption[];
    }
  }
  if (value === undefined || value === null) problems.push({ field: at('value'), message: 'required' });
  else if (typeof type === 'string' && isRememberableType(type)) {
    const problem = valueProblem(type, value, parsedOptions);
    if (problem) problems.push({ field: at('value'), message: problem });
  }
  return problems;
}

/** The answer as stored, or InvalidRememberedAnswerError naming each bad field. */
export function parseRememberAnswer(input: unknown, prefix = ''): RememberAnswer {
  const problems = rememberAnswerProblems(input, prefix);
  if (problems.length > 0) throw new InvalidRememberedAnswerError(problems);
  const { label, type, options, value } = input as {
    label: string;
    type: RememberAnswer['type'];
    options?: RememberedOption[] | null;
    value: RememberedValue;
  };
  const choice = type === 'select' || type === 'multi_select';
  return { label, type, options: choice && options ? options.map((o) => ({ value: o.value, label: o.label })) : null, value };
}
