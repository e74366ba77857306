// Shared by the application tests: an applicant the answer engine can fill every sandbox form for (given
// the caller's answers below), jobs from the sandbox's corpus mirrored into the job store, and ground truth.
import type { JoboClient } from '../src/jobo/client';
import type { AnswerValue, CreateProfileRequest } from '../src/jobo/schemas';
import type { JobStore } from '../src/store/types';
import type { SandboxAdmin } from '../sandbox/admin';
import { exampleProfile } from './fixtures/profiles';

const { id, status, import_error, resume, created_at, updated_at, ...body } = exampleProfile;

/** The reference profile with a cover letter template, so motivation questions are answered per job. */
export const APPLICANT: CreateProfileRequest = {
  ...body,
  contact: body.contact!,
  cover_letter_template: 'I would love to bring eight years of backend engineering to {{company}} as {{title}}.',
};

/** What a campaign passes for the questions no profile answers (lever's project card, generic's team). */
export const CALLER_ANSWERS: Record<string, AnswerValue> = {
  'Tell us about a project you are proud of.': 'A Go/Kubernetes event pipeline handling 2B events a day.',
  team: 'Engineering',
};

/** A profile with a stored resume (file fields are answered with it by reference). */
export async function createApplicant(jobo: JoboClient, over: Partial<CreateProfileRequest> = {}): Promise<string> {
  const profile = await jobo.createProfile({ ...APPLICANT, ...over });
  await jobo.uploadResume(profile.id, { fileName: 'ada.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 Ada Lovelace') });
  return profile.id;
}

export interface CorpusJob {
  id: string;
  url: string;
  provider: string;
}

/** Active corpus jobs (at most `perProvider` of each ATS), written to the store as feed sync would. */
export async function corpusJobs(admin: SandboxAdmin, store: JobStore, n: number): Promise<CorpusJob[]> {
  const { active } = await admin.groundTruthJobs();
  const jobs = await Promise.all(active.slice(0, n).map((j) => admin.job(j.id)));
  await store.upsertJobs(jobs.map((j) => j.job));
  return jobs.map((j) => ({ id: j.job.id, url: j.job.apply_url, provider: j.job.source }));
}

/** Upstream submissions per job URL for one profile: the "nothing twice" ground truth. */
export async function submissionsOf(admin: SandboxAdmin, profileId: string): Promise<Map<string, number>> {
  const { submissions } = await admin.submissions();
  return new Map(submissions.filter((s) => s.profile_id === profileId).map((s) => [s.job_url, s.count]));
}
