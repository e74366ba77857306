/**
 * Users and their API keys over real HTTP, with the store as ground truth: an operator (APPLYFLOW_API_KEYS)
 * makes users, a user's key is that user everywhere in the API (profiles and campaigns are owned by the
 * user id), and neither another operator nor another user can see or use anything of them (the 404 an
 * unknown id gets).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { PassThrough } from 'node:stream';
import { request } from 'undici';
import type { SandboxHandle } from '../sandbox/server';
import { createActivities } from '../src/activities';
import type { ZodApp } from '../src/api/context';
import { buildApi, type ApiDeps } from '../src/api/server';
import type { JoboClient } from '../src/jobo/client';
import { profileOwnersFor, type ProfileOwners } from '../src/store/profileOwners';
import { keyDigest, usersFor, type Users } from '../src/store/users';
import { APPLICANT } from './application.fixtures';
import { testConfig } from './support/config';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';

const taskQueue = 'api-users';
const OP_A = 'af_operator_a_111111111111';
const OP_B = 'af_operator_b_222222222222';

let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let jobo: JoboClient;
let owners: ProfileOwners;
let users: Users;
const apps: ZodApp[] = [];
let base: string;

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(method: string, path: string, opts: { key?: string | null; body?: unknown } = {}): Promise<Res> {
  const headers: Record<string, string> = {};
  const key = opts.key === undefined ? OP_A : opts.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await request(`${base}${path}`, { method: method as 'GET', headers, body });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : null };
}

async function startApp(over: Partial<ApiDeps> = {}): Promise<string> {
  const app = await buildApi({
    client: env.client,
    jobo,
    taskQueue,
    keys: [
      { userId: 'op-a', key: OP_A },
      { userId: 'op-b', key: OP_B },
    ],
    rateLimit: { max: 10_000, windowSeconds: 60 },
    ledger: async () => temp!.ledger,
    profileOwners: async () => owners,
    users: async () => users,
    ...over,
  });
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

beforeAll(async () => {
  temp = await openTempStore('applyflow-api-users-');
  const { store } = temp;
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 31, jobs: 60 },
    taskQueue,
    activities: (jobo, sandbox) =>
      createActivities({ config: testConfig({ JOBO_BASE_URL: sandbox.url, JOBO_API_KEY: sandbox.apiKey }), jobo, store: async () => store }),
  });
  ({ env, sandbox, jobo } = rig);
  owners = await profileOwnersFor(store);
  users = await usersFor(store);
  base = await startApp();
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await rig?.stop();
  await temp?.close();
});

describe('users and their keys', () => {
  test('an operator creates, reads, lists, changes and deletes users; bad input names the field', async () => {
    const created = await call('POST', '/api/v1/users', { body: { externalUserId: 'crm-1', name: 'Ann', email: 'ann@example.com' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ userId: expect.stringMatching(/^usr_/), externalUserId: 'crm-1', maxTotalJobApplications: 1000, maxJobApplicationsPerMonth: 100, status: 'active', timezone: null });
    const id = created.body.userId as string;
    // Ground truth: the store's row.
    expect((await users.byId(id))?.operatorId).toBe('op-a');

    const dup = await call('POST', '/api/v1/users', { body: { externalUserId: 'crm-1' } });
    expect([dup.status, dup.body.error]).toEqual([409, 'conflict']);
    const bad = await call('POST', '/api/v1/users', { body: { externalUserId: 'crm-x', email: 'nope', maxJobApplicationsPerMonth: -1, timezone: 'Mars/Base', role: 'admin' } });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['email', 'maxJobApplicationsPerMonth', 'role', 'timezone']);
    expect((await users.list('op-a', { limit: 100, offset: 0 })).users.map((u) => u.externalUserId)).not.toContain('crm-x');

    const patched = await call('PATCH', `/api/v1/users/${id}`, { body: { maxJobApplicationsPerMonth: 10, timezone: 'Europe/Berlin' } });
    expect([patched.status, patched.body.maxJobApplicationsPerMonth, patched.body.timezone]).toEqual([200, 10, 'Europe/Berlin']);
    expect((await users.byId(id))?.maxJobApplicationsPerMonth).toBe(10);
    expect((await call('GET', `/api/v1/users/${id}`)).body.name).toBe('Ann');
    const list = await call('GET', '/api/v1/users?limit=100');
    expect(list.body.data.map((u: { userId: string }) => u.userId)).toContain(id);
    expect(list.body.pagination).toMatchObject({ page: 1, limit: 100, total: list.body.data.length });

    expect((await call('DELETE', `/api/v1/users/${id}`)).status).toBe(204);
    expect(await users.byId(id)).toBeNull();
    expect((await call('GET', `/api/v1/users/${id}`)).status).toBe(404);
  });

  test("a user's key is that user: profiles it makes are owned by its user id; revoked is 401, inactive is 403", async () => {
    const id = (await call('POST', '/api/v1/users', { body: { externalUserId: 'crm-2' } })).body.userId as string;
    const made = await call('POST', `/api/v1/users/${id}/api-keys`, { body: { name: 'laptop' } });
    expect(made.status).toBe(201);
    const secret = made.body.secret as string;
    expect(made.body).toMatchObject({ userId: id, name: 'laptop', revokedAt: null });
    // Shown once: the listing has no secret, the store only its digest.
    const listed = await call('GET', `/api/v1/users/${id}/api-keys`);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.data.map((k: { keyId: string }) => k.keyId)).toEqual([made.body.keyId]);
    const raw = temp!.store.db.prepare(`SELECT * FROM api_user_keys WHERE id = ?`).get(made.body.keyId);
    expect(JSON.stringify(raw)).not.toContain(secret);
    expect((raw as { digest: string }).digest).toBe(keyDigest(secret));

    const profile = await call('POST', '/api/v1/profiles', { key: secret, body: APPLICANT });
    expect(profile.status).toBe(201);
    expect(await owners.ownerOf(profile.body.id)).toBe(id);
    expect((await call('GET', `/api/v1/users/${id}`, { key: secret })).body.userId).toBe(id); // itself
    const asUser = await call('POST', '/api/v1/users', { key: secret, body: { externalUserId: 'sneaky' } });
    expect([asUser.status, asUser.body.error]).toEqual([403, 'forbidden']);
    expect((await call('GET', '/api/v1/users', { key: secret })).status).toBe(403);

    expect((await call('PATCH', `/api/v1/users/${id}`, { body: { status: 'inactive' } })).status).toBe(200);
    const inactive = await call('GET', '/api/v1/profiles', { key: secret });
    expect([inactive.status, inactive.body.error]).toEqual([403, 'user_inactive']);
    await call('PATCH', `/api/v1/users/${id}`, { body: { status: 'active' } });
    expect((await call('GET', '/api/v1/profiles', { key: secret })).status).toBe(200);

    // Rotation by the user itself, then the old key revoked.
    const second = await call('POST', `/api/v1/users/${id}/api-keys`, { key: secret, body: {} });
    expect(second.status).toBe(201);
    expect((await call('DELETE', `/api/v1/users/${id}/api-keys/${made.body.keyId}`, { key: second.body.secret })).status).toBe(204);
    const revoked = await call('GET', '/api/v1/profiles', { key: secret });
    expect([revoked.status, revoked.body.error]).toEqual([401, 'unauthorized']);
    expect((await call('GET', '/api/v1/profiles', { key: second.body.secret })).status).toBe(200);
    expect((await users.listKeys(id)).find((k) => k.id === made.body.keyId)?.revokedAt).not.toBeNull();
  });

  test("another operator and another user get the unknown-id 404 for every user, key and usage route", async () => {
    const ann = (await call('POST', '/api/v1/users', { body: { externalUserId: 'crm-3' } })).body.userId as string;
    const annKey = (await call('POST', `/api/v1/users/${ann}/api-keys`, { body: {} })).body;
    const bob = (await call('POST', '/api/v1/users', { body: { externalUserId: 'crm-4' } })).body.userId as string;
    const bobKey = (await call('POST', `/api/v1/users/${bob}/api-keys`, { body: {} })).body.secret as string;
    const before = JSON.stringify([await users.byId(ann), await users.listKeys(ann)]);

    for (const key of [OP_B, bobKey]) {
      const attempts = [
        await call('GET', `/api/v1/users/${ann}`, { key }),
        await call('GET', `/api/v1/users/${ann}/api-keys`, { key }),
        await call('POST', `/api/v1/users/${ann}/api-keys`, { key, body: {} }),
        await call('DELETE', `/api/v1/users/${ann}/api-keys/${annKey.keyId}`, { key }),
        await call('GET', `/api/v1/users/${ann}/usage`, { key }),
        await call('GET', '/api/v1/users/usr_000000000000000000000000', { key }),
      ];
      if (key === OP_B) {
        attempts.push(await call('PATCH', `/api/v1/users/${ann}`, { key, body: { maxTotalJobApplications: 1 } }));
        attempts.push(await call('DELETE', `/api/v1/users/${ann}`, { key }));
      }
      expect(attempts.map((r) => [r.status, r.body.error])).toEqual(Array(attempts.length).fill([404, 'not_found']));
    }
    // Nothing changed in the store, and op-b's list does not show op-a's users.
    expect(JSON.stringify([await users.byId(ann), await users.listKeys(ann)])).toBe(before);
    expect((await call('GET', '/api/v1/users?limit=100', { key: OP_B })).body.data).toEqual([]);
    expect((await call('GET', '/api/v1/profiles', { key: annKey.secret })).status).toBe(200);
  });
});

describe('limit headers and 429s', () => {
  test("a user key's responses carry its limits; an operator's only the concurrent limit", async () => {
    const id = (await call('POST', '/api/v1/users', { body: { externalUserId: 'crm-h', maxTotalJobApplications: 7, maxJobApplicationsPerMonth: 3 } })).body.userId as string;
    const secret = (await call('POST', `/api/v1/users/${id}/api-keys`, { body: {} })).body.secret as string;
    const mine = await call('GET', '/api/v1/profiles', { key: secret });
    expect(mine.headers).toMatchObject({
      'x-ratelimit-user-total-limit': '7',
      'x-ratelimit-user-total-remaining': '7',
      'x-ratelimit-user-monthly-limit': '3',
      'x-ratelimit-user-monthly-remaining': '3',
      'x-ratelimit-concurrent-limit': '10',
      'x-ratelimit-concurrent-remaining': '9',
    });
    // Errors carry them too.
    expect((await call('GET', '/api/v1/users/usr_nope', { key: secret })).headers['x-ratelimit-user-monthly-remaining']).toBe('3');
    const op = await call('GET', '/api/v1/users');
    expect(op.headers['x-ratelimit-concurrent-limit']).toBe('10');
    expect(op.headers['x-ratelimit-user-total-limit']).toBeUndefined();
  });

  test('past the concurrent limit per key: a 429 with its code and retryAfter in the body and Retry-After; another key is not affected', async () => {
    const to = await startApp({ concurrentRequestLimit: 1 });
    // A request whose body has not finished arriving holds its key's slot.
    const slow = new PassThrough();
    const held = request(`${to}/api/v1/users`, { method: 'POST', headers: { authorization: `Bearer ${OP_A}`, 'content-type': 'application/json' }, body: slow });
    slow.write('{"externalUserId":');
    await new Promise((r) => setTimeout(r, 300));
    const res = await request(`${to}/api/v1/users`, { headers: { authorization: `Bearer ${OP_A}` } });
    const body = (await res.body.json()) as { error: string; retryAfter: number };
    expect([res.statusCode, body.error, body.retryAfter, res.headers['retry-after']]).toEqual([429, 'concurrent_limit_exceeded', 1, '1']);
    expect(res.headers['x-ratelimit-concurrent-remaining']).toBe('0');
    const other = await request(`${to}/api/v1/users`, { headers: { authorization: `Bearer ${OP_B}` } });
    expect(other.statusCode).toBe(200);
    await other.body.text();
    slow.end('"crm-slow"}');
    expect((await held).statusCode).toBe(201);
    const again = await request(`${to}/api/v1/users`, { headers: { authorization: `Bearer ${OP_A}` } });
    expect(again.statusCode).toBe(200); // the slot came back
    await again.body.text();
  });

  test('the per-user request rate limit 429 has retryAfter in the body as well', async () => {
    const to = await startApp({ rateLimit: { max: 2, windowSeconds: 60 } });
    const statuses = [];
    let last: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (let i = 0; i < 3; i++) {
      const r = await request(`${to}/api/v1/users`, { headers: { authorization: `Bearer ${OP_B}` } });
      statuses.push(r.statusCode);
      last = { headers: r.headers, body: await r.body.json() };
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(last.body.error).toBe('rate_limited');
    expect(last.body.retryAfter).toBeGreaterThan(0);
    expect(String(last.body.retryAfter)).toBe(last.headers['retry-after']);
  });
});
