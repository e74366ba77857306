// A stand-in for a campaign (test/application.person.test.ts): starts one application as its child the way
// a campaign does and records the applicationWaiting signals the application sends it.
import { setHandler, startChild } from '@temporalio/workflow';
import { application } from '../../src/application/workflow';
import { applicationStartOptions, type ApplicationInput, type ApplicationView } from '../../src/application/input';
import { applicationWaitingSignal, type ApplicationWaiting } from '../../src/campaign/messages';

export { application };

export async function applicationParent(input: ApplicationInput): Promise<{ view: ApplicationView; waiting: ApplicationWaiting[] }> {
  const waiting: ApplicationWaiting[] = [];
  setHandler(applicationWaitingSignal, (w) => void waiting.push(w));
  const child = await startChild(application, { ...applicationStartOptions(input), args: [input] });
  const view = await child.result();
  return { view, waiting };
}
