/**
 * Job i of a corpus, derived from hash(seed, i): the sandbox never stores a JobDto, it regenerates one from
 * the seed, the sequence number and the few mutable facts the corpus keeps (timestamps, version).
 * Every field is filled the way 004 describes it; `version` moves the parts a re-published edit changes.
 */
import type { JobDto } from '../src/jobo/schemas';
import { jobRefOf, providerJobUrl, type ProviderId } from './urls';
import {
  BASE_SALARY,
  BENEFITS,
  COMPANY_PREFIXES,
  COMPANY_SIZES,
  COMPANY_SUFFIXES,
  FAMILIES,
  FX,
  INDUSTRIES,
  LEVELS,
  PLACES,
  type Place,
} from './jobdata';
import { hash32, Rng } from './rng';

export interface JobAttributes {
  source: string;
  workplace_type: JobDto['workplace_type'];
  employment_type: JobDto['employment_type'];
  experience_level: JobDto['experience_level'];
  locations: { country: string | null; country_code: string | null; region: string | null; city: string | null }[];
}

export interface JobFacts {
  createdAt: number;
  updatedAt: number;
  version: number;
}

interface CompanyInfo {
  id: string;
  name: string;
  slug: string;
  provider: Exclude<ProviderId, 'generic'>;
  industry: string | null;
  size: string | null;
  website: string | null;
}

const GREENHOUSE_BASE = 4_000_000;
const WORKDAY_BASE = 100_000;
const ATS: readonly { id: Exclude<ProviderId, 'generic'>; weight: number }[] = [
  { id: 'greenhouse', weight: 0.35 },
  { id: 'lever', weight: 0.25 },
  { id: 'ashby', weight: 0.2 },
  { id: 'workday', weight: 0.2 },
];
const DAY = 86_400_000;

// Byte-to-hex table: ids are minted for every job on every page, so this is hot.
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex8 = (n: number) => HEX[(n >>> 24) & 255] + HEX[(n >>> 16) & 255] + HEX[(n >>> 8) & 255] + HEX[n & 255];

