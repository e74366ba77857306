/**
 * The sandbox's profiles over real HTTP: create defaults, 003's section-replacement PATCH, limits that
 * name the field, resume upload/download and the asynchronous import lifecycle.
 */
import { startSandbox, type SandboxHandle } from '../sandbox/server';
import { PROFILE_LIMITS, Profile, RESUME_MAX_BYTES } from '../src/jobo/schemas';
import { NEW_PROFILE_DEFAULTS } from './fixtures/profiles';
import { apiClient, type ApiResponse } from './support/sandboxApi';

let sb: SandboxHandle;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 4, jobs: 10, importDelayMs: 50 });
  api = apiClient(sb);
});
afterAll(() => sb?.close());

const contact = { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com', phone: '+1 415 555 0100' };
const full = {
  name: 'Tech applications',
  contact,
  location: { city: 'Austin', state: 'TX', country: 'United States' },
  links: { linkedin: 'https://www.linkedin.com/in/ada', github: 'https://github.com/ada', portfolio: null },
  work_experience: [{ company: 'Analytical Engines Ltd', title: 'Senior Backend Engineer', start_date: '2021-03', end_date: '2023-01' }],
  education: [{ school: 'University of London', degree: 'BSc', start_date: '2016', end_date: '2020' }],
  eligibility: { work_authorized_countries: ['United States'], requires_sponsorship: false },
  preferences: { salary_expectation: { amount: 120000, currency: 'USD', period: 'year' }, remote_preference: 'remote' },
  self_identification: { gender: 'female', veteran_status: 'not_a_veteran' },
  memories: ['8 years of backend engineering experience'],
  cover_letter_template: 'Dear {company}, ...',
};

async function create(body: unknown): Promise<ApiResponse<Profile>> {
  const res = await api<Profile>('POST', '/api/auto-apply/profiles', { json: body });
  if (res.status === 201) Profile.parse(res.body);
  return res;
}
const patch = (id: string, body: unknown) => api<Profile>('PATCH', `/api/auto-apply/profiles/${id}`, { json: body });
const get = async (id: string) => Profile.parse((await api('GET', `/api/auto-apply/profiles/${id}`)).body);
const upload = (id: string, bytes: Buffer, headers: Record<string, string>, query = '') =>
  api<Profile>('PUT', `/api/auto-apply/profiles/${id}/resume${query}`, { raw: bytes, headers });
const fieldsOf = (res: ApiResponse) => (res.body.fields ?? []).map((f: { field: string }) => f.field);

async function settled(id: string): Promise<Profile> {
  for (let i = 0; i < 100; i++) {
    const p = await get(id);
    if (p.status !== 'importing') return p;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('import did not finish');
}

describe('create and get', () => {
  it('creates with a Location header; absent sections start empty and the name defaults', async () => {
    const res = await create({ contact });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/auto-apply/profiles/${res.body.id}`);
    expect(res.body).toMatchObject({ ...NEW_PROFILE_DEFAULTS, contact });
    expect(await get(res.body.id)).toEqual(res.body);
  });

  it('keeps every section given', async () => {
    const res = await create(full);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject(full);
  });

  it.each([
    [{}, ['contact']],
    [{ contact: { first_name: 'Ada', last_name: 'Lovelace' } }, ['contact.email']],
    [{ contact: { ...contact, email: 'nope' } }, ['contact.email']],
    [{ contact, name: 'x'.repeat(PROFILE_LIMITS.name + 1) }, ['name']],
    [{ contact, links: { github: `https://github.com/${'a'.repeat(PROFILE_LIMITS.link)}` } }, ['links.github']],
    [{ contact, links: { linkedin: 'ftp://example.com/ada' } }, ['links.linkedin']],
    [{ contact, work_experience: Array(PROFILE_LIMITS.workExperience + 1).fill(full.work_experience[0]) }, ['work_experience']],
    [{ contact, education: Array(PROFILE_LIMITS.education + 1).fill(full.education[0]) }, ['education']],
    [{ contact, memories: Array(PROFILE_LIMITS.memories + 1).fill('fact') }, ['memories']],
    [{ contact, memories: ['x'.repeat(PROFILE_LIMITS.memory + 1)] }, ['memories.0']],
    [{ contact, cover_letter_template: 'x'.repeat(PROFILE_LIMITS.coverLetterTemplate + 1) }, ['cover_letter_template']],
    [{ contact, work_experience: [{ company: 'A', title: 'B', start_date: '2021-13' }] }, ['work_experience.0.start_date']],
    [
      { contact, preferences: { salary_expectation: { amount: 1, currency: 'usd', period: 'year' } } },
      ['preferences.salary_expectation.currency'],
    ],
    [{ contact, hobbies: ['chess'] }, ['hobbies']],
  ])('answers 400 naming the field (%#)', async (body, fields) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request' });
    expect(fieldsOf(res)).toEqual(fields);
  });

  it('answers 404 for an unknown profile', async () => {
    const res = await api('GET', '/api/auto-apply/profiles/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });
});

describe('PATCH: section replacement (003)', () => {
  let id: string;
  beforeEach(async () => {
    id = (await create(full)).body.id;
  });

  it('a present key replaces the whole section; absent keys are untouched', async () => {
    const res = await patch(id, { links: { github: 'https://github.com/ada2' }, memories: ['Go and Kubernetes'] });
    expect(res.status).toBe(200);
    expect(res.body.links).toEqual({ github: 'https://github.com/ada2' }); // linkedin gone with the old section
    expect(res.body.memories).toEqual(['Go and Kubernetes']);
    const { links, memories, updated_at, ...rest } = res.body;
    const { links: _l, memories: _m, updated_at: _u, ...before } = (await create(full)).body;
    expect({ ...rest, id: before.id, created_at: before.created_at }).toEqual(before);
    expect(await get(id)).toEqual(res.body);
  });

  it('empty values clear a section; "" clears the cover letter; {} changes nothing', async () => {
    const res = await patch(id, { work_experience: [], location: {}, eligibility: {}, cover_letter_template: '' });
    expect(res.body).toMatchObject({ work_experience: [], location: {}, eligibility: {}, cover_letter_template: null });
    expect(res.body.education).toEqual(full.education);
    const same = await patch(id, {});
    expect(same.body).toEqual(res.body);
    expect((await patch(id, { cover_letter_template: 'Hi {company}' })).body.cover_letter_template).toBe('Hi {company}');
  });

  it('contact, whenever present, needs first_name, last_name and email', async () => {
    const res = await patch(id, { contact: { phone: '+1 415 555 0101' } });
    expect(res.status).toBe(400);
    expect(fieldsOf(res).sort()).toEqual(['contact.email', 'contact.first_name', 'contact.last_name']);
    expect((await get(id)).contact).toEqual(contact);
    const ok = await patch(id, { contact: { first_name: 'Augusta', last_name: 'King', email: 'ak@example.com' } });
    expect(ok.body.contact).toEqual({ first_name: 'Augusta', last_name: 'King', email: 'ak@example.com' });
  });

  it('applies the same limits as create, naming the field, and changes nothing on error', async () => {
    const before = await get(id);
    const res = await patch(id, { name: 'Fine', work_experience: Array(51).fill(full.work_experience[0]) });
    expect(res.status).toBe(400);
    expect(fieldsOf(res)).toEqual(['work_experience']);
    expect(await get(id)).toEqual(before);
  });

  it('answers 404 for an unknown profile', async () => {
    expect((await patch('00000000-0000-4000-8000-000000000000', { memories: [] })).status).toBe(404);
  });
});

describe('resume upload and import', () => {
  let id: string;
  beforeEach(async () => {
    id = (await create({ contact, links: { portfolio: 'https://ada.dev' } })).body.id;
  });

  it('stores the file (200) and serves the same bytes back', async () => {
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10, 0x42]);
    const res = await upload(id, bytes, { 'content-type': 'application/pdf', 'x-file-name': encodeURIComponent('Ada Lovelace – CV.pdf') });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ready');
    expect(res.body.resume).toMatchObject({
      file_name: 'Ada Lovelace – CV.pdf',
      content_type: 'application/pdf',
      size_bytes: bytes.length,
      download_url: `/api/auto-apply/profiles/${id}/resume`,
    });
    const dl = await api('GET', res.body.resume!.download_url);
    expect(dl.status).toBe(200);
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(dl.raw.equals(bytes)).toBe(true);
  });

  it('imports "Key: value" lines asynchronously (202 importing → ready) into contact, links, experience, education, memories', async () => {
    const text = [
      'Name: Ada King',
      'Email: ada.king@example.com',
      'Phone: +44 20 7946 0000',
      'LinkedIn: https://www.linkedin.com/in/ada-king',
      'GitHub: https://github.com/adaking',
      'Experience: Senior Backend Engineer at Analytical Engines Ltd (2021-03 - 2023-01)',
      'Experience: Staff Engineer at Difference Corp (2023-02 - present)',
      'Education: BSc in Mathematics at University of London (2016 - 2020)',
      'Skills: Go, Kubernetes, PostgreSQL',
      'Summary: 8 years of backend engineering experience',
    ].join('\n');
    const res = await upload(id, Buffer.from(text), { 'content-type': 'text/plain', 'x-file-name': 'ada.txt' }, '?import=true');
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('importing');
    const p = await settled(id);
    expect(p.status).toBe('ready');
    expect(p.import_error).toBeNull();
    expect(p.contact).toEqual({ first_name: 'Ada', last_name: 'King', email: 'ada.king@example.com', phone: '+44 20 7946 0000' });
    expect(p.links).toEqual({ linkedin: 'https://www.linkedin.com/in/ada-king', github: 'https://github.com/adaking' });
    expect(p.work_experience).toEqual([
      {
        title: 'Senior Backend Engineer',
        company: 'Analytical Engines Ltd',
        start_date: '2021-03',
        end_date: '2023-01',
        is_current: false,
      },
      { title: 'Staff Engineer', company: 'Difference Corp', start_date: '2023-02', end_date: null, is_current: true },
    ]);
    expect(p.education).toEqual([
      { school: 'University of London', degree: 'BSc', field_of_study: 'Mathematics', start_date: '2016', end_date: '2020' },
    ]);
    expect(p.memories).toEqual(['Key skills: Go, Kubernetes, PostgreSQL', '8 years of backend engineering experience']);
  });

  it.each([
    ['an empty file', Buffer.alloc(0)],
    ['binary garbage', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
    ['unrelated text', Buffer.from('Lorem ipsum dolor sit amet.\nNothing to see here.')],
  ])('fails the import on %s (import_failed with import_error); PATCH fixes it', async (_, bytes) => {
    const res = await upload(id, bytes, { 'content-type': 'application/pdf', 'x-file-name': 'cv.pdf' }, '?import=true');
    expect(res.status).toBe(202);
    const p = await settled(id);
    expect(p.status).toBe('import_failed');
    expect(p.import_error).toMatch(/cv\.pdf/);
    expect(p.contact).toEqual(contact); // nothing was overwritten
    const fixed = await patch(id, { memories: ['Typed by hand'] });
    expect(fixed.body).toMatchObject({ status: 'ready', import_error: null });
  });

  it('a newer upload supersedes an import still running', async () => {
    await upload(
      id,
      Buffer.from('Name: First Upload\nEmail: first@example.com'),
      { 'content-type': 'text/plain', 'x-file-name': 'a.txt' },
      '?import=true',
    );
    await upload(
      id,
      Buffer.from('Name: Second Upload\nEmail: second@example.com'),
      { 'content-type': 'text/plain', 'x-file-name': 'b.txt' },
      '?import=true',
    );
    const p = await settled(id);
    expect(p.contact?.email).toBe('second@example.com');
    expect(p.resume?.file_name).toBe('b.txt');
  });

  it.each([
    ['an unsupported content type', { 'content-type': 'image/png', 'x-file-name': 'cv.png' }, 415, 'content_type'],
    ['no content type', { 'x-file-name': 'cv.pdf' }, 415, 'content_type'],
    ['no X-File-Name', { 'content-type': 'application/pdf' }, 400, 'file_name'],
  ])('answers an error naming the field for %s', async (_, headers, status, field) => {
    const res = await upload(id, Buffer.from('Name: Ada Lovelace'), headers);
    expect(res.status).toBe(status);
    expect(fieldsOf(res)).toEqual([field]);
    expect((await get(id)).resume).toBeNull();
  });

  it('answers 413 naming the file past RESUME_MAX_BYTES', async () => {
    const res = await upload(id, Buffer.alloc(RESUME_MAX_BYTES + 1, 0x41), { 'content-type': 'text/plain', 'x-file-name': 'big.txt' });
    expect(res.status).toBe(413);
    expect(fieldsOf(res)).toEqual(['file']);
    expect((await get(id)).resume).toBeNull();
  });

  it('answers 404 for an unknown profile or a profile without a resume', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await upload(unknown, Buffer.from('x'), { 'content-type': 'text/plain', 'x-file-name': 'x.txt' })).status).toBe(404);
    expect((await api('GET', `/api/auto-apply/profiles/${id}/resume`)).status).toBe(404);
  });
});
