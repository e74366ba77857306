/**
 * Profiles over the real sandbox: input checks that name every bad field, section replacement on PATCH,
 * and the resume import lifecycle (ready / import_failed) through the same code the CLI runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JoboClient } from '../src/jobo/client';
import { PROFILE_LIMITS } from '../src/jobo/schemas';
import { ProfileInputError, parseCreateProfile, parseCreateProfileFile, parsePatchProfile } from '../src/profile/input';
import { importResume, resumeFile } from '../src/profile/resume';
import { exampleProfile } from './fixtures/profiles';
import { captureCli } from './support/cli';
import { startSandbox } from './support/sandbox';

const { id, status, import_error, resume, created_at, updated_at, ...rest } = exampleProfile;
const exampleBody = { ...rest, contact: rest.contact! };
const valid = () => structuredClone(exampleBody) as Record<string, unknown> & typeof exampleBody;

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProfileInputError) return err.problems.map((p) => `${p.field}: ${p.message}`);
    throw err;
  }
  throw new Error('expected a ProfileInputError');
}

describe('profile input', () => {
  const job = exampleBody.work_experience[0];
  const cases: [string, (b: ReturnType<typeof valid>) => void, string][] = [
    ['name', (b) => (b.name = 'x'.repeat(PROFILE_LIMITS.name + 1)), 'name: '],
    ['contact (missing email)', (b) => delete (b.contact as Partial<typeof b.contact>).email, 'contact.email: required'],
    ['contact (bad email)', (b) => (b.contact.email = 'not-an-email'), 'contact.email: '],
    ['location', (b) => ((b.location as Record<string, unknown>).city = 42), 'location.city: '],
    ['links', (b) => (b.links.github = 'ftp://example.com/me'), 'links.github: '],
    [
      'work_experience (4th entry without company)',
      (b) => (b.work_experience = [job, job, job, { ...job, company: undefined as unknown as string }]),
      'work_experience.3.company: required',
    ],
    [
      'work_experience (dates)',
      (b) => (b.work_experience[0].start_date = 'March 2021'),
      'work_experience.0.start_date: expected YYYY or YYYY-MM',
    ],
    ['work_experience (too many)', (b) => (b.work_experience = Array(PROFILE_LIMITS.workExperience + 1).fill(job)), 'work_experience: '],
    ['education', (b) => (b.education[0].school = ''), 'education.0.school: '],
    ['eligibility', (b) => ((b.eligibility as Record<string, unknown>).requires_sponsorship = 'no'), 'eligibility.requires_sponsorship: '],
    [
      'preferences',
      (b) => (b.preferences.salary_expectation = { amount: 1, currency: 'usd', period: 'year' }),
      'preferences.salary_expectation.currency: expected an ISO 4217 code',
    ],
    ['self_identification', (b) => ((b.self_identification as Record<string, unknown>).gender = 'robot'), 'self_identification.gender: '],
    ['memories', (b) => (b.memories = ['ok', 'x'.repeat(PROFILE_LIMITS.memory + 1)]), 'memories.1: '],
    [
      'cover_letter_template',
      (b) => (b.cover_letter_template = 'x'.repeat(PROFILE_LIMITS.coverLetterTemplate + 1)),
      'cover_letter_template: ',
    ],
    ['unknown section', (b) => (b.skills = ['Go']), 'skills: unknown field'],
  ];

  it.each(cases)('rejects a malformed %s and names the field', (_name, spoil, expected) => {
    const body = valid();
    spoil(body);
    const problems = problemsOf(() => parseCreateProfile(body));
    expect(problems).toEqual([expect.stringContaining(expected)]);
  });

  it('accepts the reference example and requires contact on create only', () => {
    expect(parseCreateProfile(valid())).toMatchObject({ contact: { email: 'ada@example.com' } });
    expect(problemsOf(() => parseCreateProfile({ name: 'x' }))).toEqual(['contact: required']);
    expect(parsePatchProfile({ memories: [] })).toEqual({ memories: [] });
    expect(problemsOf(() => parsePatchProfile({}))).toEqual([expect.stringContaining('(body): nothing to change')]);
    expect(problemsOf(() => parseCreateProfileFile('{ nope'))).toEqual([expect.stringContaining('(file): not valid JSON')]);
  });

  it('refuses unsupported or empty resume files before uploading', () => {
    expect(problemsOf(() => resumeFile('cv.png', Buffer.from('x')))).toEqual([expect.stringContaining('resume: unsupported file type')]);
    expect(problemsOf(() => resumeFile('cv.pdf', Buffer.alloc(0)))).toEqual(['resume: the file is empty']);
    expect(resumeFile('/tmp/My CV.docx', Buffer.from('x')).contentType).toMatch(/wordprocessingml/);
  });
});

describe('profiles over the sandbox', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let jobo: JoboClient;
  let dir: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 5, jobs: 20, importDelayMs: 50 });
    jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
    dir = mkdtempSync(join(tmpdir(), 'applyflow-profile-'));
    Object.assign(process.env, { JOBO_BASE_URL: sandbox.url, JOBO_API_KEY: sandbox.apiKey });
  });
  afterAll(async () => {
    process.env = savedEnv;
    await jobo.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the CLI and returns its exit code and what it printed. */
  const cli = (...args: string[]) => captureCli('profile', ...args);

  function file(name: string, content: string | Buffer): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  it('creates, reads and patches by section replacement through the CLI', async () => {
    const created = await cli('create', '--file', file('p.json', JSON.stringify(valid())), '--json');
    expect(created.code).toBe(0);
    const profile = JSON.parse(created.out);
    expect(profile).toMatchObject({ status: 'ready', contact: exampleBody.contact, work_experience: exampleBody.work_experience });

    const newJob = { company: 'Difference Engines', title: 'Staff Engineer', is_current: true };
    const patch = { work_experience: [newJob], links: {}, cover_letter_template: 'Dear {{company}}' };
    const patched = await cli('patch', profile.id, '--file', file('patch.json', JSON.stringify(patch)), '--json');
    expect(patched.code).toBe(0);
    const after = JSON.parse(patched.out);
    // Present sections are replaced whole (not merged), absent ones are untouched.
    expect(after.work_experience).toEqual([newJob]);
    expect(after.links).toEqual({});
    expect(after.cover_letter_template).toBe('Dear {{company}}');
    expect(after.education).toEqual(exampleBody.education);
    expect(after.contact).toEqual(exampleBody.contact);
    expect(after.preferences).toEqual(exampleBody.preferences);

    // "" clears the template; the read shows what the upstream stored.
    await cli('patch', profile.id, '--file', file('clear.json', '{"cover_letter_template": ""}'));
    const got = await cli('get', profile.id, '--json');
    expect(JSON.parse(got.out)).toMatchObject({ cover_letter_template: null, work_experience: [newJob] });
  });

  it('refuses a malformed file with one line per field and sends nothing', async () => {
    const before = (await sandbox.admin.stats()).byRoute['POST /api/auto-apply/profiles']?.total ?? 0;
    const body = valid();
    body.work_experience = [...body.work_experience, ...body.work_experience, ...body.work_experience, { title: 'x' } as never];
    delete (body.contact as Partial<typeof body.contact>).last_name;
    const res = await cli('create', '--file', file('bad.json', JSON.stringify(body)));
    expect(res.code).toBe(1);
    expect(res.err).toContain('contact.last_name: required');
    expect(res.err).toContain('work_experience.3.company: required');
    const after = (await sandbox.admin.stats()).byRoute['POST /api/auto-apply/profiles']?.total ?? 0;
    expect(before).toBeGreaterThan(0); // the route is counted (the test above created a profile)
    expect(after).toBe(before);
  });

  it('imports a resume until ready', async () => {
    const profile = await jobo.createProfile({ contact: { first_name: 'A', last_name: 'L', email: 'a@example.com' } });
    const cv = [
      'Name: Ada Lovelace',
      'Email: ada@example.com',
      'GitHub: https://github.com/ada',
      'Experience: Senior Engineer at Analytical Engines (2021-03 - present)',
      'Education: BSc in Mathematics at University of London (2016 - 2020)',
      'Skills: Go, Kubernetes',
    ].join('\n');
    const polled: string[] = [];
    const done = await importResume(jobo, profile.id, resumeFile('ada.txt', Buffer.from(cv)), {
      pollIntervalMs: 20,
      onPoll: (p) => polled.push(p.status),
    });
    expect(done.status).toBe('ready');
    expect(polled[0]).toBe('importing'); // it really waited for the import
    expect(done).toMatchObject({
      import_error: null,
      contact: { first_name: 'Ada', last_name: 'Lovelace' },
      links: { github: 'https://github.com/ada' },
      work_experience: [{ company: 'Analytical Engines', title: 'Senior Engineer', is_current: true }],
      education: [{ school: 'University of London', degree: 'BSc', field_of_study: 'Mathematics' }],
      memories: ['Key skills: Go, Kubernetes'],
      resume: { file_name: 'ada.txt', content_type: 'text/plain' },
    });
  });

  it('shows import_failed with its import_error (CLI exits 1)', async () => {
    const profile = await jobo.createProfile({ contact: { first_name: 'A', last_name: 'L', email: 'a@example.com' } });
    const res = await cli('import', profile.id, '--resume', file('blank.pdf', Buffer.from([0, 1, 2, 3, 255, 254])));
    expect(res.code).toBe(1);
    expect(res.out).toContain('import_failed');
    expect(res.err).toMatch(/import failed: Could not extract any resume content from blank\.pdf/);
    expect((await jobo.getProfile(profile.id)).import_error).toMatch(/blank\.pdf/);
  });
});
