// The control for history.replay.test.ts: every product workflow with one timer added in front and no
// patched() guard, as a careless change would do. Replaying any recorded history on it must fail.
import { sleep } from '@temporalio/workflow';
import { application as currentApplication } from '../../src/application/workflow';
import { campaign as currentCampaign } from '../../src/campaign/workflow';
import { feedSync as currentFeedSync } from '../../src/feedSync/workflow';
import { interactiveSession as currentInteractiveSession } from '../../src/interactiveSession/workflow';

type Args<F extends (...args: never[]) => unknown> = Parameters<F>;

export async function application(...args: Args<typeof currentApplication>) {
  await sleep(1);
  return currentApplication(...args);
}

export async function campaign(...args: Args<typeof currentCampaign>) {
  await sleep(1);
  return currentCampaign(...args);
}

export async function feedSync(...args: Args<typeof currentFeedSync>) {
  await sleep(1);
  return currentFeedSync(...args);
}

export async function interactiveSession(...args: Args<typeof currentInteractiveSession>) {
  await sleep(1);
  return currentInteractiveSession(...args);
}
