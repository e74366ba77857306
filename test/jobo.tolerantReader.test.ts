/**
 * The tolerant job reader (src/jobo/jobReader.ts).
 * Property: every job variant that Jobo's published model (jobo-enterprise 4.0.0, pydantic, run for real
 * from .tools/py) accepts is read by applyflow into a valid stored JobDto with the same id and updated_at.
 * Variants are generated from sandbox jobs in both shapes and from a bare minimum, with fields missing,
 * null, extra, and every enum spelling the reference and the published 3.0.0/4.0.0 enums use.
 * Plus the documented fallbacks, normalizations and oddity counting, one by one.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Corpus } from '../sandbox/corpus';
import { Rng } from '../sandbox/rng';
import { makeOdd, ODD_FIELDS, toUpstream } from '../sandbox/shapes';
import { readJob, readJobs } from '../src/jobo/jobReader';
import { JobDto, type WireJob } from '../src/jobo/schemas';

jest.setTimeout(120_000);

const CLIENT_DIR = join(resolve(__dirname, '..'), '.tools', 'py', 'jobo-enterprise-4.0.0');
const VALIDATE = join(__dirname, 'contract', 'jobo_enterprise_validate.py');

type Verdict = { ok: true; id: string; updated_at_ms: number } | { ok: false; error: string };

function publishedModelVerdicts(jobs: unknown[]): Promise<Verdict[]> {
  return new Promise((done, fail) => {
    const child = execFile(
      'python3',
      [VALIDATE],
      { env: { ...process.env, PYTHONPATH: CLIENT_DIR, PYTHONDONTWRITEBYTECODE: '1' }, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => (err ? fail(new Error(`${err.message}\n${stderr}`)) : done(JSON.parse(stdout) as Verdict[])),
    );
    child.stdin!.end(JSON.stringify(jobs));
  });
}

// Every spelling a source uses: reference 004, published 3.0.0 and 4.0.0 enums.py.
const EMPLOYMENT = ['full_time', 'part_time', 'contract', 'internship', 'temporary', 'full-time', 'part-time', 'freelance'];
const WORKPLACE = ['remote', 'hybrid', 'onsite'];
const EXPERIENCE = ['entry', 'mid', 'senior', 'lead', 'executive', 'intern'];
const PERIOD = ['year', 'month', 'week', 'day', 'hour', 'yearly', 'monthly', 'weekly', 'daily', 'hourly', 'per-diem'];

type Obj = Record<string, unknown>;
const OPTIONAL_TOP = [
  'normalized_title',
  'summary',
  'locations',
  'compensation',
  'employment_type',
  'workplace_type',
  'experience_level',
  'date_posted',
  'valid_through',
  'qualifications',
  'responsibilities',
  'benefits',
  'is_work_auth_required',
  'is_h1b_sponsor',
  'is_clearance_required',
];
const NULLABLE_TOP = OPTIONAL_TOP.filter((k) => !['locations', 'qualifications', 'responsibilities', 'benefits'].includes(k));

function mutate(base: WireJob, rng: Rng): Obj {
  const j = structuredClone(base) as Obj;
  for (const k of OPTIONAL_TOP) if (rng.chance(0.15)) delete j[k];
  for (const k of NULLABLE_TOP) if (k in j && rng.chance(0.15)) j[k] = null;
  if (rng.chance(0.3)) j.x_new_top_level = { nested: [1, 'two'] };
  if ('employment_type' in j && j.employment_type !== null && rng.chance(0.7)) j.employment_type = rng.pick(EMPLOYMENT);
  if ('workplace_type' in j && j.workplace_type !== null && rng.chance(0.5)) j.workplace_type = rng.pick(WORKPLACE);
  if ('experience_level' in j && j.experience_level !== null && rng.chance(0.5)) j.experience_level = rng.pick(EXPERIENCE);
  const company = j.company as Obj;
  for (const k of ['website', 'logo_url', 'industries', 'website_url', 'industry', 'size'])
    if (k in company && rng.chance(0.2)) delete company[k];
  if (rng.chance(0.3)) Object.assign(company, { summary: null, categories: ['b2b'], linkedin_url: null, details_url: 'https://x.test/c' });
  if (Array.isArray(j.locations)) {
    j.locations = (j.locations as Obj[]).map((l) => {
      const m = { ...l };
      for (const k of Object.keys(m)) if (rng.chance(0.2)) delete m[k];
      for (const k of Object.keys(m)) if (rng.chance(0.1)) m[k] = null;
      if (rng.chance(0.2)) m.timezone = 'Europe/Berlin';
      return m;
    });
  }
  if (j.compensation && typeof j.compensation === 'object') {
    const c = j.compensation as Obj;
    c.period = rng.pick(PERIOD);
    if (rng.chance(0.2)) delete c.currency;
    if (rng.chance(0.2)) c.max = null;
    if (rng.chance(0.2)) c.min = Math.round(Number(c.min ?? 1));
  }
  const q = j.qualifications as Obj | undefined;
  if (q) {
    if (rng.chance(0.2)) delete q.preferred;
    for (const b of Object.values(q) as Obj[]) {
      if (rng.chance(0.2)) delete b.education;
      if (Array.isArray(b.skills))
        b.skills = (b.skills as unknown[]).map((s) => (typeof s === 'object' && s && rng.chance(0.3) ? { name: (s as Obj).name } : s));
    }
  }
  // Timestamps in the forms pydantic accepts: Z, +00:00, naive (UTC); dates as dates or midnight datetimes.
  const stamp = (v: unknown) => {
    const iso = String(v);
    const r = rng.int(0, 2);
    return r === 0 ? iso : r === 1 ? iso.replace('Z', '+00:00') : iso.replace('Z', '');
  };
  j.created_at = stamp(j.created_at);
  j.updated_at = stamp(j.updated_at);
  if (typeof j.date_posted === 'string' && rng.chance(0.3)) j.date_posted = `${j.date_posted}T00:00:00Z`;
  return j;
}

const MINIMAL: WireJob = {
  id: '0190f6a2-7b3c-7d4e-8f5a-6b7c8d9e0f10', // a v7 id, as a newer upstream might mint
  title: 'Barista',
  company: { id: '0190f6a2-7b3c-7d4e-8f5a-6b7c8d9e0f11', name: 'Beans' },
  description: 'Coffee.',
  listing_url: 'https://jobs.lever.co/beans/1',
  apply_url: 'https://jobs.lever.co/beans/1/apply',
  source: 'lever',
  created_at: '2026-05-01T08:00:00Z',
  updated_at: '2026-05-02T08:00:00Z',
};

test('property: every variant the published 4.0.0 model accepts is read into a valid JobDto, without oddities', async () => {
  const corpus = new Corpus({ seed: 31, jobs: 200, startTime: Date.parse('2026-07-01T00:00:00Z') });
  const rng = Rng.of(31, 0x9a7);
  const bases: WireJob[] = [MINIMAL];
  for (let seq = 0; seq < 200; seq += 2) bases.push(toUpstream(corpus.job(seq)));
  const variants: Obj[] = [];
  for (let i = 0; i < 1500; i++) variants.push(mutate(bases[i % bases.length], rng));
  const verdicts = await publishedModelVerdicts(variants);
  const accepted = variants.filter((_, i) => verdicts[i].ok);
  // The generator stays inside what the model allows, so almost all pass; the check is then not vacuous.
  expect(accepted.length).toBeGreaterThan(variants.length * 0.9);
  const problems: string[] = [];
  variants.forEach((v, i) => {
    const verdict = verdicts[i];
    if (!verdict.ok) return;
    const odd: string[] = [];
    const job = readJob(v, (f) => odd.push(f));
    if (!job) return problems.push(`variant ${i}: dropped (${odd.join(', ')})`);
    const parsed = JobDto.safeParse(job);
    if (!parsed.success) return problems.push(`variant ${i}: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
    if (odd.length) problems.push(`variant ${i}: oddities ${odd.join(', ')}`);
    if (job.id !== verdict.id) problems.push(`variant ${i}: id ${job.id} != ${verdict.id}`);
    if (Date.parse(job.updated_at) !== verdict.updated_at_ms) problems.push(`variant ${i}: updated_at ${job.updated_at}`);
  });
  expect(problems.slice(0, 10)).toEqual([]);
});

test('property: variants the published model rejects or coerces never stop the reader: stored or dropped, never thrown', async () => {
  const rng = Rng.of(77, 1);
  const junk = [null, 42, 'text', true, [], {}, [1, 2], { name: 5 }, -1.5];
  const bases = [MINIMAL, toUpstream(new Corpus({ seed: 5, jobs: 20, startTime: Date.now() }).job(3))];
  for (let i = 0; i < 2000; i++) {
    const j = structuredClone(bases[i % 2]) as Obj;
    const keys = Object.keys(j);
    for (let n = rng.int(1, 3); n > 0; n--) j[rng.pick(keys)] = rng.pick(junk);
    const notes: string[] = [];
    const job = readJob(j, (f) => notes.push(f));
    if (job) expect(JobDto.safeParse(job).success).toBe(true);
    else expect(notes.some((f) => f === 'id' || f === 'updated_at')).toBe(true);
  }
});

describe('fallbacks and normalizations', () => {
  const read = (patch: Obj) => {
    const notes: string[] = [];
    const job = readJob({ ...MINIMAL, ...patch }, (f) => notes.push(f));
    return { job: job!, notes };
  };

  it('stores one spelling of each enum value, whichever source spelled it', () => {
    expect(read({ employment_type: 'full-time' }).job.employment_type).toBe('full_time');
    expect(read({ employment_type: 'full_time' }).job.employment_type).toBe('full_time');
    expect(read({ employment_type: 'Part-Time' }).job.employment_type).toBe('part_time');
    expect(read({ employment_type: 'freelance' }).job.employment_type).toBe('contract');
    expect(read({ experience_level: 'intern' }).job.experience_level).toBe('entry');
    expect(read({ workplace_type: 'on-site' }).job.workplace_type).toBe('onsite');
    for (const [wire, stored] of [
      ['yearly', 'year'],
      ['year', 'year'],
      ['hourly', 'hour'],
      ['per-diem', 'day'],
      ['monthly', 'month'],
    ]) {
      expect(read({ compensation: { min: 1, max: 2, currency: 'EUR', period: wire } }).job.compensation).toEqual({
        min: 1,
        max: 2,
        currency: 'EUR',
        period: stored,
      });
    }
  });

  it('maps an unknown enum value to null and counts it; the rest of the job is kept', () => {
    const r = read({ employment_type: 'gig', workplace_type: 'metaverse', experience_level: 'wizard', title: 'Kept' });
    expect([r.job.employment_type, r.job.workplace_type, r.job.experience_level, r.job.title]).toEqual([null, null, null, 'Kept']);
    expect(r.notes).toEqual(['employment_type', 'workplace_type', 'experience_level']);
    // A range without a known period cannot be compared: stored as undisclosed.
    expect(read({ compensation: { min: 100, period: 'fortnightly' } })).toEqual({
      job: expect.objectContaining({ compensation: null }),
      notes: ['compensation.period'],
    });
    expect(read({ compensation: { min: 100 } }).job.compensation).toBeNull();
  });

  it('fills the stored shape from the published one: skills, region, website, industries, display text', () => {
    const { job, notes } = read({
      company: { id: MINIMAL.company.id, name: 'Beans', website: 'https://beans.test', industries: ['Food', 'Retail'] },
      locations: [{ city: 'Lyon', region: 'Auvergne-Rhône-Alpes', country: 'France' }, { location: 'Remote' }],
      qualifications: { must_have: { skills: [{ name: 'Latte art', type: 'hard' }, { name: 'Smiling' }, 'Espresso'] } },
    });
    expect(notes).toEqual([]);
    expect(job.company).toEqual({
      id: MINIMAL.company.id,
      name: 'Beans',
      website_url: 'https://beans.test',
      logo_url: null,
      industry: 'Food',
      size: null,
    });
    expect(job.locations[0]).toEqual({
      location: 'Lyon, Auvergne-Rhône-Alpes, France',
      city: 'Lyon',
      state: 'Auvergne-Rhône-Alpes',
      country: 'France',
      country_code: null,
      latitude: null,
      longitude: null,
    });
    expect(job.locations[1].location).toBe('Remote');
    expect(job.qualifications.must_have).toEqual({
      education: [],
      experience: [],
      skills: ['Latte art', 'Smiling', 'Espresso'],
      certifications: [],
    });
    expect(job.qualifications.preferred.skills).toEqual([]);
  });

  it('counts an odd field once per job, however often it repeats, and keeps what parsed', () => {
    const { jobs, oddities, dropped } = readJobs([
      { ...MINIMAL, locations: [{ latitude: 'north' }, { latitude: '52.5' }, { latitude: 1 }] },
      { ...MINIMAL, id: '0190f6a2-7b3c-7d4e-8f5a-6b7c8d9e0f12', is_h1b_sponsor: 'yes' },
      { ...MINIMAL, id: 'not-a-uuid' },
      { ...MINIMAL, id: '0190f6a2-7b3c-7d4e-8f5a-6b7c8d9e0f13', updated_at: 'last tuesday' },
    ]);
    expect(oddities).toEqual({ 'locations.*.latitude': 1, is_h1b_sponsor: 1, id: 1, updated_at: 1 });
    expect(dropped).toBe(2);
    expect(jobs.map((j) => j.locations.map((l) => l.latitude))).toEqual([[null, 52.5, 1], []]);
  });

  it('reads every odd value the sandbox can serve, naming the field the sandbox names', () => {
    const base = toUpstream(new Corpus({ seed: 9, jobs: 20, startTime: Date.now() }).job(4));
    for (const field of ODD_FIELDS) {
      const { jobs, oddities } = readJobs([makeOdd(base, field)]);
      expect([field, jobs.length, oddities]).toEqual([field, 1, { [field]: 1 }]);
    }
  });
});
