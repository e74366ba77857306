/**
 * The inbox page's pure parts: escaping (XSS), links only ever http(s), one input per field type, form
 * values back to typed answers, opaque ids, and the sign-in sessions (CSRF tokens, rotation, expiry).
 */
import type { AskedField } from '../src/application/messages';
import {
  applicationIdOf,
  formValues,
  inboxIdOf,
  ledgerKeyOf,
  questionFromForm,
  reviewChangesFromForm,
  type InboxItem,
} from '../src/inbox/input';
import { esc, fieldInput, inboxPage, safeHref, signInPage } from '../src/inbox/page';
import { csrfMatches, InboxSessions } from '../src/inbox/sessions';

const EVIL = `"><script>alert(1)</script><img src=x onerror=alert(2)>'\``;

const field = (over: Partial<AskedField>): AskedField => ({
  name: 'f',
  label: 'F',
  type: 'text',
  required: true,
  options: null,
  description: null,
  max_length: null,
  accept: null,
  reason: 'no answer in the profile',
  rule: null,
  page: 1,
  ...over,
});

const item = (over: Partial<InboxItem>): InboxItem => ({
  id: inboxIdOf('application/p/k'),
  kind: 'question',
  application_id: 'application/p/k',
  campaign_id: null,
  profile_id: 'p',
  job_url: 'https://jobs.lever.co/acme/1',
  job_title: 'Engineer',
  company_name: 'Acme',
  status: 'PROCESSING',
  page: 1,
  fields: [],
  answers: {},
  live_url: null,
  asked_at: '2026-01-01T00:00:00.000Z',
  deadline: '2026-01-04T00:00:00.000Z',
  details: 'workflow',
  error: null,
  updated_at: '2026-01-01T00:00:00.000Z',
  ...over,
});

const view = (items: InboxItem[]) => ({
  userId: EVIL,
  csrf: 'tok',
  nonce: 'n',
  items,
  nextCursor: null,
  campaignId: null,
  campaigns: [{ campaignId: EVIL, status: 'active', stats: { totalApplications: 3, waitingForPerson: 1, note: EVIL } }],
  errors: new Map(),
  notice: null,
  pageError: null,
});

describe('the inbox page', () => {
  test('escapes everything it shows: labels, options, reasons, answers, ids, user, campaign, URLs', () => {
    const html = inboxPage(
      view([
        item({
          job_title: EVIL,
          company_name: EVIL,
          campaign_id: EVIL,
          fields: [
            field({ name: EVIL, label: EVIL, reason: EVIL, rule: EVIL, description: EVIL }),
            field({ name: 's', label: EVIL, type: 'select', options: [{ value: EVIL, label: EVIL }] }),
          ],
        }),
        item({ id: 'r1', kind: 'review', fields: [field({ name: 'x', label: EVIL })], answers: { x: EVIL } }),
        item({ id: 'w1', kind: 'needs_person', live_url: `javascript:alert(3)`, error: EVIL }),
      ]),
    );
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // Only the page's own script (with its nonce) is a script element.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('<script nonce="n">');
  });

  test('links only http(s) URLs', () => {
    expect(safeHref('https://x.test/a?b=1')).toBe('https://x.test/a?b=1');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,hi')).toBeNull();
    expect(safeHref('/relative')).toBeNull();
  });

  test('one input per field type', () => {
    const input = (f: Partial<AskedField>, current?: unknown) => fieldInput(field(f), null, current);
    expect(input({ type: 'text' })).toContain('type="text"');
    expect(input({ type: 'email' })).toContain('type="email"');
    expect(input({ type: 'phone' })).toContain('type="tel"');
    expect(input({ type: 'date' })).toContain('type="date"');
    expect(input({ type: 'number' })).toContain('type="number"');
    expect(input({ type: 'textarea', max_length: 500 })).toMatch(/<textarea[^>]*maxlength="500"/);
    const few = [
      { value: 'y', label: 'Yes' },
      { value: 'n', label: 'No' },
    ];
    expect(input({ type: 'select', options: few }, 'n')).toMatch(/type="radio"[^>]*value="n" checked/);
    const many = Array.from({ length: 8 }, (_, i) => ({ value: `v${i}`, label: `L${i}` }));
    expect(input({ type: 'select', options: many }, 'v3')).toMatch(/<select[\s\S]*value="v3" selected/);
    expect(input({ type: 'multi_select', options: few }, ['y'])).toMatch(/type="checkbox"[^>]*value="y" checked/);
    expect(input({ type: 'boolean' }, true)).toMatch(/type="hidden"[^>]*value="false"[\s\S]*type="checkbox"[^>]*value="true" checked/);
    expect(input({ type: 'file' })).toContain('value="profile_resume"');
  });

  test('the sign-in page carries the CSRF token and a password input', () => {
    const html = signInPage({ csrf: 'tok"<', nonce: 'n', error: EVIL });
    expect(html).toContain('name="_csrf" value="tok&quot;&lt;"');
    expect(html).toContain('type="password"');
    expect(html).not.toContain('<script>alert');
  });
});

