// The control for feedSync.replay.test.ts: feedSync with one command added in front and no patched() guard,
// as a careless change would do. Replaying a recorded history on it must fail.
import { sleep } from '@temporalio/workflow';
import { feedSync as current } from '../../src/feedSync/workflow';
import type { FeedSyncInput } from '../../src/feedSync/input';

export async function feedSync(input: FeedSyncInput = {}) {
  await sleep(1);
  return current(input);
}
