/**
 * Candidate profiles (003): create, get, PATCH by section replacement, resume upload and the asynchronous
 * import (importing → ready | import_failed).
 */
import { randomUUID } from 'node:crypto';
import {
  Contact,
  CreateProfileRequest,
  PatchProfileRequest,
  RESUME_CONTENT_TYPES,
  RESUME_MAX_BYTES,
  type Profile,
  type ProfileInput,
} from '../src/jobo/schemas';
import { HttpError, badRequest, notFound, parseOr400 } from './http';
import { extractResume } from './resumeImport';
import type { ProfileLookup } from './sessions';

export const DEFAULT_IMPORT_DELAY_MS = 300;
const MAX_FILE_NAME = 255;

interface StoredResume {
  bytes: Buffer;
  fileName: string;
  contentType: string;
}

interface ProfileRecord {
  profile: Profile;
  resume: StoredResume | null;
  /** Bumped by every upload, so a superseded import does not land. */
  importGeneration: number;
  importTimer: NodeJS.Timeout | null;
}

export interface ResumeUpload {
  bytes: Buffer;
  contentType: string | undefined;
  fileName: string | undefined;
  import: boolean;
}

export class ProfileStore implements ProfileLookup {
  private readonly records = new Map<string, ProfileRecord>();

  constructor(
    private readonly now: () => number,
    private readonly importDelayMs: number = DEFAULT_IMPORT_DELAY_MS,
  ) {}

  close(): void {
    for (const r of this.records.values()) if (r.importTimer) clearTimeout(r.importTimer);
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  hasResume(id: string): boolean {
    return this.records.get(id)?.resume != null;
  }

  /** A profile with a fixed id (the demo profiles), with its resume already stored. */
  seed(id: string, body: unknown, resume: { bytes: Buffer; fileName: string; contentType: string } | null): Profile {
    const created = this.create(body, id);
    if (resume) this.putResume(id, { ...resume, import: false });
    return resume ? this.get(id) : created;
  }

  create(body: unknown, id: string = randomUUID()): Profile {
    const input = parseOr400(CreateProfileRequest, body);
    const at = iso(this.now());
    const profile: Profile = {
      id,
      name: 'Default',
      status: 'ready',
      import_error: null,
      contact: input.contact,
      location: {},
      links: {},
      work_experience: [],
      education: [],
      eligibility: {},
      preferences: {},
      self_identification: {},
      memories: [],
      cover_letter_template: null,
      resume: null,
      created_at: at,
      updated_at: at,
    };
    applySections(profile, input);
    this.records.set(profile.id, { profile, resume: null, importGeneration: 0, importTimer: null });
    return clone(profile);
  }

  get(id: string): Profile {
    return clone(this.record(id).profile);
  }

  /** Every present top-level key replaces its whole section; absent keys are untouched (003). */
  patch(id: string, body: unknown): Profile {
    const r = this.record(id);
    const input = parseOr400(PatchProfileRequest, body);
    if (Object.keys(input).length > 0) {
      applySections(r.profile, input);
      // 003: an import_failed profile is fixed with PATCH.
      if (r.profile.status === 'import_failed') {
        r.profile.status = 'ready';
        r.profile.import_error = null;
      }
      r.profile.updated_at = iso(this.now());
    }
    return clone(r.profile);
  }

  putResume(id: string, upload: ResumeUpload): Profile {
    const r = this.record(id);
    const contentType = upload.contentType?.split(';')[0].trim().toLowerCase();
    if (!contentType || !(RESUME_CONTENT_TYPES as readonly string[]).includes(contentType)) {
      const message = `expected one of ${RESUME_CONTENT_TYPES.join(', ')}`;
      throw new HttpError(415, 'invalid_request', `Unsupported resume type ${contentType ?? '(none)'}`, [
        { field: 'content_type', message },
      ]);
    }
    const fileName = decodeFileName(upload.fileName);
    if (!fileName || fileName.length > MAX_FILE_NAME) {
      throw badRequest('X-File-Name is required', [
        { field: 'file_name', message: `expected the X-File-Name header (1 to ${MAX_FILE_NAME} characters)` },
      ]);
    }
    if (upload.bytes.length > RESUME_MAX_BYTES) {
      throw new HttpError(413, 'invalid_request', 'Resume too large', [
        { field: 'file', message: `must be at most ${RESUME_MAX_BYTES} bytes` },
      ]);
    }
    const at = iso(this.now());
    r.resume = { bytes: upload.bytes, fileName, contentType };
    r.profile.resume = {
      file_name: fileName,
      content_type: contentType,
      size_bytes: upload.bytes.length,
      uploaded_at: at,
      download_url: `/api/auto-apply/profiles/${id}/resume`,
    };
    r.profile.updated_at = at;
    r.importGeneration++;
    if (r.importTimer) clearTimeout(r.importTimer);
    r.importTimer = null;
    if (upload.import) {
      r.profile.status = 'importing';
      r.profile.import_error = null;
      const generation = r.importGeneration;
      r.importTimer = setTimeout(() => this.finishImport(r, generation), this.importDelayMs);
      r.importTimer.unref();
    }
    return clone(r.profile);
  }

  getResume(id: string): StoredResume {
    const resume = this.record(id).resume;
    if (!resume) throw notFound('Resume');
    return resume;
  }

  private finishImport(r: ProfileRecord, generation: number): void {
    r.importTimer = null;
    if (generation !== r.importGeneration || !r.resume) return;
    const p = r.profile;
    const found = extractResume(r.resume.bytes);
    if (found) {
      // Contact merges (it must stay complete); the other imported sections replace what was there.
      const contact = Contact.safeParse({ ...p.contact, ...found.contact });
      if (contact.success) p.contact = contact.data;
      if (Object.keys(found.links).length > 0) p.links = found.links;
      if (found.work_experience.length > 0) p.work_experience = found.work_experience;
      if (found.education.length > 0) p.education = found.education;
      if (found.memories.length > 0) p.memories = found.memories;
      p.status = 'ready';
      p.import_error = null;
    } else {
      p.status = 'import_failed';
      p.import_error = `Could not extract any resume content from ${r.resume.fileName} (empty or unreadable file)`;
    }
    p.updated_at = iso(this.now());
  }

  private record(id: string): ProfileRecord {
    const r = this.records.get(id);
    if (!r) throw notFound('Profile');
    return r;
  }
}

function applySections(p: Profile, input: ProfileInput): void {
  const { cover_letter_template, ...sections } = input;
  Object.assign(p, sections);
  // 003: on PATCH, "" clears the template (null); absent leaves it.
  if (cover_letter_template !== undefined) p.cover_letter_template = cover_letter_template === '' ? null : cover_letter_template;
}

function decodeFileName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw).trim();
  } catch {
    return raw.trim();
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const clone = (p: Profile): Profile => structuredClone(p);
