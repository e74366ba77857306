/**
 * Pure checks for an interactive session's input, shared by the typed client, the CLI and the workflow
 * (which re-checks, since the `temporal` CLI and the UI start it with raw JSON). No zod and no URL global:
 * this module is bundled into workflow code.
 */
import { jobUrlProblem, shortHash, type InputProblem } from '../shared/input';

export const DEFAULT_IDLE_TIMEOUT_MINUTES = 30;
export const MAX_IDLE_TIMEOUT_MINUTES = 7 * 24 * 60;
export const SESSION_WORKFLOW_PREFIX = 'interactive-session/';

export interface InteractiveSessionInput {
  /** The job posting's application URL: absolute http(s), at most 2000 characters. */
  jobUrl: string;
  /** Minutes without answers before the session is ended as expired (default 30). */
  idleTimeoutMinutes?: number;
  profileId?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID_SUFFIX = /^[A-Za-z0-9_.-]{1,64}$/;

export function validateSessionInput(input: unknown): InputProblem[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ field: 'input', message: 'expected an object { jobUrl, idleTimeoutMinutes?, profileId? }' }];
  }
  const { jobUrl, idleTimeoutMinutes, profileId, ...rest } = input as Record<string, unknown>;
  const problems: InputProblem[] = [];
  const urlProblem = jobUrlProblem(jobUrl);
  if (urlProblem) problems.push({ field: 'jobUrl', message: urlProblem });
  if (
    idleTimeoutMinutes !== undefined &&
    (typeof idleTimeoutMinutes !== 'number' ||
      !Number.isFinite(idleTimeoutMinutes) ||
      idleTimeoutMinutes <= 0 ||
      idleTimeoutMinutes > MAX_IDLE_TIMEOUT_MINUTES)
  ) {
    problems.push({ field: 'idleTimeoutMinutes', message: `must be a number of minutes in (0, ${MAX_IDLE_TIMEOUT_MINUTES}]` });
  }
  if (profileId !== undefined && (typeof profileId !== 'string' || !GUID.test(profileId))) {
    problems.push({ field: 'profileId', message: 'must be a profile UUID' });
  }
  for (const key of Object.keys(rest)) problems.push({ field: key, message: 'unknown input field' });
  return problems;
}

/** `interactive-session/<hash of url>-<suffix>` (check the suffix with idSuffixProblem first): the URL tag groups a job's sessions in the UI's id search. */
export function sessionWorkflowId(jobUrl: string, suffix: string): string {
  return `${SESSION_WORKFLOW_PREFIX}${shortHash(jobUrl)}-${suffix}`;
}

export function idSuffixProblem(suffix: string): string | null {
  return ID_SUFFIX.test(suffix) ? null : 'expected 1-64 characters of [A-Za-z0-9_.-]';
}
