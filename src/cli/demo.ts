/**
 * `applyflow demo`: a short run-once campaign end to end on the running main job (found through its state
 * file): a demo profile, a handful of jobs from the job store (waiting for the first feed sync if it is
 * still filling it), one line per application as it moves, then where to look: the campaign in the
 * Temporal UI, the API call that shows it, and the CLI commands.
 */
import type { Command } from 'commander';
import { DEMO_PROFILES } from '../../sandbox/demoProfiles';
import type { CampaignApplication, CampaignView } from '../campaign/input';
import { campaignApplications, createCampaign, getCampaign } from '../campaign/client';
import { loadConfig } from '../config';
import { mainStatePath, readMainState } from '../mainState';
import { openStore } from '../store';
import type { JobSummary } from '../store/types';
import { withClient } from './client';

/** The questions no profile answers in the sandbox's forms (lever's project card, the generic team field). */
const DEMO_ANSWERS = {
  'Tell us about a project you are proud of.': 'An event pipeline handling 2B events a day.',
  team: 'Engineering',
};

const FINISHED = new Set(['completed', 'failed', 'cancelled']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Up to `n` jobs, one per ATS host first, so a demo shows several providers' forms. */
function pickJobs(jobs: JobSummary[], n: number): JobSummary[] {
  const byHost = new Map<string, JobSummary[]>();
  for (const j of jobs) {
    let host = '?';
    try {
      host = new URL(j.applyUrl).host;
    } catch {
      // an odd URL still counts as its own provider
    }
    byHost.set(host, [...(byHost.get(host) ?? []), j]);
  }
  const picked: JobSummary[] = [];
  for (let round = 0; picked.length < n && round < jobs.length; round++) {
    for (const list of byHost.values()) if (list[round] && picked.length < n) picked.push(list[round]);
  }
  return picked;
}

async function jobsFromStore(n: number, waitMs: number, say: (line: string) => void): Promise<JobSummary[]> {
  const store = await openStore(loadConfig());
  try {
    const deadline = Date.now() + waitMs;
    let told = false;
    for (;;) {
      const jobs = await store.searchJobs({ limit: 500 });
      // Shuffled, so a second demo mostly applies to other jobs (the same job twice is "already applied").
      if (jobs.length >= n)
        return pickJobs(
          jobs.sort(() => Math.random() - 0.5),
          n,
        );
      if (Date.now() > deadline)
        throw new Error(
          `the job store has ${jobs.length} active jobs after ${waitMs / 1000} s (is feed sync running? npx applyflow feed-sync status)`,
        );
      if (!told) say('waiting for the first feed sync to fill the job store ...');
      told = true;
      await sleep(1_000);
    }
  } finally {
    await store.close();
  }
}

function line(a: CampaignApplication, i: number, total: number): string {
  const what = `${a.job_title} at ${a.company_name}${a.ats_type ? ` (${a.ats_type})` : ''}`;
  const detail = a.already_applied ? 'already applied' : (a.error ?? a.result?.confirmationUrl ?? '');
  return `  [${i}/${total}] ${a.status.padEnd(10)} ${what}${detail ? `  ${detail}` : ''}`;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('run a short run-once campaign on a demo profile against the running main job, showing each application')
    .option('--profile <id>', 'the candidate profile', DEMO_PROFILES[0].id)
    .option('--jobs <n>', 'how many jobs from the job store (1-10)', (v) => Number(v), 3)
    .option('--override-email <address>', "answer email fields with this address instead of the profile's (002)")
    .option('--timeout <seconds>', 'give up waiting after this long', (v) => Number(v), 300)
    .action(async (o: { profile: string; jobs: number; overrideEmail?: string; timeout: number }) => {
      if (!Number.isInteger(o.jobs) || o.jobs < 1 || o.jobs > 10) throw new Error('--jobs must be an integer from 1 to 10');
      if (!(o.timeout > 0)) throw new Error('--timeout must be a positive number of seconds');
      const config = loadConfig();
      const state = readMainState(config.dataDir);
      if (!state)
        throw new Error(`no running main job found (${mainStatePath(config.dataDir)}): start it with scripts/start, then run this again`);
      const say = (s: string) => console.log(s);
      const deadline = Date.now() + o.timeout * 1000;
      const jobs = await jobsFromStore(o.jobs, o.timeout * 1000, say);

      await withClient(async (client) => {
        const { campaignId, workflowId, handle } = await createCampaign(
          client,
          'run_once',
          {
            campaignId: `demo-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${Math.random().toString(36).slice(2, 6)}`,
            candidateProfileId: o.profile,
            jobs: jobs.map((j) => ({ companyName: j.companyName, title: j.title, jobId: j.id, link: j.applyUrl })),
            answers: DEMO_ANSWERS,
            // Owned by the main job's API user, so its API key shows the campaign.
            userId: state.api.userId,
            ...(o.overrideEmail ? { overrideEmail: o.overrideEmail } : {}),
          },
          { taskQueue: config.temporal.taskQueue },
        );
        say(`campaign ${campaignId}: ${jobs.length} applications for profile ${o.profile}`);

        const shown = new Map<string, string>();
        let view: CampaignView;
        for (;;) {
          view = await getCampaign(client, campaignId).catch(() => null as unknown as CampaignView);
          if (view) {
            const apps = (await campaignApplications(client, campaignId, { limit: 100 })).data.slice().reverse();
            apps.forEach((a, i) => {
              const text = line(a, i + 1, jobs.length);
              if (shown.get(a.applicationId) !== text) say(text);
              shown.set(a.applicationId, text);
            });
            if (FINISHED.has(view.status)) break;
          }
          if (Date.now() > deadline)
            throw new Error(`campaign ${campaignId} still ${view?.status ?? 'starting'} after ${o.timeout} s (see it in the Temporal UI)`);
          await sleep(500);
        }
        const s = view.stats;
        say(
          `campaign ${campaignId} ${view.status}: ${s.successfulApplications} succeeded, ${s.failedApplications} failed of ${s.totalApplications}`,
        );
        const ui = state.temporal.uiUrl;
        say('');
        say('Where to look:');
        if (ui)
          say(
            `  Temporal UI   ${ui}/namespaces/${encodeURIComponent(state.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}/${(await handle.describe()).runId}/history`,
          );
        if (state.api.url) {
          const key = state.api.keyFile ? `$(cut -d: -f2 ${state.api.keyFile})` : '<your key>';
          say(`  API           curl -s -H "Authorization: Bearer ${key}" ${state.api.url}/api/v1/sessions/${campaignId}`);
        }
        say(`  CLI           npx applyflow campaign get ${campaignId}`);
        say(`                npx applyflow campaign applications ${campaignId}`);
        if (view.status !== 'completed')
          throw new Error(`campaign ${campaignId} ended ${view.status}${view.error ? `: ${view.error}` : ''}`);
      });
    });
}
