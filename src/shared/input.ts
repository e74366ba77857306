/**
 * Pure input helpers every capability's edge and workflow use: the job URL check, problem lists naming
 * their field, the typed error for bad input, and a short stable hash. Bundled into workflow code: no zod,
 * no URL global, no crypto.
 */

/** Same limit as JOB_URL_MAX in src/jobo/schemas.ts (zod cannot enter the workflow bundle; a unit test keeps them equal). */
export const JOB_URL_MAX_LENGTH = 2000;

export interface InputProblem {
  field: string;
  message: string;
}

// scheme://[userinfo@]host[:port][/?#rest]: no whitespace before the path; inside it spaces are allowed,
// as the upstream's URL parser percent-encodes them (kept in step with JobUrl in schemas.ts by a unit test).
const HTTP_URL = /^https?:\/\/(?:[^\s/?#@]+@)?(?:\[[0-9a-f:.]+\]|[^\s/?#:@[\]]+)(?::(\d{1,5}))?(?:[/?#].*\S)?[/?#]?$/i;

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
