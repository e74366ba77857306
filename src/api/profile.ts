/**
 * Candidate profiles belong to API users. The profile endpoints proxy the Jobo profiles API (003) with the
 * CLI's validation (src/profile/input.ts, src/profile/resume.ts) and record the creator as the owner;
 * campaigns and interactive sessions may use only the caller's profiles. An unknown profile and another
 * user's answer the same 404 (existence is not disclosed), and nothing is sent upstream for either.
 */
import { z } from 'zod';
import { findJoboFailure, JoboFailure, type JoboFailureDetails } from '../jobo/failures';
import type { JoboClient } from '../jobo/client';
import {
  CreateProfileRequest,
  PatchProfileRequest,
  Profile,
  RESUME_CONTENT_TYPES,
  RESUME_FILE_NAME_HEADER,
  RESUME_MAX_BYTES,
} from '../jobo/schemas';
import { parseCreateProfile, parsePatchProfile } from '../profile/input';
import { resumeFile } from '../profile/resume';
import type { ProfileOwners } from '../store/profileOwners';
import { REMEMBERABLE_TYPES, rememberedKey, type RememberedAnswer } from '../answers/remembered';
import { parseRememberAnswer } from '../profile/rememberedAnswers';
import type { RememberedAnswers, StoredRememberedAnswer } from '../store/rememberedAnswers';
import { ERRORS, userOf, type ApiContext, type ZodApp } from './context';
import { ApiError, invalidRequest } from './errors';
import { ErrorResponse, ProfileId } from './schemas';

const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

export const PROFILES = '/api/v1/profiles';

export type ProfileUpstream = Pick<JoboClient, 'getProfile' | 'createProfile' | 'patchProfile' | 'uploadResume'>;

export interface KnownProfile {
  email: string | null;
}

const profileNotFound = (profileId: string, field?: string) =>
  new ApiError(404, 'not_found', `profile ${profileId} not found`, field ? [{ field, message: 'unknown profile' }] : undefined);

export class ProfileAccess {
  // Upstream reads only, by profile id; ownership is read from the store on every request.
  private readonly known = new Map<string, { until: number; profile: KnownProfile }>();

  constructor(
    readonly jobo: ProfileUpstream,
    private readonly owners: () => Promise<ProfileOwners>,
    private readonly remembered?: () => Promise<RememberedAnswers>,
  ) {}

  ownersStore(): Promise<ProfileOwners> {
    return this.owners();
  }

  /** The profiles' remembered answers; without a store their routes answer 503. */
  rememberedAnswers(): Promise<RememberedAnswers> {
    if (!this.remembered) throw new ApiError(503, 'unavailable', 'remembered answers are not configured on this server');
    return this.remembered();
  }

  /** Throws the 404 unless `userId` owns the profile; the store is asked before anything goes upstream. */
  async assertOwnedLocally(profileId: string, userId: string, field?: string): Promise<void> {
    if ((await (await this.owners()).ownerOf(profileId)) !== userId) throw profileNotFound(profileId, field);
  }

  /**
   * The caller's profile, checked upstream too (known ids are remembered for a minute, so a burst of
   * creations costs one upstream call). The contact email comes along for candidate_email.
   */
  async assertOwned(profileId: string, userId: string, field: string): Promise<KnownProfile> {
    await this.assertOwnedLocally(profileId, userId, field);
    const hit = this.known.get(profileId);
    if (hit !== undefined && hit.until > Date.now()) return hit.profile;
    let profile: KnownProfile;
    try {
      profile = { email: (await this.jobo.getProfile(profileId)).contact?.email ?? null };
    } catch (err) {
      if (findJoboFailure(err, JoboFailure.NotFound)) throw profileNotFound(profileId, field);
      throw err;
    }
    this.remember(profileId, profile);
    return profile;
  }

  remember(profileId: string, profile: KnownProfile): void {
    if (this.known.size >= MAX_ENTRIES) this.known.clear();
    this.known.set(profileId, { until: Date.now() + TTL_MS, profile });
  }
}

/** Upstream rejections with per-field problems are 400s like local ones (the CLI does the same). */
async function upstream<T>(profileId: string | null, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const jobo = findJoboFailure(err);
    if (jobo?.type === JoboFailure.NotFound && profileId) throw profileNotFound(profileId);
    const fields = (jobo?.details?.[0] as JoboFailureDetails | undefined)?.fields ?? [];
    if (jobo && fields.length) throw invalidRequest(fields);
    throw err;
  }
}

const ProfileParams = z.strictObject({ profileId: ProfileId });
const OwnedProfile = z.object({ profile_id: z.string(), assigned_at: z.string().meta({ format: 'date-time' }) });
const ImportStatus = z
  .object({
    profile_id: z.string(),
    status: z.enum(['ready', 'importing', 'import_failed']),
    import_error: z.string().nullable(),
    resume: z.object({ file_name: z.string(), content_type: z.string(), size_bytes: z.number().int() }).nullable(),
  })
  .meta({ id: 'ResumeImportStatus' });
