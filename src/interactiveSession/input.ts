/**
 * Pure checks for an interactive session's input, shared by the typed client, the CLI and the workflow
 * (which re-checks, since the `temporal` CLI and the UI start it with raw JSON). No zod and no URL global:
 * this module is bundled into workflow code.
 */

/** Same limit as JOB_URL_MAX in src/jobo/schemas.ts (zod cannot enter the workflow bundle; a unit test keeps them equal). */
export const JOB_URL_MAX_LENGTH = 2000;
export const DEFAULT_IDLE_TIMEOUT_MINUTES = 30;
export const MAX_IDLE_TIMEOUT_MINUTES = 7 * 24 * 60;
export const MAX_REDIRECT_HOPS = 3;
export const SESSION_WORKFLOW_PREFIX = 'interactive-session/';

export interface InteractiveSessionInput {
  /** The job posting's application URL: absolute http(s), at most 2000 characters. */
  jobUrl: string;
  /** Minutes without answers before the session is ended as expired (default 30). */
  idleTimeoutMinutes?: number;
  profileId?: string;
}

export interface InputProblem {
  field: string;
  message: string;
}

// scheme://[userinfo@]host[:port][/?#rest]: no whitespace before the path; inside it spaces are allowed,
// as the upstream's URL parser percent-encodes them (kept in step with JobUrl in schemas.ts by a unit test).
const HTTP_URL = /^https?:\/\/(?:[^\s/?#@]+@)?(?:\[[0-9a-f:.]+\]|[^\s/?#:@[\]]+)(?::(\d{1,5}))?(?:[/?#].*\S)?[/?#]?$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID_SUFFIX = /^[A-Za-z0-9_.-]{1,64}$/;

/** The problem with a job URL, or null when it is an absolute http(s) URL of at most 2000 characters. */
export function jobUrlProblem(url: unknown): string | null {
  if (typeof url !== 'string' || url.length === 0) return 'required: an absolute http(s) URL';
  if (url.length > JOB_URL_MAX_LENGTH) return `must be at most ${JOB_URL_MAX_LENGTH} characters (got ${url.length})`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(url)) return 'must not contain control characters';
  const m = HTTP_URL.exec(url);
  if (!m || (m[1] !== undefined && Number(m[1]) > 65535)) {
    return `must be an absolute http(s) URL (got ${JSON.stringify(url.slice(0, 80))})`;
  }
  return null;
}

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

/** One line per problem; messages that already name their field (validateAnswers') are not prefixed twice. */
export function problemText(p: InputProblem): string {
  return p.message.startsWith(p.field) ? p.message : `${p.field}: ${p.message}`;
}

export function formatProblems(problems: InputProblem[]): string {
  return problems.map(problemText).join('; ');
}

/** Bad input caught at an edge (client, API, CLI) before anything started; `problems` names each field. */
export class InvalidInputError extends Error {
  constructor(
    what: string,
    readonly problems: InputProblem[],
  ) {
    super(`invalid ${what} input: ${formatProblems(problems)}`);
    this.name = new.target.name;
  }
}

/** FNV-1a (32-bit), hex: a short, stable tag of the job URL for the workflow id (no crypto in workflow code). */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** `interactive-session/<hash of url>-<suffix>` (check the suffix with idSuffixProblem first): the URL tag groups a job's sessions in the UI's id search. */
export function sessionWorkflowId(jobUrl: string, suffix: string): string {
  return `${SESSION_WORKFLOW_PREFIX}${shortHash(jobUrl)}-${suffix}`;
}

export function idSuffixProblem(suffix: string): string | null {
  return ID_SUFFIX.test(suffix) ? null : 'expected 1-64 characters of [A-Za-z0-9_.-]';
}
