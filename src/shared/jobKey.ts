/**
 * A job's identity for "never apply twice": its canonical apply URL, and the short key derived from it that
 * workflow ids, search attributes and the ledger use. Pure string code (no URL class, no Node APIs), so the
 * campaign workflow computes the same key as the API, the CLI and the activities.
 *
 * Why the URL and not a job id: the caller's `jobId` is only "your job ID reference" (002) and names nothing
 * upstream, and a Jobo job id is not one-to-one with an application either: one posting syndicated by two
 * sources has two Jobo ids and one form, and a key that depended on whether the feed had brought the job yet
 * would name one job two ways over time. The form we submit is what "the same job" means, so the key is the
 * form's address with everything that does not change the form taken away. The rules below are ours: no
 * reference document or published client speaks about URL equivalence.
 */
import { shortHash } from './input';

/**
 * Query parameters that only say where a visitor came from; dropping them never changes which form opens.
 * Matched case-insensitively; `utm_` is a prefix.
 */
export const TRACKING_PARAMS: Readonly<Record<string, string>> = {
  'utm_*': 'Google Analytics campaign tags, added by every job board and newsletter',
  gh_src: "Greenhouse's referral source tag (gh_jid, the job id, is kept)",
  source: 'generic referral source (Lever, Ashby, SmartRecruiters and job boards)',
  'lever-source': "Lever's referral source tag",
  'lever-origin': "Lever's origin tag (applied vs. referred)",
  ref: 'generic referrer tag',
  referrer: 'generic referrer tag',
  referer: 'generic referrer tag (misspelt, as HTTP spells it)',
  src: 'generic source tag',
  trk: "LinkedIn's tracking tag",
  gclid: 'Google Ads click id',
  fbclid: 'Facebook click id',
  msclkid: 'Microsoft Ads click id',
  mc_cid: 'Mailchimp campaign id',
  mc_eid: 'Mailchimp subscriber id',
  _hsenc: 'HubSpot email tracking',
  _hsmi: 'HubSpot email tracking',
  iis: "iCIMS' in-site source tag",
  iisn: "iCIMS' in-site source name",
};

const EXACT_TRACKING = new Set(Object.keys(TRACKING_PARAMS).filter((k) => !k.endsWith('*')));
const TRACKING_PREFIXES = Object.keys(TRACKING_PARAMS)
  .filter((k) => k.endsWith('*'))
  .map((k) => k.slice(0, -1));

function isTracking(name: string): boolean {
  const n = safeDecode(name).toLowerCase();
  return EXACT_TRACKING.has(n) || TRACKING_PREFIXES.some((p) => n.startsWith(p));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

const DEFAULT_PORT: Record<string, string> = { http: '80', https: '443' };
const URL_PARTS = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i;

/**
 * Path rules per applicant tracking system: the posting page and its apply form are one job. Each entry is
 * a host pattern and a rewrite of the (already trailing-slash-free) path.
 */
const ATS_PATH_RULES: { host: RegExp; rewrite: (path: string) => string }[] = [
  // jobs.lever.co/<company>/<id>/apply is the form of jobs.lever.co/<company>/<id>
  { host: /^jobs\.(eu\.)?lever\.co$/, rewrite: (p) => p.replace(/^(\/[^/]+\/[^/]+)\/apply$/i, '$1') },
  // jobs.ashbyhq.com/<company>/<id>/application is the form of jobs.ashbyhq.com/<company>/<id>
  { host: /^jobs\.ashbyhq\.com$/, rewrite: (p) => p.replace(/^(\/[^/]+\/[^/]+)\/application$/i, '$1') },
  // Workday: the locale segment only picks the page's language; /apply[/...] is the form of the posting
  {
    host: /\.myworkdayjobs\.com$/,
    rewrite: (p) =>
      p.replace(/^\/[a-z]{2}-[A-Z]{2}(?=\/)/, '').replace(/\/apply(\/(applyManually|autofillWithResume|useMyLastApplication))?$/, ''),
  },
];

/** Greenhouse serves one board under two hosts. */
const HOST_ALIASES: Record<string, string> = { 'job-boards.greenhouse.io': 'boards.greenhouse.io' };

/** Upper-case hex in percent escapes, so %2f and %2F are one spelling. */
function normalizeEscapes(s: string): string {
  return s.replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase());
}

/**
 * The canonical apply URL: lower-case scheme and host, no default port, no fragment, no trailing slash,
 * tracking parameters dropped, other parameters kept in sorted order, ATS path aliases folded. A string that
 * is not an absolute URL is returned trimmed (validation at the edges rejects it before it gets here).
 */
export function canonicalJobUrl(url: string): string {
  const m = URL_PARTS.exec(url.trim());
  if (!m) return url.trim();
  const scheme = m[1].toLowerCase();
  let authority = m[2];
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at + 1) : '';
  let host = (at >= 0 ? authority.slice(at + 1) : authority).toLowerCase().replace(/\.$/, '');
  const port = /:(\d+)$/.exec(host);
  if (port) {
    host = host.slice(0, -port[0].length);
    if (port[1] !== DEFAULT_PORT[scheme]) host = `${host}:${String(Number(port[1]))}`;
  }
  host = HOST_ALIASES[host] ?? host;
  authority = userinfo + host;
  let path = normalizeEscapes(m[3])
    .replace(/\/{2,}/g, '/')
    .replace(/\/+$/, '');
  const bareHost = host.replace(/:\d+$/, '');
  for (const rule of ATS_PATH_RULES) if (rule.host.test(bareHost)) path = rule.rewrite(path);
  const params = (m[4] ?? '')
    .split('&')
    .filter((p) => p.length > 0 && !isTracking(p.split('=')[0]))
    .map(normalizeEscapes)
    .sort();
  return `${scheme}://${authority}${path}${params.length ? `?${params.join('&')}` : ''}`;
}

/** `u-` and 16 hex digits (two FNV-1a passes over the canonical URL): short enough for a workflow id. */
export function jobKeyOfUrl(url: string): string {
  const canonical = canonicalJobUrl(url);
  return `u-${shortHash(canonical)}${shortHash(`${canonical}#2`)}`;
}

/**
 * ATS providers a job's apply URL names by its host, known before any upstream session opens (what daily
 * pacing per provider counts). The names are the upstream's provider ids for these hosts. A URL on any
 * other host (a careers page that may redirect) names none: only the user's overall daily cap counts it.
 */
export const ATS_PROVIDERS = ['greenhouse', 'lever', 'ashby', 'workday'] as const;
export type AtsProvider = (typeof ATS_PROVIDERS)[number];

export function atsProviderOfUrl(url: string): AtsProvider | null {
  const m = URL_PARTS.exec(url.trim());
  if (!m) return null;
  const host = m[2]
    .slice(m[2].lastIndexOf('@') + 1)
    .toLowerCase()
    .replace(/:\d+$/, '')
    .replace(/\.$/, '');
  if (host === 'boards.greenhouse.io' || host === 'job-boards.greenhouse.io') return 'greenhouse';
  if (/^jobs\.(eu\.)?lever\.co$/.test(host)) return 'lever';
  if (host === 'jobs.ashbyhq.com') return 'ashby';
  if (host.endsWith('.myworkdayjobs.com')) return 'workday';
  return null;
}
