/**
 * Walking a failure's cause chain (ActivityFailure → ApplicationFailure → …), in one place for workflows,
 * activities and clients. Pure: bundled into workflow code.
 */
import { ApplicationFailure } from '@temporalio/common';

/** The first ApplicationFailure in the chain that `matches` (any, by default). */
export function applicationFailureIn(
  err: unknown,
  matches: (failure: ApplicationFailure) => boolean = () => true,
): ApplicationFailure | undefined {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e instanceof ApplicationFailure && matches(e)) return e;
  }
  return undefined;
}

/** `<type>: <message>` of the first ApplicationFailure in the chain, else the error's own message. */
export function describeFailure(err: unknown): string {
  const failure = applicationFailureIn(err);
  if (failure) return failure.type ? `${failure.type}: ${failure.message}` : failure.message;
  return err instanceof Error ? err.message : String(err);
}
