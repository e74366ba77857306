// The RememberedAnswers contract, run against each backend (rememberedAnswers.sqlite.test.ts, .postgres.test.ts).
// What is at rest is read from the database itself, not through the store.
import { randomBytes } from 'node:crypto';
import type { CodecKey } from '../src/config';
import { rememberedAnswersFor, type RememberedAnswers } from '../src/store/rememberedAnswers';
import type { JobStore } from '../src/store/types';

export interface RawRow {
  profile_id: string;
  answer_key: string;
  label: string;
  options: string | null;
  value: string;
  value_key_id: string | null;
}

export interface SuiteRig {
  store: JobStore;
  /** The table's rows for a profile, straight from the database. */
  raw(profileId: string): Promise<RawRow[]>;
  /** Runs SQL with `?` placeholders (a test's tampering). */
  exec(sql: string, params: unknown[]): Promise<void>;
  close(): Promise<void>;
}

const k1: CodecKey = { id: 'k1', key: randomBytes(32) };
const k2: CodecKey = { id: 'k2', key: randomBytes(32) };
const DOB = { label: 'Date of birth *', type: 'date' as const, value: '1990-04-12' };
const AGE = {
  label: 'Are you at least 18 years of age?',
  type: 'select' as const,
  options: [
    { value: 'Yes', label: 'Yes' },
    { value: 'No', label: 'No' },
  ],
  value: 'Yes',
};

