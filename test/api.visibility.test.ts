// The API's coalesced visibility reads: identical requests in flight share one call; counts live a second.
import type { Client } from '@temporalio/client';
import { VisibilityReads } from '../src/api/visibility';

test('concurrent identical counts make one call; a count is reused for a second, then asked again', async () => {
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const client = { workflow: { count: async () => (calls++, await gate, { count: 42 }) } } as unknown as Client;
  let now = 0;
  const reads = new VisibilityReads(client, () => now);
  const many = Promise.all(Array.from({ length: 50 }, () => reads.count('q')));
  release();
  expect(await many).toEqual(Array(50).fill(42));
  expect(calls).toBe(1);
  now = 999;
  expect(await reads.count('q')).toBe(42);
  expect(calls).toBe(1);
  now = 1000;
  await reads.count('q');
  expect(calls).toBe(2);
  await reads.count('other query');
  expect(calls).toBe(3);
});

test('shared(): one call per key while it runs, a fresh one afterwards, and failures are not kept', async () => {
  const reads = new VisibilityReads({} as Client);
  let calls = 0;
  const fn = async () => (++calls, await new Promise((r) => setTimeout(r, 20)), calls);
  expect(await Promise.all([reads.shared('k', fn), reads.shared('k', fn)])).toEqual([1, 1]);
  expect(await reads.shared('k', fn)).toBe(2);
  await expect(reads.shared('bad', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  expect(await reads.shared('bad', async () => 'ok')).toBe('ok');
});
