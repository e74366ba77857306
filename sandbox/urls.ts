/**
 * Job URLs in the sandbox: which ATS provider a URL belongs to, how to build a provider's job URL from a
 * slug, and the special test URLs on careers.example.com (redirect chains, captcha, error).
 *
 * Pure string work (no `URL`, no Node APIs) so workflow code can detect a provider for a search attribute.
 *
 * A slug is `<company>/<jobId>` (or a bare `<jobId>`, company "example"), e.g. `acme/4567890`:
 *   greenhouse  https://boards.greenhouse.io/acme/jobs/4567890
 *   lever       https://jobs.lever.co/acme/4567890
 *   ashby       https://jobs.ashbyhq.com/acme/4567890
 *   workday     https://acme.wd1.myworkdayjobs.com/en-US/External/job/4567890
 *   generic     https://careers.acme.example.org/jobs/4567890
 * Test URLs:
 *   https://careers.example.com/redirect/<hops>/<provider>/<slug>   redirect_required, one hop at a time
 *   https://careers.example.com/captcha/<slug>                      ends in captcha
 *   https://careers.example.com/error/<slug>                        ends in error
 * `/captcha/` and `/error/` are recognised as a whole path segment on any host.
 */

export const PROVIDER_IDS = ['greenhouse', 'lever', 'ashby', 'workday', 'generic'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export const PROVIDER_NAMES: Readonly<Record<ProviderId, string>> = {
  greenhouse: 'Greenhouse',
  lever: 'Lever',
  ashby: 'Ashby',
  workday: 'Workday',
  generic: 'Generic',
};

export interface ProviderInfo {
  id: ProviderId;
  name: string;
}

export const TEST_HOST = 'careers.example.com';
const DEFAULT_COMPANY = 'example';

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}

export function providerInfo(id: ProviderId): ProviderInfo {
  return { id, name: PROVIDER_NAMES[id] };
}

export interface ParsedUrl {
  scheme: 'http' | 'https';
  /** Lower-cased, without port. */
  host: string;
  /** Path segments, decoded, without empty ones. */
  segments: string[];
}