const ResumeQuery = z.strictObject({
  import: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true')
    .meta({ description: 'Import the resume into the profile (default true); poll GET …/resume/import for the outcome' }),
});
const ResumeHeaders = z.object({
  [RESUME_FILE_NAME_HEADER]: z
    .string()
    .min(1)
    .max(255)
    .meta({ description: 'The file name (percent-encoded); its extension picks the type' }),
  'content-type': z.string().optional(),
});

const AnswerParams = z.strictObject({
  profileId: ProfileId,
  key: z
    .string()
    .min(1)
    .max(1100)
    .meta({ description: 'The question: `<field type>:<normalized-label>`, e.g. `select:are-you-at-least-18-years-of-age`' }),
});
const AnswerOption = z.object({ value: z.string(), label: z.string() });
const AnswerValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);
const RememberBody = z
  .strictObject({
    label: z.string().meta({
      description: "The question's label as a form writes it; compared normalized (case, spacing, punctuation, a trailing * or (required))",
    }),
    type: z.enum(REMEMBERABLE_TYPES),
    options: z
      .array(AnswerOption)
      .nullable()
      .optional()
      .meta({ description: 'select / multi_select: the options the answer was picked from' }),
    value: AnswerValueSchema,
  })
  .meta({ id: 'RememberAnswerRequest' });
const RememberedAnswerView = z
  .object({
    key: z.string(),
    label: z.string(),
    type: z.enum(REMEMBERABLE_TYPES),
    options: z.array(AnswerOption).nullable(),
    value: AnswerValueSchema.nullable().meta({ description: 'null when unreadable' }),
    unreadable: z
      .string()
      .nullable()
      .meta({ description: 'Why the stored value cannot be read (sealed with a codec key this server does not have); never used then' }),
    created_at: z.string().meta({ format: 'date-time' }),
    updated_at: z.string().meta({ format: 'date-time' }),
  })
  .meta({ id: 'RememberedAnswer' });

const answerView = (a: StoredRememberedAnswer | RememberedAnswer) => ({
  key: a.key,
  label: a.label,
  type: a.type as (typeof REMEMBERABLE_TYPES)[number],
  options: a.options,
  value: a.value,
  unreadable: 'unreadable' in a ? a.unreadable : null,
  created_at: a.createdAt,
  updated_at: a.updatedAt,
});

const answerNotFound = (key: string) => new ApiError(404, 'not_found', `remembered answer ${key} not found`);

