/** The sandbox's provider detection, test URLs and provider forms. */
import { formFor } from '../sandbox/forms';
import {
  PROVIDER_IDS,
  captchaTestUrl,
  classifyTestUrl,
  detectProvider,
  errorTestUrl,
  jobRefOf,
  nextHopUrl,
  parseRedirectUrl,
  providerJobUrl,
  redirectTestUrl,
} from '../sandbox/urls';
import { answerFields } from '../src/answers';
import type { FieldType, Profile } from '../src/jobo/schemas';
import { exampleProfile, letterProfile } from './fixtures/profiles';

describe('provider detection', () => {
  test.each([
    ['https://boards.greenhouse.io/acme/jobs/4567890', 'greenhouse', 'Greenhouse'],
    ['https://jobs.lever.co/acme/0a1b2c3d', 'lever', 'Lever'],
    ['https://jobs.ashbyhq.com/acme/3f2e1d', 'ashby', 'Ashby'],
    ['https://acme.wd1.myworkdayjobs.com/en-US/External/job/R1234', 'workday', 'Workday'],
    ['https://acme.wd5.myworkdayjobs.com/careers/job/R1', 'workday', 'Workday'],
    ['HTTPS://Boards.Greenhouse.IO:443/acme/jobs/1', 'greenhouse', 'Greenhouse'],
    ['https://careers.acme.example.org/jobs/1', 'generic', 'Generic'],
    ['https://greenhouse.io.evil.example/acme/jobs/1', 'generic', 'Generic'],
    ['https://careers.example.com/redirect/2/lever/acme/1', 'generic', 'Generic'],
    ['ftp://boards.greenhouse.io/acme/jobs/1', 'generic', 'Generic'],
    ['not a url', 'generic', 'Generic'],
  ])('%s → %s', (url, id, name) => {
    expect(detectProvider(url)).toEqual({ id, name });
  });

  test.each(PROVIDER_IDS)('a %s job URL built from a slug is detected as %s and gives the slug back', (provider) => {
    const url = providerJobUrl(provider, 'acme-robotics/4567890');
    expect(detectProvider(url).id).toBe(provider);
    expect(jobRefOf(url)).toEqual({ company: 'acme-robotics', jobId: '4567890' });
  });
});

describe('test URLs', () => {
  test('a redirect chain takes exactly <hops> redirects to reach the provider URL', () => {
    let url = redirectTestUrl({ hops: 3, provider: 'workday', slug: 'acme/R77' });
    expect(url).toBe('https://careers.example.com/redirect/3/workday/acme/R77');
    const seen: string[] = [];
    for (let r = parseRedirectUrl(url); r !== null; r = parseRedirectUrl(url)) {
      url = nextHopUrl(r);
      seen.push(url);
    }
    expect(seen).toEqual([
      'https://careers.example.com/redirect/2/workday/acme/R77',
      'https://careers.example.com/redirect/1/workday/acme/R77',
      'https://acme.wd1.myworkdayjobs.com/en-US/External/job/R77',
    ]);
    expect(detectProvider(url).id).toBe('workday');
  });

  test('a redirect URL parses to hops, provider and slug; malformed ones are ordinary URLs', () => {
    expect(parseRedirectUrl('https://careers.example.com/redirect/2/greenhouse/acme/123')).toEqual({
      hops: 2,
      provider: 'greenhouse',
      slug: 'acme/123',
    });
    expect(parseRedirectUrl('https://careers.example.com/redirect/x/greenhouse/acme/1')).toBeNull();
    expect(parseRedirectUrl('https://careers.example.com/redirect/2/monster/acme/1')).toBeNull();
    expect(parseRedirectUrl('https://other.example.com/redirect/2/lever/acme/1')).toBeNull();
  });

  test('captcha and error are recognised as path segments', () => {
    expect(classifyTestUrl(captchaTestUrl('acme/1'))).toEqual({ kind: 'captcha' });
    expect(classifyTestUrl(errorTestUrl('acme/1'))).toEqual({ kind: 'error' });
    expect(classifyTestUrl('https://jobs.lever.co/acme/error/1')).toEqual({ kind: 'error' });
    expect(classifyTestUrl('https://jobs.lever.co/acme/errors-team-lead')).toEqual({ kind: 'none' });
  });
});

describe('provider forms', () => {
  const forms = PROVIDER_IDS.map((id) => formFor(id, providerJobUrl(id, 'acme/4567890')));

  test('each provider has its name and pages; workday has at least three', () => {
    expect(forms.map((f) => [f.providerId, f.providerName, f.pages.length > 0])).toEqual([
      ['greenhouse', 'Greenhouse', true],
      ['lever', 'Lever', true],
      ['ashby', 'Ashby', true],
      ['workday', 'Workday', true],
      ['generic', 'Generic', true],
    ]);
    expect(forms[3].pages.length).toBeGreaterThanOrEqual(3);
    expect(forms[4].pages).toHaveLength(1);
  });

  test('unknown provider ids get the generic form', () => {
    expect(formFor('taleo', 'https://x.example/1').providerId).toBe('generic');
  });

  test('forms are deterministic, and the job URL only names the company', () => {
    const url = providerJobUrl('ashby', 'acme-robotics/1');
    expect(formFor('ashby', url)).toEqual(formFor('ashby', url));
    const labels = formFor('ashby', url).pages.flatMap((p) => p.fields.map((f) => f.label));
    expect(labels).toContain('Why do you want to work at Acme Robotics?');
  });

  test('every field type appears, and field shapes are consistent', () => {
    const fields = forms.flatMap((f) => f.pages.flatMap((p) => p.fields));
    const types: FieldType[] = ['text', 'email', 'phone', 'date', 'number', 'select', 'multi_select', 'boolean', 'textarea', 'file'];
    expect(new Set(fields.map((f) => f.type))).toEqual(new Set(types));
    for (const f of fields) {
      const choice = f.type === 'select' || f.type === 'multi_select';
      expect([f.name, choice ? (f.options?.length ?? 0) > 1 : f.options]).toEqual([f.name, choice ? true : null]);
      expect([f.name, f.type === 'file' ? (f.accept?.length ?? 0) > 0 : f.accept]).toEqual([f.name, f.type === 'file' ? true : null]);
    }
    for (const form of forms) {
      const names = form.pages.flatMap((p) => p.fields.map((f) => f.name));
      expect(new Set(names).size).toBe(names.length);
    }
  });

  // Precise per provider, from a complete profile without and with a cover letter template: the source question
  // is answered by meaning, motivation questions by the letter; a project story and a team stay with a person.
  test.each([
    ['greenhouse', ['question_30006'], []],
    ['lever', ['cards[a1f3][field2]'], ['cards[a1f3][field2]']],
    ['ashby', ['why_company'], []],
    ['workday', [], []],
    ['generic', ['team'], ['team']],
  ] as const)('the %s form asks a person for %j, and with a cover letter template for %j', (id, withoutLetter, withLetter) => {
    const form = forms.find((f) => f.providerId === id)!;
    const asked = (profile: Profile) =>
      form.pages.flatMap((p) =>
        answerFields(profile, p.fields, { job: { companyName: 'Acme', title: 'Backend Engineer' }, today: '2026-07-10' })
          .unanswered.filter((u) => u.required)
          .map((u) => u.field),
      );
    expect(asked(exampleProfile)).toEqual(withoutLetter);
    expect(asked(letterProfile)).toEqual(withLetter);
  });
});