export function rememberedAnswersSuite(name: string, open: () => Promise<SuiteRig>): void {
  describe(`RememberedAnswers (${name})`, () => {
    let rig: SuiteRig;
    let n = 0;
    let profileId: string;
    const withKeys = (codecKeys: CodecKey[]): Promise<RememberedAnswers> => rememberedAnswersFor(rig.store, { codecKeys });

    beforeAll(async () => {
      rig = await open();
    });
    afterAll(async () => rig?.close());
    // Each test works on its own profile, so tests share one database without seeing each other's rows.
    beforeEach(() => {
      profileId = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    });

    test('remember is an upsert by normalized label and type; the same answer again changes nothing', async () => {
      const answers = await withKeys([k1]);
      const first = await answers.remember(profileId, AGE);
      expect(first).toMatchObject({
        created: true,
        changed: true,
        answer: { key: 'select:are-you-at-least-18-years-of-age', label: AGE.label, value: 'Yes', options: AGE.options },
      });
      expect(first.answer.createdAt).toBe(first.answer.updatedAt);
      const again = await answers.remember(profileId, AGE);
      expect(again).toEqual({ ...first, created: false, changed: false });

      const changed = await answers.remember(profileId, { ...AGE, label: 'Are you at least 18 years of age? *', value: 'No' });
      expect(changed).toMatchObject({
        created: false,
        changed: true,
        answer: { key: first.answer.key, label: 'Are you at least 18 years of age? *', value: 'No' },
      });
      expect(changed.answer.createdAt).toBe(first.answer.createdAt);
      expect(changed.answer.updatedAt >= first.answer.updatedAt).toBe(true);
      // Another type is another question.
      await answers.remember(profileId, { label: AGE.label, type: 'boolean', value: true });
      const listed = await answers.list(profileId);
      expect(listed.map((a) => [a.key, a.value, a.unreadable])).toEqual([
        ['boolean:are-you-at-least-18-years-of-age', true, null],
        ['select:are-you-at-least-18-years-of-age', 'No', null],
      ]);
      expect((await rig.raw(profileId)).length).toBe(2);
    });

    test('concurrent remembers of one question leave one row', async () => {
      const answers = await withKeys([k1]);
      await Promise.all(Array.from({ length: 10 }, (_, i) => answers.remember(profileId, { ...DOB, value: `1990-04-${String(10 + i)}` })));
      const rows = await rig.raw(profileId);
      expect(rows.map((r) => r.answer_key)).toEqual(['date:date-of-birth']);
      expect((await answers.get(profileId, 'date:date-of-birth'))?.value).toMatch(/^1990-04-1\d$/);
    });

    test('with the codec on, the value is sealed at rest with the current key; off, it is plain JSON', async () => {
      await (await withKeys([k1])).remember(profileId, DOB);
      const [sealed] = await rig.raw(profileId);
      expect(sealed.value_key_id).toBe('k1');
      expect(sealed.value).not.toContain('1990');
      expect(Buffer.from(sealed.value, 'base64').toString('latin1')).not.toContain('1990-04-12');
      expect(sealed.label).toBe('Date of birth *'); // the form's words stay readable

      const plainProfile = `${profileId.slice(0, -1)}f`;
      await (await withKeys([])).remember(plainProfile, DOB);
      const [plain] = await rig.raw(plainProfile);
      expect([plain.value_key_id, plain.value]).toEqual([null, '"1990-04-12"']);
      // A value written with the codec off reads the same once it is on.
      expect((await (await withKeys([k1])).get(plainProfile, 'date:date-of-birth'))?.value).toBe('1990-04-12');
      await (await withKeys([])).forget(plainProfile, 'date:date-of-birth');
    });

    test('rotation: read with any configured key; rewritten with the current one; an unknown key is unreadable, never used', async () => {
      await (await withKeys([k1])).remember(profileId, DOB);
      const rotated = await withKeys([k2, k1]);
      expect((await rotated.usable(profileId)).map((a) => a.value)).toEqual(['1990-04-12']);
      // The same answer again is not rewritten (it stays under k1) ...
      expect((await rotated.remember(profileId, DOB)).changed).toBe(false);
      expect((await rig.raw(profileId))[0].value_key_id).toBe('k1');
      // ... a new one is sealed with k2.
      await rotated.remember(profileId, { ...DOB, value: '1991-05-13' });
      expect((await rig.raw(profileId))[0].value_key_id).toBe('k2');

      const oldOnly = await withKeys([k1]);
      const [listed] = await oldOnly.list(profileId);
      expect(listed).toMatchObject({ key: 'date:date-of-birth', value: null, unreadable: expect.stringContaining('"k2"') });
      expect(await oldOnly.usable(profileId)).toEqual([]);
      const off = await withKeys([]);
      expect((await off.list(profileId))[0].unreadable).toBe('sealed with codec key k2, and the payload codec is off');
      // Setting it again replaces the unreadable row.
      expect((await oldOnly.remember(profileId, DOB)).changed).toBe(true);
      expect((await oldOnly.usable(profileId)).map((a) => a.value)).toEqual(['1990-04-12']);
    });

    test("a sealed value copied onto another profile's row does not open there", async () => {
      const answers = await withKeys([k1]);
      await answers.remember(profileId, DOB);
      const [row] = await rig.raw(profileId);
      const other = `${profileId.slice(0, -1)}e`;
      await answers.remember(other, { ...DOB, value: '2001-01-01' });
      await rig.exec(`UPDATE remembered_answers SET value = ? WHERE profile_id = ? AND answer_key = ?`, [row.value, other, row.answer_key]);
      const [copied] = await answers.list(other);
      expect(copied).toMatchObject({ value: null, unreadable: 'sealed for another profile or question' });
      // A tampered ciphertext fails the codec's authentication.
      const bytes = Buffer.from(row.value, 'base64');
      bytes[bytes.length - 1] ^= 1;
      await rig.exec(`UPDATE remembered_answers SET value = ? WHERE profile_id = ? AND answer_key = ?`, [
        bytes.toString('base64'),
        profileId,
        row.answer_key,
      ]);
      expect((await answers.list(profileId))[0].unreadable).toMatch(/failed authentication/);
      await answers.forget(other, row.answer_key);
    });

    test("usable with keys opens only those (a page's questions)", async () => {
      const answers = await withKeys([k1]);
      await answers.remember(profileId, DOB);
      await answers.remember(profileId, AGE);
      expect(
        (await answers.usable(profileId, ['date:date-of-birth', 'date:date-of-birth', 'text:not-remembered'])).map((a) => a.key),
      ).toEqual(['date:date-of-birth']);
      expect(await answers.usable(profileId, [])).toEqual([]);
      expect((await answers.usable(profileId)).map((a) => a.key)).toEqual([
        'date:date-of-birth',
        'select:are-you-at-least-18-years-of-age',
      ]);
    });

    test('forget removes one answer of one profile', async () => {
      const answers = await withKeys([k1]);
      const other = `${profileId.slice(0, -1)}d`;
      await answers.remember(profileId, DOB);
      await answers.remember(profileId, AGE);
      await answers.remember(other, DOB);
      expect(await answers.forget(profileId, 'date:date-of-birth')).toBe(true);
      expect(await answers.forget(profileId, 'date:date-of-birth')).toBe(false);
      expect((await answers.list(profileId)).map((a) => a.key)).toEqual(['select:are-you-at-least-18-years-of-age']);
      expect((await answers.list(other)).map((a) => a.key)).toEqual(['date:date-of-birth']);
      expect(await answers.get(profileId, 'date:date-of-birth')).toBeNull();
      await answers.forget(other, 'date:date-of-birth');
    });
  });
}
