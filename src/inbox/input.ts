/**
 * The inbox's edge: opaque task ids, request and response schemas (the API validates with them and the
 * OpenAPI document is generated from them), and the HTML form → answers conversion the page uses.
 */
import { z } from 'zod';
import { APPLICATION_WORKFLOW_PREFIX } from '../application/input';
import type { AskedField, PersonTaskKind } from '../application/messages';
import { AnswerValue, FieldProblem, FieldType, type AnswerValue as Answer, type FormField } from '../jobo/schemas';
import { APPLICATION_STATUSES } from '../shared/applicationStatus';

// ---- ids ------------------------------------------------------------------------------------------

/** A task's id: the application workflow id, base64url (URL-safe, no slashes to encode). */
export const inboxIdOf = (applicationId: string): string => Buffer.from(applicationId, 'utf8').toString('base64url');

/** The application workflow id behind an inbox id, or null for anything this module did not make. */
export function applicationIdOf(id: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,600}$/.test(id)) return null;
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  // Canonical only: one id per application (no padding variants, no stray bits).
  if (inboxIdOf(decoded) !== id || !decoded.startsWith(APPLICATION_WORKFLOW_PREFIX)) return null;
  return decoded;
}

/** application/<profileId>/<jobKey>[/retry-<n>] → the ledger key. */
export function ledgerKeyOf(applicationId: string): { profileId: string; jobId: string } | null {
  const m = /^application\/([^/]+)\/([^/]+)(?:\/retry-\d+)?$/.exec(applicationId);
  return m ? { profileId: m[1], jobId: m[2] } : null;
}

// ---- the JSON API ---------------------------------------------------------------------------------

export const INBOX_PAGE_DEFAULT = 20;
export const INBOX_PAGE_MAX = 100;
export const REJECT_REASON_MAX = 500;

const FieldName = z.string().min(1).max(200);
const Answers = z.record(FieldName, AnswerValue);

export const QuestionsQuery = z.strictObject({
  campaignId: z.string().min(1).max(200).optional().meta({ description: 'Only this campaign (002 sessionId)' }),
  cursor: z.string().min(1).max(1000).optional().meta({ description: 'pagination.nextCursor of the page before' }),
  limit: z.coerce.number().int().min(1).max(INBOX_PAGE_MAX).default(INBOX_PAGE_DEFAULT),
});

export const TaskIdParams = z.strictObject({
  id: z.string().min(1).max(1000).meta({ description: 'A question or review id from GET /api/v1/questions (opaque)' }),
});

export const AnswerBody = z
  .strictObject({
    answers: Answers.meta({ description: 'Answers by field name for the asked fields' }),
    remember: z
      .union([z.boolean(), z.array(FieldName).max(100)])
      .optional()
      .meta({ description: 'Remember answers for the profile: true for every answered field, or the field names' }),
    page: z.number().int().min(1).optional().meta({ description: 'Guard: the page the answers are for' }),
  })
  .meta({ id: 'AnswerQuestion' });

export const ApproveBody = z
  .strictObject({ answers: Answers.optional().meta({ description: 'Changed answers by field name (fields of the page under review)' }) })
  .meta({ id: 'ApproveReview' });

export const RejectBody = z.strictObject({ reason: z.string().max(REJECT_REASON_MAX).optional() }).meta({ id: 'RejectReview' });

const FieldOption = z.object({ value: z.string(), label: z.string() });
export const InboxField = z.object({
  name: z.string(),
  label: z.string(),
  type: FieldType,
  required: z.boolean(),
  options: z.array(FieldOption).nullable(),
  description: z.string().nullable(),
  max_length: z.number().nullable(),
  accept: z.array(z.string()).nullable(),
  reason: z.string().meta({ description: 'Why the profile could not answer it (question), or its place in the review' }),
  rule: z.string().nullable().meta({ description: 'The form rule that failed, if any' }),
  page: z.number().int(),
});

