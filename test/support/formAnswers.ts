// Valid answers for any page of sandbox form fields, by type: what a person would type, for tests and benches.
import type { AnswerValue, FormField } from '../../src/jobo/schemas';

export function validAnswerFor(field: FormField): AnswerValue {
  const text = (s: string) => (field.max_length ? s.slice(0, field.max_length) : s);
  switch (field.type) {
    case 'email':
      return 'ada.lovelace@example.com';
    case 'phone':
      return '415 555 0100';
    case 'date':
      return '2024-01-15';
    case 'number':
      return 5;
    case 'boolean':
      return true;
    case 'select':
      return field.options![0].value;
    case 'multi_select':
      return [field.options![0].value];
    case 'file':
      return {
        kind: 'upload',
        file_name: 'resume.pdf',
        content_type: field.accept?.[0] ?? 'application/pdf',
        content_base64: Buffer.from('%PDF-1.4 Ada Lovelace resume').toString('base64'),
      };
    default:
      return text(`Answer for ${field.label || field.name}`);
  }
}

/** Answers to every required field of a page. */
export function validAnswersFor(fields: FormField[]): Record<string, AnswerValue> {
  return allValidAnswersFor(fields.filter((f) => f.required));
}

/** Answers to every field of a page, optional ones included. */
export function allValidAnswersFor(fields: FormField[]): Record<string, AnswerValue> {
  return Object.fromEntries(fields.map((f) => [f.name, validAnswerFor(f)]));
}
