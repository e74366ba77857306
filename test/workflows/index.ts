// Tiny workflows for platform tests (codec, test environments); the product workflows live in src/<capability>/workflow.ts.
import { ApplicationFailure, sleep } from '@temporalio/workflow';

export interface CandidateInput {
  profile: { first_name: string; last_name: string; email: string; phone?: string };
  jobUrl: string;
  /** Fail with a message that quotes the email, to prove failures are encrypted too. */
  reject?: boolean;
}

export async function candidateEcho(input: CandidateInput): Promise<{ applicant: string }> {
  if (input.reject) {
    throw ApplicationFailure.nonRetryable(`profile ${input.profile.email} cannot apply to ${input.jobUrl}`, 'ProfileRejected');
  }
  return { applicant: `${input.profile.first_name} ${input.profile.last_name} <${input.profile.email}>` };
}

/** Sleeps a simulated day: instant on the time-skipping server. */
export async function sleepADay(): Promise<string> {
  await sleep('1 day');
  return 'awake';
}