const Kind = z.enum(['question', 'review', 'needs_person']);
export const InboxItem = z
  .object({
    id: z.string().meta({ description: 'Opaque and URL-safe; POST /questions/{id}/answer or /reviews/{id}/approve|reject' }),
    kind: Kind,
    application_id: z.string(),
    campaign_id: z.string().nullable(),
    profile_id: z.string(),
    job_url: z.string(),
    job_title: z.string().nullable(),
    company_name: z.string().nullable(),
    status: z.enum(APPLICATION_STATUSES),
    page: z.number().int().nullable(),
    fields: z.array(InboxField).meta({ description: 'question: the fields to answer; review: every field of the filled form' }),
    answers: Answers.meta({ description: 'review: what would be submitted' }),
    live_url: z.string().nullable().meta({ description: 'needs_person: where a person finishes by hand' }),
    asked_at: z.string().nullable(),
    deadline: z.string().nullable(),
    /** needs_person rows whose workflow no longer answers: the ledger's word only. */
    details: z
      .enum(['workflow', 'ledger'])
      .meta({ description: 'Where the details come from: the workflow (live), or only the ledger (workflow gone)' }),
    error: z.string().nullable(),
    updated_at: z.string(),
  })
  .meta({ id: 'InboxItem' });
export type InboxItem = z.infer<typeof InboxItem>;

export const InboxList = z
  .object({ data: z.array(InboxItem), pagination: z.object({ limit: z.number().int(), nextCursor: z.string().nullable() }) })
  .meta({ id: 'InboxList' });

export const TaskDone = z
  .object({ id: z.string(), application_id: z.string(), status: z.enum(APPLICATION_STATUSES), waiting_for: Kind.nullable() })
  .meta({ id: 'InboxTaskDone' });

export { FieldProblem };

/** `remember: true` → every answered field; a list as given; absent → none. */
export function rememberedFields(answers: Record<string, unknown>, remember: boolean | string[] | undefined): string[] | undefined {
  if (remember === undefined || remember === false) return undefined;
  return remember === true ? Object.keys(answers) : remember;
}

// ---- the HTML form --------------------------------------------------------------------------------

/** Input names on the page: `a:<field>` the answer, `r:<field>` remember it; `_csrf` on every form. */
export const answerInput = (field: string) => `a:${field}`;
export const rememberInput = (field: string) => `r:${field}`;
/** A file field answered with the profile's stored resume (uploads are for the API: the page sends no multipart). */
export const PROFILE_RESUME = 'profile_resume';

export type FormValues = Map<string, string[]>;

export function formValues(body: unknown): FormValues {
  const out: FormValues = new Map();
  if (typeof body === 'string') {
    for (const [k, v] of new URLSearchParams(body)) out.set(k, [...(out.get(k) ?? []), v]);
  }
  return out;
}

/**
 * One field's answer from the page's inputs, in the type the form wants, or undefined when left empty (a
 * question's empty field is not sent; the validator names it if it is required).
 */
export function answerFromForm(field: FormField, values: FormValues, profileId: string): Answer | undefined {
  const raw = values.get(answerInput(field.name)) ?? [];
  const last = raw.length ? raw[raw.length - 1] : undefined;
  switch (field.type) {
    case 'multi_select':
      return raw.filter((v) => v !== '');
    case 'boolean':
      // A hidden "false" precedes the checkbox, so an unticked box is an answer too.
      return raw.length ? raw.includes('true') : undefined;
    case 'number': {
      if (last === undefined || last.trim() === '') return undefined;
      const n = Number(last);
      return Number.isFinite(n) ? n : last; // not a number: the validator says so, naming the field
    }
    case 'file':
      return last === PROFILE_RESUME ? { kind: 'profile_resume', profile_id: profileId } : undefined;
    default:
      return last === undefined || last === '' ? undefined : last;
  }
}

/** The answers a question form carries, and the fields ticked "remember for this profile". */
export function questionFromForm(
  fields: AskedField[],
  values: FormValues,
  profileId: string,
): { answers: Record<string, Answer>; remember: string[] } {
  const answers: Record<string, Answer> = {};
  const remember: string[] = [];
  for (const f of fields) {
    const v = answerFromForm(f, values, profileId);
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    answers[f.name] = v;
    if (values.has(rememberInput(f.name))) remember.push(f.name);
  }
  return { answers, remember };
}

/** A review form's changes: only fields of the page under review whose answer differs from the filled one. */
export function reviewChangesFromForm(
  task: { page: number; fields: AskedField[]; answers: Record<string, Answer> },
  values: FormValues,
  profileId: string,
): Record<string, Answer> {
  const changed: Record<string, Answer> = {};
  for (const f of task.fields) {
    if (f.page !== task.page || f.type === 'file') continue;
    const v = answerFromForm(f, values, profileId);
    if (v === undefined) continue;
    if (JSON.stringify(v) !== JSON.stringify(task.answers[f.name])) changed[f.name] = v;
  }
  return changed;
}

export const isTaskKind = (v: unknown): v is PersonTaskKind => v === 'question' || v === 'review' || v === 'needs_person';
