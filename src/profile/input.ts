/**
 * Profile input from a JSON file: the create and patch bodies of 003, checked with the contract's own schemas
 * (src/jobo/schemas.ts) so the limits are the upstream's. Every problem names its field by path, e.g.
 * `work_experience.3.company: required`, and nothing is sent while any remain.
 */
import type { z } from 'zod';
import { CreateProfileRequest, PatchProfileRequest } from '../jobo/schemas';

export interface ProfileProblem {
  field: string;
  message: string;
}

export class ProfileInputError extends Error {
  constructor(
    readonly problems: ProfileProblem[],
    what = 'profile',
  ) {
    super(`invalid ${what}:\n${problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`);
    this.name = 'ProfileInputError';
  }
}

function problemsOf(error: z.ZodError): ProfileProblem[] {
  return error.issues.flatMap((issue): ProfileProblem[] => {
    const at = issue.path.map(String);
    // Unknown keys are one issue for several keys: name each one.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ field: [...at, k].join('.'), message: 'unknown field' }));
    }
    const missing = issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined;
    return [{ field: at.join('.') || '(body)', message: missing ? 'required' : issue.message }];
  });
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ProfileInputError([{ field: '(file)', message: `not valid JSON: ${(err as Error).message}` }], what);
  }
}

function check<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ProfileInputError(problemsOf(parsed.error), what);
  return parsed.data;
}

/** POST body: contact (first_name, last_name, email) is required; absent sections start empty. */
export function parseCreateProfile(value: unknown): CreateProfileRequest {
  return check(CreateProfileRequest, value, 'profile');
}

/** PATCH body: each present top-level key replaces that whole section; an empty patch is refused. */
export function parsePatchProfile(value: unknown): PatchProfileRequest {
  const patch = check(PatchProfileRequest, value, 'profile patch');
  if (Object.keys(patch).length === 0) {
    throw new ProfileInputError([{ field: '(body)', message: 'nothing to change: give at least one section' }], 'profile patch');
  }
  return patch;
}

export const parseCreateProfileFile = (text: string) => parseCreateProfile(parseJson(text, 'profile'));
export const parsePatchProfileFile = (text: string) => parsePatchProfile(parseJson(text, 'profile patch'));
