/**
 * Answers checked against a page's form fields. PURE (type-only imports, no zod, no Node APIs) so the
 * sandbox, the answer engine and the interactiveSession workflow's update validator share one rulebook.
 * Every problem names the field and says what is expected, never what was given: messages reach logs,
 * workflow failures and the ledger's error column, and answers are candidate data.
 */
import type { FieldProblem, FormField } from '../jobo/schemas';

export type { FieldProblem };

// Mirrors schemas.ts (RESUME_MAX_BYTES, FileAnswer) without importing zod into workflow bundles.
const MAX_FILE_NAME = 255;
const MAX_BASE64 = Math.ceil((10 * 1024 * 1024 * 4) / 3) + 4;

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// An optional +, digits with spaces, dots, dashes or parentheses between them; the digit count is checked apart.
const PHONE_RE = /^\+?\(?\d[\d\s().-]*$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_LISTED_OPTIONS = 8;

/** Absent or blank: what a required field may not be and an optional field may be. */
export function isEmptyAnswer(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

export function isIsoDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const daysInMonth = [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return d <= daysInMonth;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function isPhoneNumber(value: string): boolean {
  const digits = value.replace(/\D/g, '').length;
  return PHONE_RE.test(value.trim()) && digits >= 7 && digits <= 15;
}

export function isEmail(value: string): boolean {
  return EMAIL_RE.test(value);
}

/** The kind of a value, never the value itself. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'string') return `a string of ${value.length} character${value.length === 1 ? '' : 's'}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function optionList(field: FormField): string {
  const values = (field.options ?? []).map((o) => JSON.stringify(o.value));
  const shown = values.slice(0, MAX_LISTED_OPTIONS).join(', ');
  return values.length > MAX_LISTED_OPTIONS ? `${shown}, … (${values.length} options)` : shown;
}

function checkString(field: FormField, value: unknown, what: string): string | null {
  if (typeof value !== 'string') return `expected ${what}, got ${describe(value)}`;
  if (field.max_length !== null && value.length > field.max_length) {
    return `expected at most ${field.max_length} characters, got ${value.length}`;
  }
  return null;
}

function checkFile(field: FormField, value: unknown): string | null {
  const expected = `expected a file: { "kind": "profile_resume", "profile_id": "<id>" } or { "kind": "upload", "file_name", "content_type", "content_base64" }`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${expected}, got ${describe(value)}`;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v).sort().join(',');
  if (v.kind === 'profile_resume') {
    if (keys !== 'kind,profile_id' || typeof v.profile_id !== 'string' || v.profile_id.length === 0) return expected;
    return null;
  }
  if (v.kind !== 'upload' || keys !== 'content_base64,content_type,file_name,kind') return expected;
  if (typeof v.file_name !== 'string' || v.file_name.length === 0 || v.file_name.length > MAX_FILE_NAME) {
    return `expected file_name of 1 to ${MAX_FILE_NAME} characters`;
  }
  if (typeof v.content_type !== 'string' || v.content_type.length === 0) return 'expected a content_type';
  if (field.accept && field.accept.length > 0 && !field.accept.includes(v.content_type)) {
    return `expected a file of type ${field.accept.join(', ')}, got ${v.content_type}`;
  }
  if (typeof v.content_base64 !== 'string' || !BASE64_RE.test(v.content_base64) || v.content_base64.length % 4 !== 0) {
    return 'expected content_base64 to be base64';
  }
  if (v.content_base64.length > MAX_BASE64) return 'expected a file of at most 10 MiB';
  return null;
}

/** Why `value` is not an acceptable non-empty answer to `field`, or null when it is. */
function typeProblem(field: FormField, value: unknown): string | null {
  switch (field.type) {
    case 'text':
    case 'textarea':
      return checkString(field, value, 'text');
    case 'email':
      return (
        checkString(field, value, 'an email address') ??
        (isEmail(value as string) ? null : 'expected an email address such as name@example.com')
      );
    case 'phone':
      return (
        checkString(field, value, 'a phone number') ??
        (isPhoneNumber(value as string) ? null : 'expected a phone number of 7 to 15 digits such as +1 415 555 0100')
      );
    case 'date':
      return typeof value === 'string' && isIsoDate(value) ? null : `expected a date as YYYY-MM-DD, got ${describe(value)}`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : `expected a number, got ${describe(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `expected true or false, got ${describe(value)}`;
    case 'select': {
      const ok = typeof value === 'string' && (field.options ?? []).some((o) => o.value === value);
      return ok ? null : `expected one of ${optionList(field)}, got ${describe(value)}`;
    }
    case 'multi_select': {
      if (!Array.isArray(value)) return `expected a list of values from ${optionList(field)}, got ${describe(value)}`;
      const allowed = new Set((field.options ?? []).map((o) => o.value));
      const bad = value.filter((v) => typeof v !== 'string' || !allowed.has(v));
      if (bad.length > 0) return `expected values from ${optionList(field)}, got ${bad.length} other value${bad.length === 1 ? '' : 's'}`;
      if (new Set(value).size !== value.length) return 'expected each value at most once';
      return null;
    }
    case 'file':
      return checkFile(field, value);
    default:
      return `cannot answer a field of type ${String(field.type)}`;
  }
}

/** The problem with one field's answer, or null. */
export function validateField(field: FormField, value: unknown): FieldProblem | null {
  const label = field.label ? ` (${field.label})` : '';
  if (isEmptyAnswer(value)) {
    return field.required ? { field: field.name, message: `${field.name}${label} is required` } : null;
  }
  const problem = typeProblem(field, value);
  return problem === null ? null : { field: field.name, message: `${field.name}${label}: ${problem}` };
}

/** Every problem with a page's answers: per field, plus answers to fields that are not on the page. */
export function validateAnswers(fields: FormField[], answers: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const known = new Set(fields.map((f) => f.name));
  for (const name of Object.keys(answers)) {
    if (!known.has(name)) {
      problems.push({ field: name, message: `${name} is not a field on this page (expected one of: ${[...known].join(', ')})` });
    }
  }
  for (const field of fields) {
    const problem = validateField(field, Object.prototype.hasOwnProperty.call(answers, field.name) ? answers[field.name] : undefined);
    if (problem) problems.push(problem);
  }
  return problems;
}