export function registerProfileRoutes(app: ZodApp, ctx: ApiContext): void {
  const tags = ['profile'];
  const access = ctx.profiles;

  // Resumes arrive as the raw file (003's upload convention); the route checks type and size.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser([...RESUME_CONTENT_TYPES], { parseAs: 'buffer', bodyLimit: RESUME_MAX_BYTES + 1 }, (_req, body, done) =>
    done(null, body),
  );

  app.post(
    PROFILES,
    {
      schema: {
        tags,
        summary: 'Create a profile (the 003 create body; contact is required); the caller owns it',
        body: CreateProfileRequest,
        response: { 201: Profile, ...ERRORS, 502: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (req, reply) => {
      const body = parseCreateProfile(req.body);
      const created = await upstream(null, () => access.jobo.createProfile(body));
      await (await access.ownersStore()).assign(created.id, userOf(req));
      access.remember(created.id, { email: created.contact?.email ?? null });
      return reply.code(201).header('location', `${PROFILES}/${created.id}`).send(created);
    },
  );

  app.get(
    PROFILES,
    {
      schema: {
        tags,
        summary: "The caller's profile ids, oldest first",
        response: { 200: z.object({ data: z.array(OwnedProfile) }), ...ERRORS },
      },
    },
    async (req) => ({
      data: (await (await access.ownersStore()).profilesOf(userOf(req))).map((o) => ({
        profile_id: o.profileId,
        assigned_at: o.assignedAt,
      })),
    }),
  );

  app.get(
    `${PROFILES}/:profileId`,
    {
      schema: {
        tags,
        summary: 'A profile of the caller',
        params: ProfileParams,
        response: { 200: Profile, ...ERRORS, 502: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (req) => {
      const { profileId } = req.params;
      await access.assertOwnedLocally(profileId, userOf(req));
      return upstream(profileId, () => access.jobo.getProfile(profileId));
    },
  );

  app.patch(
    `${PROFILES}/:profileId`,
    {
      schema: {
        tags,
        summary: 'Replace the sections present in the body; absent sections are left untouched',
        params: ProfileParams,
        body: PatchProfileRequest,
        response: { 200: Profile, ...ERRORS, 502: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (req) => {
      const { profileId } = req.params;
      await access.assertOwnedLocally(profileId, userOf(req));
      const patch = parsePatchProfile(req.body);
      const updated = await upstream(profileId, () => access.jobo.patchProfile(profileId, patch));
      access.remember(profileId, { email: updated.contact?.email ?? null });
      return updated;
    },
  );

  app.put(
    `${PROFILES}/:profileId/resume`,
    {
      bodyLimit: RESUME_MAX_BYTES + 1,
      schema: {
        tags,
        summary: 'Upload a resume (raw file body, its type as Content-Type, X-File-Name); imports it unless import=false',
        params: ProfileParams,
        querystring: ResumeQuery,
        headers: ResumeHeaders,
        response: { 202: Profile, ...ERRORS, 413: ErrorResponse, 502: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (req, reply) => {
      const { profileId } = req.params;
      await access.assertOwnedLocally(profileId, userOf(req));
      if (!Buffer.isBuffer(req.body)) {
        throw invalidRequest([{ field: 'content-type', message: `expected one of ${RESUME_CONTENT_TYPES.join(', ')}` }]);
      }
      let fileName: string;
      try {
        fileName = decodeURIComponent(req.headers[RESUME_FILE_NAME_HEADER]);
      } catch {
        throw invalidRequest([{ field: RESUME_FILE_NAME_HEADER, message: 'not valid percent-encoding' }]);
      }
      const file = resumeFile(fileName, req.body);
      const sent = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (sent !== file.contentType)
        throw invalidRequest([{ field: 'content-type', message: `must be ${file.contentType} for this file name` }]);
      const profile = await upstream(profileId, () => access.jobo.uploadResume(profileId, file, { import: req.query.import }));
      return reply.code(202).send(profile);
    },
  );

  app.get(
    `${PROFILES}/:profileId/resume/import`,
    {
      schema: {
        tags,
        summary: "The resume import's status (importing, ready, import_failed with import_error)",
        params: ProfileParams,
        response: { 200: ImportStatus, ...ERRORS, 502: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (req) => {
      const { profileId } = req.params;
      await access.assertOwnedLocally(profileId, userOf(req));
      const p = await upstream(profileId, () => access.jobo.getProfile(profileId));
      return {
        profile_id: p.id,
        status: p.status,
        import_error: p.import_error,
        resume: p.resume ? { file_name: p.resume.file_name, content_type: p.resume.content_type, size_bytes: p.resume.size_bytes } : null,
      };
    },
  );

  // Remembered answers: what the profile's person answered once, reused on later forms (src/answers/remembered.ts).
  const answerTags = ['remembered answers'];
  app.get(
    `${PROFILES}/:profileId/answers`,
    {
      schema: {
        tags: answerTags,
        summary: "The profile's remembered answers, by key",
        params: ProfileParams,
        response: { 200: z.object({ data: z.array(RememberedAnswerView) }), ...ERRORS, 503: ErrorResponse },
      },
    },
    async (req) => {
      const { profileId } = req.params;
      await access.assertOwnedLocally(profileId, userOf(req));
      return { data: (await (await access.rememberedAnswers()).list(profileId)).map(answerView) };
    },
  );

  app.put(
    `${PROFILES}/:profileId/answers/:key`,
    {
      schema: {
        tags: answerTags,
        summary: 'Remember an answer (create or replace); the key must be the one of its label and type',
        params: AnswerParams,
        body: RememberBody,
        response: { 200: RememberedAnswerView, 201: RememberedAnswerView, ...ERRORS, 503: ErrorResponse },
      },
    },
    async (req, reply) => {
      const { profileId, key } = req.params;
      await access.assertOwnedLocally(profileId, userOf(req));
      const answer = parseRememberAnswer(req.body);
      const expected = rememberedKey(answer.label, answer.type);
      if (expected !== key) throw invalidRequest([{ field: 'key', message: `must be ${expected} for this label and type` }]);
      const { answer: stored, created } = await (await access.rememberedAnswers()).remember(profileId, answer);
      return reply
        .code(created ? 201 : 200)
        .header('location', `${PROFILES}/${profileId}/answers/${encodeURIComponent(stored.key)}`)
        .send(answerView(stored));
    },
  );

  app.delete(
    `${PROFILES}/:profileId/answers/:key`,
    {
      schema: {
        tags: answerTags,
        summary: 'Forget a remembered answer (the question is asked again)',
        params: AnswerParams,
        response: { 204: z.null(), ...ERRORS, 503: ErrorResponse },
      },
    },
    async (req, reply) => {
      const { profileId, key } = req.params;
      await access.assertOwnedLocally(profileId, userOf(req));
      if (!(await (await access.rememberedAnswers()).forget(profileId, key))) throw answerNotFound(key);
      return reply.code(204).send(null);
    },
  );
}
