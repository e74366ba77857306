// Users and user API keys on both backends, through the one interface, on the job store's own connection.
import { PostgresJobStore } from '../src/store/postgres';
import { monthOf, UserExistsError, usersFor, type Users } from '../src/store/users';
import { startPostgres } from './support/postgres';
import { openTempStore } from './support/tempStore';

const backends: [string, () => Promise<{ users: Users; again: () => Promise<Users>; close: () => Promise<void> }>][] = [
  [
    'sqlite',
    async () => {
      const temp = await openTempStore('applyflow-users-');
      return { users: await usersFor(temp.store), again: () => usersFor(temp.store), close: temp.close };
    },
  ],
  [
    'postgres',
    async () => {
      const pg = await startPostgres();
      const store = await PostgresJobStore.open(pg.url);
      return {
        users: await usersFor(store),
        again: () => usersFor(store),
        close: async () => {
          await store.close();
          await pg.stop();
        },
      };
    },
  ],
];

describe.each(backends)('users (%s)', (_name, open) => {
  let rig: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    rig = await open();
  });
  afterAll(async () => rig?.close());

  test('create with defaults, read, list and change only as the creating operator', async () => {
    const { users } = rig;
    const u = await users.create('op-a', { externalUserId: 'ext-1', name: 'Ann', email: 'ann@example.com' });
    expect(u).toMatchObject({
      id: expect.stringMatching(/^usr_/),
      operatorId: 'op-a',
      externalUserId: 'ext-1',
      maxTotalJobApplications: 1000,
      maxJobApplicationsPerMonth: 100,
      status: 'active',
      timezone: null,
    });
    await expect(users.create('op-a', { externalUserId: 'ext-1' })).rejects.toBeInstanceOf(UserExistsError);
    // The same external id under another operator is another user.
    const other = await users.create('op-b', { externalUserId: 'ext-1', maxJobApplicationsPerMonth: 5, status: 'inactive' });
    expect(other).toMatchObject({ maxJobApplicationsPerMonth: 5, status: 'inactive' });
    expect(await users.get('op-b', u.id)).toBeNull();
    expect(await users.update('op-b', u.id, { name: 'x' })).toBeNull();
    expect(await users.remove('op-b', u.id)).toBe(false);
    expect((await users.get('op-a', u.id))?.name).toBe('Ann');
    const changed = await users.update('op-a', u.id, {
      maxJobApplicationsPerMonth: 10,
      status: 'inactive',
      timezone: 'Europe/Berlin',
      email: null,
    });
    expect(changed).toMatchObject({
      maxJobApplicationsPerMonth: 10,
      status: 'inactive',
      timezone: 'Europe/Berlin',
      email: null,
      name: 'Ann',
    });
    await users.create('op-a', { externalUserId: 'ext-2' });
    const page = await users.list('op-a', { limit: 1, offset: 1 });
    expect(page.total).toBe(2);
    expect(page.users.map((x) => x.externalUserId)).toEqual(['ext-2']);
    expect((await users.list('op-b', { limit: 10, offset: 0 })).users.map((x) => x.id)).toEqual([other.id]);
  });

  test("keys: the secret authenticates and is never listed; revoked keys and a removed user's keys do not", async () => {
    const { users } = rig;
    const u = await users.create('op-a', { externalUserId: 'keys-1' });
    const { key, secret } = await users.createKey(u.id, 'ci');
    expect(secret).toMatch(/^afu_[A-Za-z0-9_-]{40,}$/);
    expect(key).toMatchObject({ userId: u.id, name: 'ci', revokedAt: null, prefix: secret.slice(0, 10) });
    expect(JSON.stringify(await users.listKeys(u.id))).not.toContain(secret);
    expect((await users.authenticate(secret))?.user.id).toBe(u.id);
    expect(await users.authenticate(`${secret}x`)).toBeNull();
    const second = await users.createKey(u.id);
    expect(await users.revokeKey('usr_someone_else', key.id)).toBe(false);
    expect(await users.revokeKey(u.id, key.id)).toBe(true);
    expect(await users.revokeKey(u.id, key.id)).toBe(true);
    expect(await users.authenticate(secret)).toBeNull();
    expect((await users.authenticate(second.secret))?.key.id).toBe(second.key.id);
    expect((await users.listKeys(u.id)).map((k) => [k.id, k.revokedAt !== null])).toEqual([
      [key.id, true],
      [second.key.id, false],
    ]);
    expect(await users.remove('op-a', u.id)).toBe(true);
    expect(await users.authenticate(second.secret)).toBeNull();
    expect(await (await rig.again()).byId(u.id)).toBeNull();
  });

  test('the month follows the user timezone', () => {
    const t = new Date('2026-01-31T23:30:00Z');
    expect(monthOf(t, null)).toBe('2026-01');
    expect(monthOf(t, 'Europe/Berlin')).toBe('2026-02');
    expect(monthOf(t, 'America/New_York')).toBe('2026-01');
  });
});
