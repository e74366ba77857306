// Profile owners on both backends, through the one interface, on the job store's own connection.
import { profileOwnersFor, type ProfileOwners } from '../src/store/profileOwners';
import { PostgresJobStore } from '../src/store/postgres';
import { startPostgres } from './support/postgres';
import { openTempStore } from './support/tempStore';

const backends: [string, () => Promise<{ owners: ProfileOwners; again: () => Promise<ProfileOwners>; close: () => Promise<void> }>][] = [
  [
    'sqlite',
    async () => {
      const temp = await openTempStore('applyflow-owners-');
      return { owners: await profileOwnersFor(temp.store), again: () => profileOwnersFor(temp.store), close: temp.close };
    },
  ],
  [
    'postgres',
    async () => {
      const pg = await startPostgres();
      const store = await PostgresJobStore.open(pg.url);
      return {
        owners: await profileOwnersFor(store),
        again: () => profileOwnersFor(store),
        close: async () => {
          await store.close();
          await pg.stop();
        },
      };
    },
  ],
];

describe.each(backends)('profile owners (%s)', (_name, open) => {
  let rig: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    rig = await open();
  });
  afterAll(async () => rig?.close());

  test('the first claim wins; a different owner only with reassign; lists are per user', async () => {
    const { owners } = rig;
    expect(await owners.ownerOf('p1')).toBeNull();
    expect((await owners.assign('p1', 'alice')).userId).toBe('alice');
    expect((await owners.assign('p1', 'bob')).userId).toBe('alice');
    expect(await owners.ownerOf('p1')).toBe('alice');
    await owners.assign('p2', 'alice');
    await owners.assign('p3', 'bob');
    expect((await owners.profilesOf('alice')).map((o) => o.profileId)).toEqual(['p1', 'p2']);
    const moved = await owners.assign('p1', 'bob', { reassign: true });
    expect(moved).toMatchObject({ profileId: 'p1', userId: 'bob', assignedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect((await owners.profilesOf('alice')).map((o) => o.profileId)).toEqual(['p2']);
    expect((await owners.profilesOf('bob')).map((o) => o.profileId).sort()).toEqual(['p1', 'p3']);
    expect(await owners.profilesOf('carol')).toEqual([]);
  });

  test('concurrent first claims: exactly one owner, and opening again keeps the rows', async () => {
    const { owners } = rig;
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => owners.assign('contested', `user${i}`)));
    const winner = await owners.ownerOf('contested');
    expect(new Set(claims.map((c) => c.userId))).toEqual(new Set([winner]));
    expect(await (await rig.again()).ownerOf('contested')).toBe(winner);
  });
});