describe('form values to answers', () => {
  test('a question: typed per field, empty fields left out, remember per field', () => {
    const fields = [
      field({ name: 'age', type: 'number' }),
      field({ name: 'ok', type: 'boolean' }),
      field({
        name: 'langs',
        type: 'multi_select',
        options: [
          { value: 'en', label: 'English' },
          { value: 'de', label: 'German' },
        ],
      }),
      field({ name: 'cv', type: 'file' }),
      field({ name: 'note', type: 'textarea' }),
      field({ name: 'dob', type: 'date' }),
    ];
    const body = new URLSearchParams([
      ['_csrf', 't'],
      ['a:age', '42'],
      ['a:ok', 'false'],
      ['a:ok', 'true'],
      ['a:langs', 'en'],
      ['a:langs', 'de'],
      ['a:cv', 'profile_resume'],
      ['a:note', ''],
      ['a:dob', '1990-02-03'],
      ['r:dob', '1'],
    ]).toString();
    expect(questionFromForm(fields, formValues(body), 'prof-1')).toEqual({
      answers: { age: 42, ok: true, langs: ['en', 'de'], cv: { kind: 'profile_resume', profile_id: 'prof-1' }, dob: '1990-02-03' },
      remember: ['dob'],
    });
    // An unticked box is an answer (false); a word in a number field goes to the validator as typed.
    const other = questionFromForm(fields, formValues('a:ok=false&a:age=many'), 'p');
    expect(other.answers).toEqual({ ok: false, age: 'many' });
  });

  test('a review: only changed fields of the page under review', () => {
    const task = {
      page: 2,
      fields: [
        field({ name: 'old', page: 1 }),
        field({ name: 'same', page: 2 }),
        field({ name: 'changed', page: 2 }),
        field({ name: 'cv', page: 2, type: 'file' }),
      ],
      answers: { old: 'a', same: 'b', changed: 'c', cv: { kind: 'profile_resume' as const, profile_id: 'p' } },
    };
    expect(reviewChangesFromForm(task, formValues('a:old=z&a:same=b&a:changed=d'), 'p')).toEqual({ changed: 'd' });
  });
});

describe('ids', () => {
  test('opaque, URL-safe, and only ours decode', () => {
    const wf = 'application/11111111-1111-4111-8111-111111111111/lever.co:acme:1/retry-2';
    const id = inboxIdOf(wf);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(applicationIdOf(id)).toBe(wf);
    expect(ledgerKeyOf(wf)).toEqual({ profileId: '11111111-1111-4111-8111-111111111111', jobId: 'lever.co:acme:1' });
    expect(applicationIdOf(inboxIdOf('campaign/x'))).toBeNull();
    expect(applicationIdOf('not base64!')).toBeNull();
    expect(applicationIdOf(`${id}=`)).toBeNull();
  });
  test('escape is total', () => {
    expect(esc(`<>&"'\``)).toBe('&lt;&gt;&amp;&quot;&#39;&#96;');
    expect(esc(null)).toBe('');
  });
});

describe('sign-in sessions', () => {
  test('CSRF tokens match only their session; sign-in issues a new id; idle and old sessions end', () => {
    let now = 0;
    const sessions = new InboxSessions({ idleMs: 1000, maxAgeMs: 5000, max: 3 }, () => now);
    const anon = sessions.start();
    expect(csrfMatches(sessions.get(anon.id), anon.session.csrf)).toBe(true);
    expect(csrfMatches(sessions.get(anon.id), 'x')).toBe(false);
    expect(csrfMatches(null, anon.session.csrf)).toBe(false);
    const signed = sessions.signIn(anon.id, 'key', 'alice');
    expect(signed.id).not.toBe(anon.id);
    expect(sessions.get(anon.id)).toBeNull(); // the anonymous id is gone (no fixation)
    expect(sessions.get(signed.id)).toMatchObject({ apiKey: 'key', userId: 'alice' });
    expect(signed.session.csrf).not.toBe(anon.session.csrf);
    now = 900;
    expect(sessions.get(signed.id)).not.toBeNull(); // touched: idle time starts again
    now = 1950;
    expect(sessions.get(signed.id)).toBeNull();
    const old = sessions.start();
    for (now = 2500; now < 8000; now += 900) expect(sessions.get(old.id) === null).toBe(now - 1950 > 5000);
    // Bounded: the least recently used go first.
    const ids = Array.from({ length: 4 }, () => sessions.start().id);
    expect(sessions.size).toBe(3);
    expect(sessions.get(ids[0])).toBeNull();
  });
});
