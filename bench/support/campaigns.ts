/** What the campaign benches share: run-once campaigns over a slice of jobs, and the sandbox's request count. */
import type { Client } from '@temporalio/client';
import { createRunOnce } from '../../src/campaign/client';
import { CALLER_ANSWERS } from '../../test/application.fixtures';

/** The upstream requests the sandbox answered, its admin routes left out. */
export function apiRequests(stats: { byRoute: Record<string, { total: number }> }): number {
  return Object.entries(stats.byRoute)
    .filter(([route]) => !route.includes('/__admin'))
    .reduce((n, [, r]) => n + r.total, 0);
}

/**
 * One run-once campaign per profile, the slice split evenly between them, each at `concurrency`; resolves
 * when every campaign has finished, with their applications' outcomes summed.
 */
export async function applyInCampaigns(
  client: Client,
  slice: readonly { id: string; url: string }[],
  profiles: readonly string[],
  opts: { concurrency: number; taskQueue: string },
): Promise<{ ok: number; failed: number }> {
  const per = Math.ceil(slice.length / profiles.length);
  const campaigns = await Promise.all(
    profiles.map((p, i) =>
      createRunOnce(
        client,
        {
          candidateProfileId: p,
          jobs: slice
            .slice(i * per, (i + 1) * per)
            .map((j, k) => ({ companyName: `Company ${k}`, title: `Job ${k}`, jobId: j.id, link: j.url })),
          answers: CALLER_ANSWERS,
          limits: { concurrency: opts.concurrency },
        },
        { taskQueue: opts.taskQueue },
      ),
    ),
  );
  const results = await Promise.all(campaigns.map((c) => c.handle.result()));
  return {
    ok: results.reduce((n, r) => n + r.stats.successfulApplications, 0),
    failed: results.reduce((n, r) => n + r.stats.failedApplications, 0),
  };
}
