/**
 * Remembered answers over HTTP: list, set (PUT by key) and delete on the caller's own profile; bad bodies
 * are 400s naming the field and store nothing; another user's profile is the unknown-profile 404 for every
 * route and changes nothing. Ground truth is the store (read with the same codec key, and raw at rest).
 * Profiles are created through the API against the real sandbox. The profile routes never call Temporal:
 * the client is a lazy connection that is never opened.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { SandboxHandle } from '../sandbox/server';
import type { ZodApp } from '../src/api/context';
import { buildApi } from '../src/api/server';
import { JoboClient } from '../src/jobo/client';
import { profileOwnersFor } from '../src/store/profileOwners';
import { lazyRememberedAnswers, rememberedAnswersFor, type RememberedAnswers } from '../src/store/rememberedAnswers';
import { APPLICANT } from './application.fixtures';
import { apiCaller } from './support/apiCall';
import { startSandbox } from './support/sandbox';
import { openTempStore, type TempStore } from './support/tempStore';

const ALICE = 'af_alice_rem_111111111111111';
const BOB = 'af_bob_rem_2222222222222222';
const CODEC_KEY = { id: 'api-rem', key: randomBytes(32) };
const UNKNOWN_PROFILE = '00000000-0000-4000-8000-000000000000';
const AGE_KEY = 'select:are-you-at-least-18-years-of-age';
const AGE = {
  label: 'Are you at least 18 years of age? *',
  type: 'select',
  options: [
    { value: '1', label: 'Yes' },
    { value: '2', label: 'No' },
  ],
  value: '1',
};

let sandbox: SandboxHandle;
let jobo: JoboClient;
let temp: TempStore;
let app: ZodApp;
let client: Client;
let base: string;
let store: RememberedAnswers;
let alices: string;
let bobs: string;

const call = apiCaller(() => base, ALICE);

const answersPath = (profileId: string, key?: string) => `/api/v1/profiles/${profileId}/answers${key ? `/${encodeURIComponent(key)}` : ''}`;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 43, jobs: 10 });
  jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
  temp = await openTempStore('applyflow-remembered-api-');
  const owners = await profileOwnersFor(temp.store);
  client = new Client({ connection: Connection.lazy() });
  app = await buildApi({
    client,
    jobo,
    taskQueue: 'remembered-api',
    keys: [
      { userId: 'alice', key: ALICE },
      { userId: 'bob', key: BOB },
    ],
    rateLimit: { max: 10_000, windowSeconds: 60 },
    profileOwners: async () => owners,
    rememberedAnswers: lazyRememberedAnswers(async () => temp.store, { codecKeys: [CODEC_KEY] }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  store = await rememberedAnswersFor(temp.store, { codecKeys: [CODEC_KEY] });
  alices = (await call('POST', '/api/v1/profiles', { body: APPLICANT })).body.id;
  bobs = (await call('POST', '/api/v1/profiles', { key: BOB, body: APPLICANT })).body.id;
});

afterAll(async () => {
  await app?.close();
  await client?.connection.close();
  await jobo?.close();
  await temp?.close();
  await sandbox?.close();
});

test('set, list, replace and delete a remembered answer on the caller’s profile', async () => {
  expect(await call('GET', answersPath(alices))).toMatchObject({ status: 200, body: { data: [] } });

  const created = await call('PUT', answersPath(alices, AGE_KEY), { body: AGE });
  expect(created.status).toBe(201);
  expect(created.headers.location).toBe(answersPath(alices, AGE_KEY));
  expect(created.body).toEqual({
    key: AGE_KEY,
    label: AGE.label,
    type: 'select',
    options: AGE.options,
    value: '1',
    unreadable: null,
    created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    updated_at: created.body.created_at,
  });
  // Ground truth: stored under the key, the value sealed with the server's codec key.
  expect(await store.get(alices, AGE_KEY)).toMatchObject({ value: '1', label: AGE.label, unreadable: null });
  const raw = temp.store.db.prepare(`SELECT value, value_key_id FROM remembered_answers WHERE profile_id = ?`).get(alices) as {
    value: string;
    value_key_id: string;
  };
  expect(raw.value_key_id).toBe(CODEC_KEY.id);

  const same = await call('PUT', answersPath(alices, AGE_KEY), { body: AGE });
  expect([same.status, same.body.updated_at]).toEqual([200, created.body.updated_at]);
  const replaced = await call('PUT', answersPath(alices, AGE_KEY), { body: { ...AGE, value: '2' } });
  expect([replaced.status, replaced.body.value, replaced.body.created_at]).toEqual([200, '2', created.body.created_at]);

  const dob = await call('PUT', answersPath(alices, 'date:date-of-birth'), {
    body: { label: 'Date of birth', type: 'date', value: '1990-04-12' },
  });
  expect(dob.status).toBe(201);
  const listed = await call('GET', answersPath(alices));
  expect(listed.body.data.map((a: { key: string; value: unknown }) => [a.key, a.value])).toEqual([
    ['date:date-of-birth', '1990-04-12'],
    [AGE_KEY, '2'],
  ]);

  expect((await call('DELETE', answersPath(alices, 'date:date-of-birth'))).status).toBe(204);
  expect(await store.get(alices, 'date:date-of-birth')).toBeNull();
  expect(await call('DELETE', answersPath(alices, 'date:date-of-birth'))).toMatchObject({ status: 404, body: { error: 'not_found' } });
  expect((await store.list(alices)).map((a) => a.key)).toEqual([AGE_KEY]);
});

test.each([
  ['no label', { ...AGE, label: undefined }, AGE_KEY, ['label']],
  ['a label without words', { ...AGE, label: '* (required)' }, AGE_KEY, ['label']],
  ['a file', { label: 'Resume', type: 'file', value: 'x' }, 'file:resume', ['type']],
  ['a value not among the options', { ...AGE, value: '3' }, AGE_KEY, ['value']],
  ['a value of the wrong type', { label: 'Date of birth', type: 'date', value: '12/04/1990' }, 'date:date-of-birth', ['value']],
  [
    'options on a free-text answer',
    { label: 'Team', type: 'text', options: [{ value: 'a', label: 'A' }], value: 'a' },
    'text:team',
    ['options'],
  ],
  ['an option without a value', { ...AGE, options: [{ label: 'Yes' }] }, AGE_KEY, ['options[0].value']],
  ['an unknown field', { ...AGE, remember: true }, AGE_KEY, ['remember']],
  ['a key of another question', AGE, 'select:date-of-birth', ['key']],
  ['a key of another type', AGE, 'multi_select:are-you-at-least-18-years-of-age', ['key']],
])('400 naming the field for %s; nothing is stored', async (_what, body, key, fields) => {
  const res = await call('PUT', answersPath(bobs, key), { key: BOB, body });
  expect(res.status).toBe(400);
  expect(res.body.error).toBe('invalid_request');
  expect(res.body.fields.map((f: { field: string }) => f.field)).toEqual(fields);
  expect(await store.list(bobs)).toEqual([]);
});

test("another user's profile is the unknown-profile 404 on every route, and nothing changes", async () => {
  await call('PUT', answersPath(alices, AGE_KEY), { body: AGE });
  const before = await store.list(alices);
  for (const [method, path, body] of [
    ['GET', answersPath(alices), undefined],
    ['PUT', answersPath(alices, AGE_KEY), { ...AGE, value: '2' }],
    ['PUT', answersPath(alices, 'date:date-of-birth'), { label: 'Date of birth', type: 'date', value: '1990-04-12' }],
    ['DELETE', answersPath(alices, AGE_KEY), undefined],
  ] as const) {
    const res = await call(method, path, { key: BOB, body });
    expect([method, res.status, res.body]).toEqual([method, 404, { error: 'not_found', message: `profile ${alices} not found` }]);
    // Same answer as for a profile nobody has.
    expect((await call(method, path.replace(alices, UNKNOWN_PROFILE), { key: BOB, body })).body).toEqual({
      error: 'not_found',
      message: `profile ${UNKNOWN_PROFILE} not found`,
    });
  }
  expect(await store.list(alices)).toEqual(before);
  expect(await store.list(UNKNOWN_PROFILE)).toEqual([]);
});

test('the OpenAPI document lists the routes with the request and answer schemas', async () => {
  const doc = (await call('GET', '/api/v1/openapi.json')).body;
  expect(Object.keys(doc.paths['/api/v1/profiles/{profileId}/answers'])).toEqual(['get']);
  expect(Object.keys(doc.paths['/api/v1/profiles/{profileId}/answers/{key}']).sort()).toEqual(['delete', 'put']);
  expect(doc.components.schemas.RememberAnswerRequest.required.sort()).toEqual(['label', 'type', 'value']);
  expect(doc.components.schemas.RememberedAnswer.properties.type.enum).toContain('multi_select');
  expect(doc.components.schemas.RememberedAnswer.properties.type.enum).not.toContain('file');
});