// A deliberately small parser: only what provider detection needs, identical in Node and a workflow isolate.
const URL_RE = /^(https?):\/\/(?:[^@/?#]*@)?([^/?#:]+)(?::\d+)?([^?#]*)/i;

export function parseHttpUrl(url: string): ParsedUrl | null {
  const m = URL_RE.exec(url.trim());
  if (!m) return null;
  const segments = m[3]
    .split('/')
    .filter((s) => s.length > 0)
    .map(safeDecode);
  return { scheme: m[1].toLowerCase() as 'http' | 'https', host: m[2].toLowerCase(), segments };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function providerForHost(host: string): ProviderId {
  if (host === 'boards.greenhouse.io' || host === 'job-boards.greenhouse.io') return 'greenhouse';
  if (host === 'jobs.lever.co') return 'lever';
  if (host === 'jobs.ashbyhq.com') return 'ashby';
  if (host.endsWith('.myworkdayjobs.com')) return 'workday';
  return 'generic';
}

/** The ATS provider of a job URL by its host; anything unknown (or unparseable) is `generic`. */
export function detectProvider(url: string): ProviderInfo {
  const parsed = parseHttpUrl(url);
  return providerInfo(parsed ? providerForHost(parsed.host) : 'generic');
}

export interface JobRef {
  company: string;
  jobId: string;
}

export function slugOf(ref: JobRef): string {
  return `${ref.company}/${ref.jobId}`;
}

export function parseSlug(slug: string): JobRef {
  const parts = slug.split('/').filter((s) => s.length > 0);
  if (parts.length >= 2) return { company: parts[0], jobId: parts.slice(1).join('/') };
  return { company: DEFAULT_COMPANY, jobId: parts[0] ?? '' };
}

const enc = encodeURIComponent;

/** The provider's public job URL for a slug (`<company>/<jobId>` or `<jobId>`). */
export function providerJobUrl(provider: ProviderId, slug: string): string {
  const { company, jobId } = parseSlug(slug);
  switch (provider) {
    case 'greenhouse':
      return `https://boards.greenhouse.io/${enc(company)}/jobs/${enc(jobId)}`;
    case 'lever':
      return `https://jobs.lever.co/${enc(company)}/${enc(jobId)}`;
    case 'ashby':
      return `https://jobs.ashbyhq.com/${enc(company)}/${enc(jobId)}`;
    case 'workday':
      // Workday tenants are host labels: keep them DNS-safe.
      return `https://${hostLabel(company)}.wd1.myworkdayjobs.com/en-US/External/job/${enc(jobId)}`;
    case 'generic':
      return `https://careers.${hostLabel(company)}.example.org/jobs/${enc(jobId)}`;
  }
}

function hostLabel(s: string): string {
  const label = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return label.length > 0 ? label.slice(0, 63) : DEFAULT_COMPANY;
}

/** Company/tenant and job id recovered from a provider URL built by providerJobUrl (best effort for others). */
export function jobRefOf(url: string): JobRef | null {
  const p = parseHttpUrl(url);
  if (!p) return null;
  const provider = providerForHost(p.host);
  const s = p.segments;
  switch (provider) {
    case 'greenhouse':
      return s.length >= 3 && s[1] === 'jobs' ? { company: s[0], jobId: s[2] } : null;
    case 'lever':
    case 'ashby':
      return s.length >= 2 ? { company: s[0], jobId: s[1] } : null;
    case 'workday':
      return s.length >= 1 ? { company: p.host.split('.')[0], jobId: s[s.length - 1] } : null;
    case 'generic': {
      const special = testUrlKind(p);
      if (special.kind === 'redirect') return parseSlug(special.slug);
      if (special.kind !== 'none') return parseSlug(s.slice(s.indexOf(special.kind) + 1).join('/'));
      const m = /^careers\.([a-z0-9-]+)\.example\.org$/.exec(p.host);
      return m && s.length >= 1 ? { company: m[1], jobId: s[s.length - 1] } : null;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Test URLs
// ---------------------------------------------------------------------------------------------------

export interface RedirectUrl {
  /** Redirects still to follow before the provider's URL is reached (>= 1 for a real redirect). */
  hops: number;
  provider: ProviderId;
  slug: string;
}

export type TestUrlKind = ({ kind: 'redirect' } & RedirectUrl) | { kind: 'captcha' } | { kind: 'error' } | { kind: 'none' };

function testUrlKind(p: ParsedUrl): TestUrlKind {
  const s = p.segments;
  if (p.host === TEST_HOST && s[0] === 'redirect' && s.length >= 4 && /^\d{1,3}$/.test(s[1]) && isProviderId(s[2])) {
    return { kind: 'redirect', hops: Number(s[1]), provider: s[2], slug: s.slice(3).join('/') };
  }
  if (s.includes('captcha')) return { kind: 'captcha' };
  if (s.includes('error')) return { kind: 'error' };
  return { kind: 'none' };
}

/** What a test URL asks the sandbox to do; `none` for an ordinary job URL. */
export function classifyTestUrl(url: string): TestUrlKind {
  const p = parseHttpUrl(url);
  return p ? testUrlKind(p) : { kind: 'none' };
}

export function parseRedirectUrl(url: string): RedirectUrl | null {
  const k = classifyTestUrl(url);
  return k.kind === 'redirect' ? { hops: k.hops, provider: k.provider, slug: k.slug } : null;
}

export function redirectTestUrl(r: RedirectUrl): string {
  const path = r.slug
    .split('/')
    .filter((x) => x.length > 0)
    .map(enc)
    .join('/');
  return `https://${TEST_HOST}/redirect/${r.hops}/${r.provider}/${path}`;
}

/**
 * Where a redirect URL sends the session next: the same chain one hop shorter, and once no hop is left,
 * the provider's own URL. So `/redirect/N/...` takes exactly N redirects to reach the provider.
 */
export function nextHopUrl(r: RedirectUrl): string {
  return r.hops <= 1 ? providerJobUrl(r.provider, r.slug) : redirectTestUrl({ ...r, hops: r.hops - 1 });
}

/** The provider a redirect chain ends on (for redirect_provider_id). */
export function redirectTarget(r: RedirectUrl): ProviderInfo {
  return providerInfo(r.provider);
}

export function captchaTestUrl(slug: string): string {
  return `https://${TEST_HOST}/captcha/${slugPath(slug)}`;
}

export function errorTestUrl(slug: string): string {
  return `https://${TEST_HOST}/error/${slugPath(slug)}`;
}

function slugPath(slug: string): string {
  const { company, jobId } = parseSlug(slug);
  return `${enc(company)}/${enc(jobId)}`;
}
