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
import { analyticsFor } from '../src/store/analytics';
import { profileOwnersFor, type ProfileOwners } from '../src/store/profileOwners';
import { keyDigest, usersFor, type Users } from '../src/store/users';
import { APPLICANT, CALLER_ANSWERS, corpusJobs, submissionsOf } from './application.fixtures';
import { testConfig } from './support/config';
import { apiCaller } from './support/apiCall';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';
import { waitFor } from './support/waitFor';

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

const call = apiCaller(() => base, OP_A);

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
    jobStore: async () => temp!.store,
    analytics: async () => analyticsFor(temp!.store),
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
      createActivities({
        config: testConfig({ JOBO_BASE_URL: sandbox.url, JOBO_API_KEY: sandbox.apiKey }),
        jobo,
        store: async () => store,
      }),
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
    expect(created.body).toMatchObject({
      userId: expect.stringMatching(/^usr_/),
      externalUserId: 'crm-1',
      maxTotalJobApplications: 1000,
      maxJobApplicationsPerMonth: 100,
      status: 'active',
      timezone: null,
    });
    const id = created.body.userId as string;
    // Ground truth: the store's row.
    expect((await users.byId(id))?.operatorId).toBe('op-a');

    const dup = await call('POST', '/api/v1/users', { body: { externalUserId: 'crm-1' } });
    expect([dup.status, dup.body.error]).toEqual([409, 'conflict']);
    const bad = await call('POST', '/api/v1/users', {
      body: { externalUserId: 'crm-x', email: 'nope', maxJobApplicationsPerMonth: -1, timezone: 'Mars/Base', role: 'admin' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'email',
      'maxJobApplicationsPerMonth',
      'role',
      'timezone',
    ]);
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

  test('daily caps (ours): set at create, changed and cleared by PATCH, shown by GET; bad values are a 400 naming the field', async () => {
    const created = await call('POST', '/api/v1/users', {
      body: { externalUserId: 'crm-daily', maxJobApplicationsPerDay: 5, maxJobApplicationsPerDayByProvider: { workday: 30 } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ maxJobApplicationsPerDay: 5, maxJobApplicationsPerDayByProvider: { workday: 30 } });
    const id = created.body.userId as string;
    expect(await users.byId(id)).toMatchObject({ maxJobApplicationsPerDay: 5, maxJobApplicationsPerDayByProvider: { workday: 30 } });
    const plain = await call('POST', '/api/v1/users', { body: { externalUserId: 'crm-daily-none' } });
    expect(plain.body).toMatchObject({ maxJobApplicationsPerDay: null, maxJobApplicationsPerDayByProvider: {} });

    const patched = await call('PATCH', `/api/v1/users/${id}`, {
      body: { maxJobApplicationsPerDay: null, maxJobApplicationsPerDayByProvider: { workday: 2, greenhouse: 0 } },
    });
    expect(patched.status).toBe(200);
    expect((await call('GET', `/api/v1/users/${id}`)).body).toMatchObject({
      maxJobApplicationsPerDay: null,
      maxJobApplicationsPerDayByProvider: { workday: 2, greenhouse: 0 },
    });
    expect(await users.byId(id)).toMatchObject({
      maxJobApplicationsPerDay: null,
      maxJobApplicationsPerDayByProvider: { workday: 2, greenhouse: 0 },
    });

    const bad = await call('PATCH', `/api/v1/users/${id}`, {
      body: { maxJobApplicationsPerDay: -1, maxJobApplicationsPerDayByProvider: { workday: 1.5, taleo: 3 } },
    });
    expect([bad.status, bad.body.error]).toEqual([400, 'invalid_request']);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'maxJobApplicationsPerDay',
      'maxJobApplicationsPerDayByProvider.taleo',
      'maxJobApplicationsPerDayByProvider.workday',
    ]);
    const notObject = await call('POST', '/api/v1/users', {
      body: { externalUserId: 'crm-daily-bad', maxJobApplicationsPerDayByProvider: [3] },
    });
    expect([notObject.status, notObject.body.fields.map((f: { field: string }) => f.field)]).toEqual([
      400,
      ['maxJobApplicationsPerDayByProvider'],
    ]);
    // Nothing changed by the refused requests.
    expect(await users.byId(id)).toMatchObject({ maxJobApplicationsPerDayByProvider: { workday: 2, greenhouse: 0 } });
    // Usage shows today's window against the caps (nothing started yet).
    const usage = await call('GET', `/api/v1/users/${id}/usage`);
    expect(usage.body).toMatchObject({
      day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      daily: { limit: null, used: 0, remaining: null },
      dailyByProvider: { greenhouse: { limit: 0, used: 0, remaining: 0 }, workday: { limit: 2, used: 0, remaining: 2 } },
    });
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

  test('another operator and another user get the unknown-id 404 for every user, key and usage route', async () => {
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
    const id = (
      await call('POST', '/api/v1/users', { body: { externalUserId: 'crm-h', maxTotalJobApplications: 7, maxJobApplicationsPerMonth: 3 } })
    ).body.userId as string;
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
    const held = request(`${to}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OP_A}`, 'content-type': 'application/json' },
      body: slow,
    });
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

describe('limits that hold under concurrency, and usage from the ledger', () => {
  test('monthly limit 10, three concurrent campaigns of 10 jobs: exactly 10 go upstream, 20 limit_reached that never do; headers, usage and analytics agree with ground truth after a mixed run', async () => {
    const id = (await call('POST', '/api/v1/users', { body: { externalUserId: 'crm-limits', maxJobApplicationsPerMonth: 10 } })).body
      .userId as string;
    const key = (await call('POST', `/api/v1/users/${id}/api-keys`, { body: {} })).body.secret as string;
    const profileId = (await call('POST', '/api/v1/profiles', { key, body: APPLICANT })).body.id as string;
    const upload = await request(`${base}/api/v1/profiles/${profileId}/resume?import=false`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain', 'x-file-name': 'cv.txt' },
      body: 'Ada Lovelace\nada@example.org\nSenior engineer, 2019-2024\n',
    });
    expect(upload.statusCode).toBeLessThan(300);
    await upload.body.text();
    const jobs = await corpusJobs(sandbox.admin, temp!.store, 33);
    expect(new Set(jobs.map((j) => j.url)).size).toBe(33);
    const before = await call('GET', '/api/v1/profiles', { key });
    expect([before.headers['x-ratelimit-user-monthly-remaining'], before.headers['x-ratelimit-user-total-remaining']]).toEqual([
      '10',
      '1000',
    ]);

    const created = await Promise.all(
      [0, 1, 2].map((c) =>
        call('POST', '/api/v1/sessions/apply', {
          key,
          body: {
            candidateProfileId: profileId,
            jobs: jobs
              .slice(c * 10, c * 10 + 10)
              .map((j, i) => ({ companyName: 'Acme', title: 'Engineer', jobId: `c${c}-${i}`, link: j.url })),
            answers: CALLER_ANSWERS,
          },
        }),
      ),
    );
    expect(created.map((r) => r.status)).toEqual([201, 201, 201]);
    const sessions = created.map((r) => r.body.sessionId as string);
    // The monthly header as the campaigns run, read between requests: it only ever counts down, to 0.
    const remaining: number[] = [];
    const views = await waitFor(
      'the three campaigns to complete',
      async () => {
        const rs = await Promise.all(sessions.map((s) => call('GET', `/api/v1/sessions/${s}`, { key })));
        remaining.push(Number(rs[0].headers['x-ratelimit-user-monthly-remaining']));
        const vs = rs.map((r) => r.body);
        return vs.every((v) => v.status === 'completed') && vs;
      },
      240_000,
    );
    expect(remaining.every((n, i) => i === 0 || n <= remaining[i - 1])).toBe(true);
    expect(remaining[remaining.length - 1]).toBe(0);

    // Ground truth: the sandbox's submissions for this profile.
    const submitted = await submissionsOf(sandbox.admin, profileId);
    const submissions = [...submitted.values()].reduce((a, b) => a + b, 0);
    expect(submissions).toBeLessThanOrEqual(10);
    const rows = await temp!.ledger.list({ profileId });
    expect(rows).toHaveLength(30);
    const refused = rows.filter((r) => r.status === 'FAILED' && r.error?.startsWith('limit_reached:'));
    expect(refused).toHaveLength(20);
    // Every refused job was never sent upstream; every submitted one is a claimed row.
    for (const r of refused) expect(submitted.get(r.jobUrl) ?? 0).toBe(0);
    const succeeded = rows.filter((r) => r.status === 'SUCCESS');
    expect(succeeded.length).toBe([...submitted.values()].filter((n) => n > 0).length);
    expect(rows.filter((r) => !r.error?.startsWith('limit_reached:')).every((r) => ['SUCCESS', 'FAILED'].includes(r.status))).toBe(true);
    // No refused job opened an upstream session (the limit counts starts, not outcomes).
    const upstreamSessions = (await sandbox.admin.sessions()).filter((s) => s.profile_id === profileId);
    expect(new Set(upstreamSessions.map((s) => s.job_url)).size).toBe(10); // each of the ten claimed jobs went upstream
    // Each claimed job was submitted unless its form failed it (the sandbox's corpus has such jobs).
    const k = succeeded.length;
    expect(submissions).toBe(k);
    expect(k).toBeGreaterThan(5);
    for (const r of refused) expect(upstreamSessions.some((s) => s.job_url === r.jobUrl)).toBe(false);

    const stats = views.map((v) => v.stats);
    expect(stats.reduce((a, s) => a + (s.limitReachedApplications ?? 0), 0)).toBe(20); // present once a job was refused
    expect(stats.reduce((a, s) => a + s.successfulApplications, 0)).toBe(succeeded.length);
    expect(stats.reduce((a, s) => a + s.failedApplications, 0)).toBe(10 - k);
    expect(stats.reduce((a, s) => a + s.totalApplications, 0)).toBe(10);

    // A mixed run on top: two more allowed, one of them for a second profile without a resume (the form
    // fails it), and one refused.
    expect((await call('PATCH', `/api/v1/users/${id}`, { body: { maxJobApplicationsPerMonth: 12 } })).status).toBe(200);
    const noResume = (await call('POST', '/api/v1/profiles', { key, body: APPLICANT })).body.id as string;
    const runOnce = async (profile: string, links: string[]) => {
      const made = await call('POST', '/api/v1/sessions/apply', {
        key,
        body: {
          candidateProfileId: profile,
          jobs: links.map((link, i) => ({ companyName: 'Acme', title: 'Engineer', jobId: `m-${i}`, link })),
          answers: CALLER_ANSWERS,
          limits: { concurrency: 1 }, // in list order, so which one the limit refuses is known
        },
      });
      expect(made.status).toBe(201);
      return waitFor(
        'the campaign',
        async () => {
          const v = (await call('GET', `/api/v1/sessions/${made.body.sessionId}`, { key })).body;
          return v.status === 'completed' && v;
        },
        120_000,
      );
    };
    const failing = await runOnce(noResume, [jobs[32].url]);
    expect(failing.stats).toMatchObject({ successfulApplications: 0, failedApplications: 1 });
    const last = await runOnce(profileId, [jobs[30].url, jobs[31].url]);
    expect(last.stats).toMatchObject({ successfulApplications: 1, failedApplications: 0, limitReachedApplications: 1 });
    const truth = await submissionsOf(sandbox.admin, profileId);
    expect([...truth.values()].reduce((a, b) => a + b, 0)).toBe(k + 1);
    expect([truth.get(jobs[30].url), truth.get(jobs[31].url) ?? 0]).toEqual([1, 0]);
    expect((await submissionsOf(sandbox.admin, noResume)).size).toBe(0);
    const mixed = { body: { sessionId: last.sessionId as string } };
    const failedSession = failing.sessionId as string;

    const after = await call('GET', `/api/v1/users/${id}/usage?period=all`, { key });
    expect(after.headers['x-ratelimit-user-monthly-remaining']).toBe('0');
    expect(after.headers['x-ratelimit-user-total-remaining']).toBe('988');
    // Usage agrees with the ground truth: k + 1 submitted upstream, the other claimed ones failed, 21 refused by the limit.
    expect(after.body).toMatchObject({
      userId: id,
      monthly: { limit: 12, used: 12, remaining: 0 },
      total: { limit: 1000, used: 12, remaining: 988 },
      applications: { total: 33, successful: k + 1, failed: 11 - k, limitReached: 21, inProgress: 0, cancelled: 0, needsPerson: 0 },
    });
    expect((await call('GET', '/api/v1/usage', { key })).body.applications).toEqual(after.body.applications);
    const summary = (await call('GET', '/api/v1/analytics/summary?period=7d', { key })).body;
    expect(summary.overview).toMatchObject({ total: 33, successful: k + 1, failed: 11 - k, limitReached: 21 });
    expect(summary.overview.successRate).toBeCloseTo((k + 1) / 12, 4);
    expect(summary.byProvider.reduce((a: number, p: { total: number }) => a + p.total, 0)).toBe(33);
    expect(summary.byProvider.reduce((a: number, p: { failed: number }) => a + p.failed, 0)).toBe(11 - k);
    expect(summary.dailyTrend.reduce((a: number, d: { successful: number }) => a + d.successful, 0)).toBe(k + 1);
    // Top five sessions by applications: the three of ten first.
    expect(
      summary.topSessions
        .map((t: { sessionId: string }) => t.sessionId)
        .slice(0, 3)
        .sort(),
    ).toEqual([...sessions].sort());
    expect(summary.topSessions.map((t: { sessionId: string }) => t.sessionId).sort()).toEqual(
      [...sessions, mixed.body.sessionId, failedSession].sort(),
    );
    // The operator's account includes its users; another operator sees none of it.
    expect((await call('GET', '/api/v1/usage?period=all')).body.applications.limitReached).toBeGreaterThanOrEqual(20);
    expect((await call('GET', '/api/v1/analytics/summary?period=all', { key: OP_B })).body.overview.total).toBe(0);
    expect((await call('GET', `/api/v1/users/${id}/usage`, { key: OP_B })).status).toBe(404);
  }, 300_000);
});

describe('job search and search records', () => {
  test("POST /jobs/search pages the store with the autopilot filters; its searchId fills a session searchContext; unknown or another user's searchId is a 400 naming it", async () => {
    const jobs = await corpusJobs(sandbox.admin, temp!.store, 40);
    const id = (await call('POST', '/api/v1/users', { body: { externalUserId: 'crm-search' } })).body.userId as string;
    const key = (await call('POST', `/api/v1/users/${id}/api-keys`, { body: {} })).body.secret as string;
    // Ground truth: the same filters through the store's own query.
    const all = await temp!.store.searchJobs({ limit: 1000 });
    const first = await call('POST', '/api/v1/jobs/search', { key, body: { limit: 5 } });
    expect(first.status).toBe(200);
    expect(first.body.data.map((j: { jobId: string }) => j.jobId)).toEqual(all.slice(0, 5).map((j) => j.id));
    expect(first.body.pagination).toEqual({ page: 1, limit: 5, hasMore: all.length > 5 });
    const second = await call('POST', '/api/v1/jobs/search', { key, body: { limit: 5, page: 2 } });
    expect(second.body.data.map((j: { jobId: string }) => j.jobId)).toEqual(all.slice(5, 10).map((j) => j.id));
    const company = jobs[0] && (await temp!.store.getJob(jobs[0].id))!.job.company.name;
    const byCompany = await call('POST', '/api/v1/jobs/search', {
      key,
      body: { companyInclude: [company.toUpperCase()], location: ['a'], jobTitle: 'engineer' },
    });
    const expected = await temp!.store.searchJobs({
      companiesInclude: [company.toUpperCase()],
      locations: ['a'],
      text: 'engineer',
      limit: 21,
    });
    expect(byCompany.body.data.map((j: { jobId: string }) => j.jobId)).toEqual(expected.slice(0, 20).map((j) => j.id));
    expect(byCompany.body.searchContext).toEqual({ titles: ['engineer'], locations: ['a'] });
    const bad = await call('POST', '/api/v1/jobs/search', { key, body: { limit: 101, workType: ['Moon'] } });
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['limit', 'workType[0]']);

    const profileId = (await call('POST', '/api/v1/profiles', { key, body: APPLICANT })).body.id as string;
    const body = (searchId: string) => ({
      candidateProfileId: profileId,
      searchId,
      jobs: [{ companyName: 'Acme', title: 'Painter', jobId: 'x', link: jobs[0].url }],
      answers: CALLER_ANSWERS,
    });
    const made = await call('POST', '/api/v1/sessions/apply', { key, body: body(byCompany.body.searchId) });
    expect(made.status).toBe(201);
    expect(made.body.searchContext).toEqual({ titles: ['engineer'], locations: ['a'] });
    expect(made.body.searchId).toBe(byCompany.body.searchId);

    // The made session and its application are in visibility before the count is taken.
    await waitFor(
      'the session to complete',
      async () => (await call('GET', `/api/v1/sessions/${made.body.sessionId}`, { key })).body.status === 'completed',
      120_000,
    );
    const count = async () => (await env.client.workflow.count()).count;
    const workflowsBefore = (
      await waitFor('visibility to settle', async () => {
        const a = await count();
        await new Promise((r) => setTimeout(r, 1000));
        return a === (await count()) && { a };
      })
    ).a;
    const unknown = await call('POST', '/api/v1/sessions/apply', { key, body: body('srch_000000000000000000000000') });
    expect([unknown.status, unknown.body.fields]).toEqual([
      400,
      [{ field: 'searchId', message: 'unknown or expired search record srch_000000000000000000000000' }],
    ]);
    // Another user's search record is as unknown.
    const others = await call('POST', '/api/v1/jobs/search', { body: {} });
    const foreign = await call('POST', '/api/v1/sessions/apply', { key, body: body(others.body.searchId) });
    expect([foreign.status, foreign.body.fields[0].field]).toEqual([400, 'searchId']);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await count()).toBe(workflowsBefore);
  });
});

test('the OpenAPI document has the users, keys, usage, analytics and job search routes with their schemas', async () => {
  const res = await call('GET', '/api/v1/openapi.json', { key: null });
  expect(res.status).toBe(200);
  const paths = Object.keys(res.body.paths);
  for (const p of [
    '/api/v1/users',
    '/api/v1/users/{userId}',
    '/api/v1/users/{userId}/api-keys',
    '/api/v1/users/{userId}/api-keys/{keyId}',
    '/api/v1/users/{userId}/usage',
    '/api/v1/usage',
    '/api/v1/analytics/summary',
    '/api/v1/jobs/search',
  ]) {
    expect(paths).toContain(p);
  }
  expect(Object.keys(res.body.components.schemas)).toEqual(
    expect.arrayContaining([
      'User',
      'CreatedUserApiKey',
      'UserUsage',
      'Usage',
      'AnalyticsSummary',
      'JobSearchRequest',
      'JobSearchResponse',
    ]),
  );
  expect(res.body.components.schemas.Error.properties.retryAfter).toBeDefined();
  expect(Object.keys(res.body.components.schemas.User.properties)).toEqual(
    expect.arrayContaining(['maxJobApplicationsPerDay', 'maxJobApplicationsPerDayByProvider']),
  );
});
