/**
 * Resume upload and import (003): PUT the file with ?import=true, then poll the profile until it leaves
 * `importing` (ready, or import_failed with import_error).
 */
import { basename, extname } from 'node:path';
import type { JoboClient } from '../jobo/client';
import { RESUME_CONTENT_TYPES, RESUME_MAX_BYTES, type Profile } from '../jobo/schemas';
import { ProfileInputError } from './input';

const CONTENT_TYPES: Record<string, (typeof RESUME_CONTENT_TYPES)[number]> = {
  '.pdf': 'application/pdf',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.txt': 'text/plain',
};

export interface ResumeFile {
  fileName: string;
  contentType: string;
  data: Buffer;
}

/** A resume file by its path's extension; unsupported types and sizes are refused before any upload. */
export function resumeFile(path: string, data: Buffer): ResumeFile {
  const contentType = CONTENT_TYPES[extname(path).toLowerCase()];
  const problems = [];
  if (!contentType)
    problems.push({ field: 'resume', message: `unsupported file type; expected one of ${Object.keys(CONTENT_TYPES).join(', ')}` });
  if (data.length === 0) problems.push({ field: 'resume', message: 'the file is empty' });
  if (data.length > RESUME_MAX_BYTES)
    problems.push({ field: 'resume', message: `must be at most ${RESUME_MAX_BYTES} bytes (got ${data.length})` });
  if (problems.length) throw new ProfileInputError(problems, 'resume');
  return { fileName: basename(path), contentType, data };
}

export interface ImportOptions {
  pollIntervalMs?: number;
  timeoutMs?: number;
  /** Called with each profile state seen while polling (the CLI shows progress). */
  onPoll?: (p: Profile) => void;
}

export class ResumeImportTimeout extends Error {
  constructor(
    readonly profileId: string,
    timeoutMs: number,
  ) {
    super(`profile ${profileId} is still importing after ${timeoutMs} ms`);
    this.name = 'ResumeImportTimeout';
  }
}

/** Uploads and imports; resolves with the profile once it is `ready` or `import_failed` (see import_error). */
export async function importResume(
  jobo: Pick<JoboClient, 'uploadResume' | 'getProfile'>,
  profileId: string,
  file: ResumeFile,
  { pollIntervalMs = 500, timeoutMs = 120_000, onPoll }: ImportOptions = {},
): Promise<Profile> {
  let profile = await jobo.uploadResume(profileId, file, { import: true });
  const deadline = Date.now() + timeoutMs;
  while (profile.status === 'importing') {
    if (Date.now() > deadline) throw new ResumeImportTimeout(profileId, timeoutMs);
    await new Promise((r) => setTimeout(r, pollIntervalMs));
    profile = await jobo.getProfile(profileId);
    onPoll?.(profile);
  }
  return profile;
}
