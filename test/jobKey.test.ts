import { TRACKING_PARAMS, atsProviderOfUrl, canonicalJobUrl, jobKeyOfUrl } from '../src/shared/jobKey';

/** Each row: spellings of one job, all of which must share the first one's canonical URL. */
const SAME_JOB: Record<string, string[]> = {
  greenhouse: [
    'https://boards.greenhouse.io/acme/jobs/4567890',
    'https://boards.greenhouse.io/acme/jobs/4567890/',
    'https://Boards.Greenhouse.IO/acme/jobs/4567890?gh_src=abc123',
    'https://job-boards.greenhouse.io/acme/jobs/4567890#app',
    'HTTPS://boards.greenhouse.io:443/acme/jobs/4567890?utm_source=linkedin&utm_medium=social',
  ],
  lever: [
    'https://jobs.lever.co/acme/0f3e0c6a-1b2c-4d5e-8f90-a1b2c3d4e5f6',
    'https://jobs.lever.co/acme/0f3e0c6a-1b2c-4d5e-8f90-a1b2c3d4e5f6/apply',
    'https://jobs.lever.co/acme/0f3e0c6a-1b2c-4d5e-8f90-a1b2c3d4e5f6/apply/?lever-source=LinkedIn',
    'https://jobs.lever.co/acme/0f3e0c6a-1b2c-4d5e-8f90-a1b2c3d4e5f6?lever-origin=applied&source=indeed',
  ],
  ashby: [
    'https://jobs.ashbyhq.com/acme/4567890',
    'https://jobs.ashbyhq.com/acme/4567890/application',
    'https://jobs.ashbyhq.com/acme/4567890/application?utm_campaign=x&ref=hn',
  ],
  workday: [
    'https://acme.wd1.myworkdayjobs.com/External/job/Remote/Engineer_R-4567890',
    'https://acme.wd1.myworkdayjobs.com/en-US/External/job/Remote/Engineer_R-4567890',
    'https://acme.wd1.myworkdayjobs.com/en-US/External/job/Remote/Engineer_R-4567890/apply',
    'https://ACME.wd1.myworkdayjobs.com/de-DE/External/job/Remote/Engineer_R-4567890/apply/applyManually?source=LinkedIn',
  ],
  generic: [
    'https://careers.acme.example.org/jobs/4567890?team=eng&lang=en',
    'https://careers.acme.example.org/jobs/4567890/?lang=en&team=eng',
    'https://careers.acme.example.org//jobs/4567890?utm_source=x&lang=en&fbclid=abc&team=eng#apply',
    'https://careers.acme.example.org:443/jobs/4567890?lang=en&team=eng',
  ],
};

/** Pairs that only look alike: each must keep its own key. */
const DIFFERENT_JOBS: [string, string][] = [
  ['https://boards.greenhouse.io/acme/jobs/1', 'https://boards.greenhouse.io/acme/jobs/2'],
  ['https://acme.example.org/careers?gh_jid=1', 'https://acme.example.org/careers?gh_jid=2'],
  ['https://careers.acme.example.org/jobs/4567890', 'https://careers.acme.example.org/jobs/4567890?team=eng'],
  ['https://careers.acme.example.org/Jobs/ABC', 'https://careers.acme.example.org/jobs/abc'],
  ['https://jobs.lever.co/acme/1', 'https://jobs.lever.co/globex/1'],
  ['http://careers.acme.example.org/jobs/1', 'https://careers.acme.example.org/jobs/1'],
  ['https://careers.acme.example.org:8443/jobs/1', 'https://careers.acme.example.org/jobs/1'],
];

describe('canonical job URL', () => {
  for (const [ats, spellings] of Object.entries(SAME_JOB)) {
    it(`${ats}: every spelling of one job is one canonical URL and one key`, () => {
      const canonical = canonicalJobUrl(spellings[0]);
      for (const s of spellings) {
        expect(canonicalJobUrl(s)).toBe(canonical);
        expect(jobKeyOfUrl(s)).toBe(jobKeyOfUrl(spellings[0]));
      }
      expect(canonicalJobUrl(canonical)).toBe(canonical); // idempotent
    });
  }

  it.each(DIFFERENT_JOBS)('%s and %s stay two jobs', (a, b) => {
    expect(canonicalJobUrl(a)).not.toBe(canonicalJobUrl(b));
    expect(jobKeyOfUrl(a)).not.toBe(jobKeyOfUrl(b));
  });

  it('spells the canonical form out', () => {
    expect(canonicalJobUrl('HTTPS://Careers.Acme.Example.org:443/jobs/42/?b=2&utm_term=x&a=1#top')).toBe(
      'https://careers.acme.example.org/jobs/42?a=1&b=2',
    );
    expect(canonicalJobUrl('https://careers.acme.example.org/')).toBe('https://careers.acme.example.org');
    expect(canonicalJobUrl('https://careers.acme.example.org/a%2fb')).toBe('https://careers.acme.example.org/a%2Fb');
  });

  it('drops every listed tracking parameter, each with a reason', () => {
    for (const [name, why] of Object.entries(TRACKING_PARAMS)) {
      expect(why.length).toBeGreaterThan(5);
      const param = name.replace('*', 'content');
      expect(canonicalJobUrl(`https://x.example.org/j/1?${param}=v&keep=1`)).toBe('https://x.example.org/j/1?keep=1');
      expect(canonicalJobUrl(`https://x.example.org/j/1?${param.toUpperCase()}=v`)).toBe('https://x.example.org/j/1');
    }
  });

  it('keys are short and safe in a workflow id', () => {
    expect(jobKeyOfUrl('https://boards.greenhouse.io/acme/jobs/4567890')).toMatch(/^u-[0-9a-f]{16}$/);
  });
});

describe('the ATS provider an apply URL names (what daily pacing per provider counts)', () => {
  it.each([
    ['https://acme.wd1.myworkdayjobs.com/en-US/External/job/4567890', 'workday'],
    ['https://ACME.wd5.MyWorkdayJobs.com:443/External/job/1/apply', 'workday'],
    ['https://boards.greenhouse.io/acme/jobs/4567890', 'greenhouse'],
    ['https://job-boards.greenhouse.io/acme/jobs/4567890', 'greenhouse'],
    ['https://jobs.lever.co/acme/4567890/apply', 'lever'],
    ['https://jobs.eu.lever.co/acme/4567890', 'lever'],
    ['https://jobs.ashbyhq.com/acme/4567890', 'ashby'],
    ['https://careers.example.com/redirect/2/workday/acme/1', null],
    ['https://myworkdayjobs.com.evil.example/job/1', null],
    ['not a url', null],
  ])('%s → %s', (url, provider) => expect(atsProviderOfUrl(url)).toBe(provider));
});