/** 8-4-4-4-12 with the v4 version nibble and RFC 4122 variant bits. */
function uuidFromWords(w0: number, w1: number, w2: number, w3: number): string {
  const a = hex8(w0);
  const b = hex8((w1 & 0xffff0fff) | 0x00004000);
  const c = hex8(((w2 & 0x3fffffff) | 0x80000000) >>> 0);
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${hex8(w3)}`;
}

const slugify = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class JobGenerator {
  private readonly companies = new Map<number, CompanyInfo>();
  private readonly feistelKeys: number[];

  constructor(
    readonly seed: number,
    /** How many distinct employers the corpus spreads over. */
    readonly companyCount: number,
  ) {
    this.feistelKeys = [1, 2, 3, 4].map((r) => hash32(seed, 0xfe15, r));
  }

  // ---- ids ---------------------------------------------------------------------------------------

  /**
   * The first 32 bits are a keyed Feistel permutation of seq (so an id maps back to its job without an
   * index of a million strings); the remaining bits are hash noise that a lookup verifies.
   */
  idOf(seq: number): string {
    return uuidFromWords(this.permute(seq), hash32(this.seed, seq, 11), hash32(this.seed, seq, 12), hash32(this.seed, seq, 13));
  }

  /** The sequence number behind a job id, or -1 when the id was not minted by this generator. */
  seqOfId(id: string): number {
    if (!/^[0-9a-f]{8}-/i.test(id)) return -1;
    const seq = this.unpermute(parseInt(id.slice(0, 8), 16));
    return this.idOf(seq) === id.toLowerCase() ? seq : -1;
  }

  private round(half: number, r: number): number {
    return hash32(half, this.feistelKeys[r]) & 0xffff;
  }

  private permute(x: number): number {
    let l = (x >>> 16) & 0xffff;
    let r = x & 0xffff;
    for (let i = 0; i < 4; i++) [l, r] = [r, l ^ this.round(r, i)];
    return ((l << 16) | r) >>> 0;
  }

  private unpermute(x: number): number {
    let l = (x >>> 16) & 0xffff;
    let r = x & 0xffff;
    for (let i = 3; i >= 0; i--) [l, r] = [r ^ this.round(l, i), l];
    return ((l << 16) | r) >>> 0;
  }

  // ---- companies and URLs ------------------------------------------------------------------------

  private company(idx: number): CompanyInfo {
    let c = this.companies.get(idx);
    if (c) return c;
    const rng = Rng.of(this.seed, 0xc0, idx);
    const combos = COMPANY_PREFIXES.length * COMPANY_SUFFIXES.length;
    // Stride 7 is coprime with the combo count, so the first `combos` companies all get distinct names.
    const combo = (idx * 7 + (this.seed >>> 0)) % combos;
    const round = Math.floor(idx / combos);
    const base = `${COMPANY_PREFIXES[Math.floor(combo / COMPANY_SUFFIXES.length)]} ${COMPANY_SUFFIXES[combo % COMPANY_SUFFIXES.length]}`;
    const name = round === 0 ? base : `${base} ${round + 1}`;
    const slug = slugify(name);
    let u = rng.next();
    const provider = ATS.find((a) => (u -= a.weight) < 0)?.id ?? 'greenhouse';
    c = {
      id: uuidFromWords(rng.u32(), rng.u32(), rng.u32(), rng.u32()),
      name,
      slug,
      provider,
      industry: rng.pick(INDUSTRIES),
      size: rng.pick(COMPANY_SIZES),
      website: rng.chance(0.9) ? `https://www.${slug}.com` : null,
    };
    this.companies.set(idx, c);
    return c;
  }

  /** Draws shared by the URL and the full job, in a fixed order so both agree. */
  private basics(seq: number) {
    const rng = Rng.of(this.seed, seq, 1);
    const company = this.company(rng.int(0, this.companyCount - 1));
    const familyIdx = rng.int(0, FAMILIES.length - 1);
    const family = FAMILIES[familyIdx];
    const baseTitle = rng.pick(family.titles);
    const levelIdx = rng.int(0, LEVELS.length - 1);
    const level = LEVELS[levelIdx];
    const title = level.level === 'executive' ? `${level.prefix}${family.area}` : `${level.prefix}${baseTitle}`;
    return { rng, company, family, baseTitle, levelIdx, title };
  }

  private jobToken(seq: number, provider: ProviderId, title: string): string {
    switch (provider) {
      case 'greenhouse':
        return String(GREENHOUSE_BASE + seq);
      case 'workday':
        return `${slugify(title)}_R${WORKDAY_BASE + seq}`;
      default:
        return this.idOf(seq);
    }
  }

  private urls(seq: number, company: CompanyInfo, title: string): { listing: string; apply: string } {
    const listing = providerJobUrl(company.provider, `${company.slug}/${this.jobToken(seq, company.provider, title)}`);
    const suffix = company.provider === 'lever' ? '/apply' : company.provider === 'ashby' ? '/application' : '';
    return { listing, apply: listing + suffix };
  }

  applyUrl(seq: number): string {
    const b = this.basics(seq);
    return this.urls(seq, b.company, b.title).apply;
  }

  /** The job behind an apply (or listing) URL, or -1: the ground truth for "which job was applied to". */
  seqOfUrl(url: string, total: number): number {
    const ref = jobRefOf(url);
    if (!ref) return -1;
    const gh = /^(\d+)$/.exec(ref.jobId);
    const wd = /_R(\d+)$/.exec(ref.jobId);
    const seq = gh ? Number(gh[1]) - GREENHOUSE_BASE : wd ? Number(wd[1]) - WORKDAY_BASE : this.seqOfId(ref.jobId);
    if (seq < 0 || seq >= total) return -1;
    const b = this.basics(seq);
    const u = this.urls(seq, b.company, b.title);
    const bare = url.split(/[?#]/)[0].replace(/\/+$/, '');
    return bare === u.apply || bare === u.listing ? seq : -1;
  }

  // ---- the job -----------------------------------------------------------------------------------

  /** The draws after basics() that the feed filters look at, in job()'s order. */
  private filterDraws(rng: Rng) {
    const workplace = rng.pick(['remote', 'hybrid', 'onsite', 'onsite', 'hybrid', null] as const);
    const places = rng.sample(PLACES, rng.chance(0.8) ? 1 : rng.int(2, 3));
    const employment = rng.chance(0.85)
      ? ('full_time' as const)
      : rng.pick(['part_time', 'contract', 'internship', 'temporary', null] as const);
    return { workplace, places, employment };
  }

  /** What the feed's filters match on, without building the whole job (immutable per job). */
  attributes(seq: number): JobAttributes {
    const { rng, company, levelIdx } = this.basics(seq);
    const { workplace, places, employment } = this.filterDraws(rng);
    return {
      source: company.provider,
      workplace_type: workplace,
      employment_type: employment,
      experience_level: LEVELS[levelIdx].level,
      locations: places.map((p) => {
        const l = location(p, workplace === 'remote');
        return { country: l.country, country_code: l.country_code, region: l.state, city: l.city };
      }),
    };
  }

  job(seq: number, facts: JobFacts): JobDto {
    const { rng, company, family, baseTitle, levelIdx, title } = this.basics(seq);
    const level = LEVELS[levelIdx];
    const { listing, apply } = this.urls(seq, company, title);

    const { workplace, places, employment } = this.filterDraws(rng);
    const locations = places.map((p) => location(p, workplace === 'remote'));
    const skills = rng.sample(family.skills, rng.int(3, 6));
    const preferredSkills = rng.sample(
      family.skills.filter((s) => !skills.includes(s)),
      rng.int(1, 3),
    );
    const hasComp = rng.chance(0.7);
    const hourly = employment === 'contract' || employment === 'temporary' || employment === 'part_time';
    const currency = places[0].currency;
    const workAuth = rng.pick([true, false, null] as const);
    const h1b = rng.pick([true, false, null, null] as const);
    const clearance = rng.chance(0.05) ? true : rng.pick([false, null] as const);
    const postedKnown = rng.chance(0.9);
    const validDays = rng.pick([null, 30, 60, 90] as const);
    const benefits = rng.sample(BENEFITS, rng.int(2, 6));
    const certs = rng.chance(0.25) ? [rng.pick(family.certifications)] : [];

    // What an edit changes: pay, wording and emphasis move with the version.
    const ed = Rng.of(this.seed, seq, facts.version, 0xed17);
    const salary = BASE_SALARY[levelIdx] * (FX[currency] ?? 1) * (0.85 + ed.next() * 0.4);
    const compensation = hasComp
      ? hourly
        ? { min: round(salary / 2080, 1), max: round((salary * 1.25) / 2080, 1), currency, period: 'hour' as const }
        : { min: round(salary, 1000), max: ed.chance(0.9) ? round(salary * 1.3, 1000) : null, currency, period: 'year' as const }
      : null;
    const responsibilities = ed.sample(family.responsibilities, ed.int(3, family.responsibilities.length));
    const where = locations.map((l) => l.location).join(' / ');
    const summary = ed.chance(0.85)
      ? `${company.name} is hiring a ${title} (${where}). You will ${responsibilities[0].toLowerCase()} using ${skills.slice(0, 3).join(', ')}.`
      : null;
    const description = [
      `About ${company.name}`,
      `${company.name} builds products for the ${company.industry ?? 'technology'} industry.`,
      '',
      `About the role`,
      `We are looking for a ${title} to join our ${family.area} team in ${where}.`,
      '',
      'What you will do',
      ...responsibilities.map((r) => `- ${r}`),
      '',
      'What you bring',
      `- ${level.years > 0 ? `${level.years}+ years` : 'Some'} of experience as a ${baseTitle}`,
      `- Hands-on experience with ${skills.join(', ')}`,
      '',
      'Benefits',
      ...benefits.map((b) => `- ${b}`),
      ...(facts.version > 0 ? ['', `(Posting updated, revision ${facts.version}.)`] : []),
    ].join('\n');

    return {
      id: this.idOf(seq),
      title,
      normalized_title: slugify(level.level === 'executive' ? title : baseTitle).replace(/-/g, '_'),
      company: {
        id: company.id,
        name: company.name,
        website_url: company.website,
        logo_url: company.website ? `https://logo.clearbit.com/${company.slug}.com` : null,
        industry: company.industry,
        size: company.size,
      },
      description,
      summary,
      listing_url: listing,
      apply_url: apply,
      locations,
      compensation,
      employment_type: employment,
      workplace_type: workplace,
      experience_level: level.level,
      source: company.provider,
      created_at: new Date(facts.createdAt).toISOString(),
      updated_at: new Date(facts.updatedAt).toISOString(),
      date_posted: postedKnown ? isoDate(facts.createdAt) : null,
      valid_through: validDays === null ? null : isoDate(facts.createdAt + validDays * DAY),
      qualifications: {
        must_have: {
          education: levelIdx === 0 || rng.chance(0.5) ? [family.degree] : [],
          experience: level.years > 0 ? [`${level.years}+ years of professional experience`] : [],
          skills,
          certifications: certs,
        },
        preferred: {
          education: rng.chance(0.2) ? ["Master's degree in a relevant field"] : [],
          experience: [`Experience in ${company.industry ?? 'a fast-growing company'}`],
          skills: preferredSkills,
          certifications: [],
        },
      },
      responsibilities,
      benefits,
      is_work_auth_required: workAuth,
      is_h1b_sponsor: h1b,
      is_clearance_required: clearance,
    };
  }
}

function round(n: number, step: number): number {
  return Math.round(n / step) * step;
}

function location(p: Place, remote: boolean) {
  const region = p.state ? `${p.city}, ${p.state}` : p.city;
  return remote
    ? {
        location: `Remote - ${p.country}`,
        city: null,
        state: null,
        country: p.country,
        country_code: p.code,
        latitude: null,
        longitude: null,
      }
    : {
        location: `${region}, ${p.country}`,
        city: p.city,
        state: p.state,
        country: p.country,
        country_code: p.code,
        latitude: p.lat,
        longitude: p.lng,
      };
}
