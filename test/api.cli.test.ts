/**
 * The CLI's presentation pieces (tables, the feed progress bar) and `applyflow application list` run as a
 * real process against a real SQLite ledger.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { CampaignView } from '../src/campaign/input';
import { CAMPAIGN_COLUMNS, renderCampaign, RUN_COLUMNS } from '../src/cli/campaignViews';
import { feedFraction, ProgressLine, renderBar } from '../src/cli/progress';
import { pageLine, renderPage, renderTable } from '../src/cli/table';
import { ledgerFor } from '../src/store/ledger';
import { type ApplicationStatus } from '../src/shared/applicationStatus';
import { SqliteJobStore } from '../src/store/sqlite';

describe('renderTable', () => {
  const cols = [
    { header: 'id', value: (r: { id: string; n: number | null }) => r.id },
    { header: 'n', value: (r: { id: string; n: number | null }) => r.n, max: 5 },
  ];

  it('aligns columns under upper-case headers, shows missing values as -, cuts long cells', () => {
    const out = renderTable(cols, [
      { id: 'a', n: 1 },
      { id: 'longer-id', n: null },
      { id: 'b', n: 1234567 },
    ]);
    expect(out.split('\n')).toEqual(['ID         N', 'a          1', 'longer-id  -', 'b          1234…']);
  });

  it('says (none) for no rows and pages as page x/y', () => {
    expect(renderTable(cols, [])).toBe('(none)');
    expect(pageLine({ page: 2, totalPages: 3, total: 45 })).toBe('page 2/3 (45 total)');
    expect(pageLine({ page: 1, totalPages: 0, total: 0 })).toBe('page 1/1 (0 total)');
  });
});

describe('campaign views', () => {
  const view: CampaignView = {
    sessionId: 'sess_1',
    workflowId: 'campaign/sess_1',
    type: 'autopilot_recurring',
    candidateProfileId: '3f0c1c9a-1d2e-4b7a-9a51-5d0c6e9b8a11',
    userId: 'alice',
    error: null,
    status: 'paused',
    stats: {
      totalRuns: 3,
      totalApplications: 7,
      successfulApplications: 5,
      failedApplications: 2,
      jobsQueued: 0,
      lastRunAt: '2026-01-05T14:00:00.000Z',
      nextRunAt: null,
    },
    searchContext: { titles: ['Software Engineer'], locations: ['Austin, TX'] },
    searchId: null,
    schedule: { pattern: 'weekly', daysOfWeek: ['monday', 'wednesday'], time: '09:00', timezone: 'America/New_York' },
    filters: { jobTitle: 'Software Engineer', location: ['Austin, TX'] },
    limits: { maxJobsPerRun: 25, concurrency: 3 },
    createdAt: '2026-01-01T10:00:00.000Z',
    generations: 0,
  };

  it('summarises one campaign: stats, what it looks for, its schedule', () => {
    const out = renderCampaign(view);
    expect(out).toContain('Campaign sess_1 (autopilot_recurring), paused');
    expect(out).toContain('applications: 7 (5 succeeded, 2 failed), 0 queued');
    expect(out).toContain('runs:         3, last 2026-01-05T14:00:00Z, next -');
    expect(out).toContain('looking for:  Software Engineer in Austin, TX');
    expect(out).toContain('owner:        alice');
    expect(out).toContain('schedule:     weekly on monday, wednesday at 09:00 America/New_York');
  });

  it('lists campaigns and runs as tables with a page line', () => {
    const list = renderPage(CAMPAIGN_COLUMNS, {
      data: [
        {
          sessionId: 'sess_1',
          workflowId: 'campaign/sess_1',
          type: 'run_once',
          status: 'completed',
          candidateProfileId: view.candidateProfileId,
          userId: 'alice',
          startedAt: view.createdAt,
          closedAt: null,
          searchContext: null,
          candidateEmail: null,
        },
      ],
      pagination: { page: 1, total: 1, totalPages: 1 },
    }).split('\n');
    expect(lines(list)).toEqual([
      ['SESSION', 'TYPE', 'STATUS', 'USER', 'PROFILE', 'CREATED', 'CLOSED'],
      ['sess_1', 'run_once', 'completed', 'alice', '3f0c1c9a', '2026-01-01T10:00:00Z', '-'],
      ['page', '1/1', '(1', 'total)'],
    ]);
    const runs = renderTable(RUN_COLUMNS, [
      {
        sessionRunId: 'run-2',
        startedAt: view.createdAt,
        completedAt: null,
        scheduledAt: null,
        status: 'in_progress',
        stats: { jobsFound: 4, applicationsAttempted: 2, applicationsSuccessful: 1, applicationsFailed: 0 },
        error: null,
      },
    ]).split('\n');
    expect(lines(runs)[1]).toEqual(['run-2', 'in_progress', '2026-01-01T10:00:00Z', '-', '4', '2', '1', '0', '-']);
  });

  const lines = (ls: string[]) => ls.map((l) => l.trim().split(/\s+/));
});

describe('feed progress bar', () => {
  it('draws a bar from a fraction, clamped', () => {
    expect(renderBar(0, 10)).toBe('[----------]   0%');
    expect(renderBar(0.5, 10)).toBe('[#####-----]  50%');
    expect(renderBar(2, 10)).toBe('[##########] 100%');
    expect(renderBar(NaN, 4)).toBe('[----]   0%');
  });

  it('moves a step per phase of the run the mode implies', () => {
    expect(feedFraction({ mode: 'backfill', phase: 'starting' })).toBe(0);
    expect(feedFraction({ mode: 'backfill', phase: 'feed' })).toBe(0.25);
    expect(feedFraction({ mode: 'backfill', phase: 'reconcile' })).toBe(0.5);
    expect(feedFraction({ mode: 'incremental', phase: 'sweep' })).toBe(0.5);
    expect(feedFraction({ mode: 'full-resync', phase: 'done' })).toBe(1);
    expect(feedFraction({ mode: null, phase: 'starting' })).toBe(0);
  });

  function stream(isTTY: boolean) {
    const chunks: string[] = [];
    return { chunks, out: { isTTY, columns: 200, write: (s: string) => chunks.push(s) } as unknown as NodeJS.WriteStream };
  }

  it('into a pipe prints each changed line once', () => {
    const { chunks, out } = stream(false);
    const bar = new ProgressLine(out);
    bar.update(0.25, 'feed pages 1');
    bar.update(0.25, 'feed pages 1');
    bar.update(0.25, 'feed pages 2');
    bar.done();
    expect(chunks).toEqual([`${renderBar(0.25)} feed pages 1\n`, `${renderBar(0.25)} feed pages 2\n`]);
  });

  it('on a terminal redraws one line in place and ends it', () => {
    const { chunks, out } = stream(true);
    const bar = new ProgressLine(out);
    bar.update(0.5, 'reconcile');
    bar.update(1, 'done');
    bar.done();
    expect(chunks).toHaveLength(3);
    // eslint-disable-next-line no-control-regex -- the terminal's escape sequence is what is under test
    expect(chunks[0]).toMatch(/^\r\x1b\[2K\[#+-+\] {2}50% reconcile {2}\d+s$/);
    expect(chunks[1]).toContain('100% done');
    expect(chunks[2]).toBe('\n');
  });
});

describe('applyflow application list', () => {
  const exec = promisify(execFile);
  let dir: string;
  let sqlitePath: string;
  const PROFILE = '3f0c1c9a-1d2e-4b7a-9a51-5d0c6e9b8a11';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'applyflow-cli-apps-'));
    sqlitePath = join(dir, 'jobs.sqlite');
    const store = new SqliteJobStore(sqlitePath);
    const ledger = await ledgerFor(store);
    const statuses: ApplicationStatus[] = ['SUCCESS', 'FAILED', 'SUCCESS'];
    for (const [i, status] of statuses.entries()) {
      await ledger.record({
        profileId: PROFILE,
        jobId: `job-${i}`,
        jobUrl: `https://boards.greenhouse.io/acme/jobs/${i}`,
        jobRef: null,
        awaitingUntil: null,
        status,
        attempts: [
          {
            attempt: 1,
            status: status === 'SUCCESS' ? 'success' : 'failed',
            timestamp: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
          },
        ],
        error: status === 'FAILED' ? 'the form asked for a work permit' : null,
        confirmationUrl: status === 'SUCCESS' ? `https://boards.greenhouse.io/acme/jobs/${i}/confirmation` : null,
        campaignId: 'sess_cli',
        provider: 'greenhouse',
        workflowId: `application/${PROFILE}/job-${i}`,
        runId: `run-${i}`,
        runStartedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      });
      await new Promise((r) => setTimeout(r, 5)); // distinct created_at, so newest-first is observable
    }
    await store.close();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cli = (...args: string[]) =>
    exec(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli/index.ts', 'application', 'list', ...args], {
      cwd: resolve(__dirname, '..'),
      env: { PATH: process.env.PATH ?? '', APPLYFLOW_SQLITE_PATH: sqlitePath },
    });

  it('prints a table, newest first, with the page line', async () => {
    const { stdout } = await cli();
    const lines = stdout.trim().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['STATUS', 'PROFILE', 'JOB', 'PROVIDER', 'TRIES', 'SESSION', 'UPDATED', 'URL']);
    expect(lines.slice(1, 4).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['SUCCESS', PROFILE.slice(0, 8), 'job-2'],
      ['FAILED', PROFILE.slice(0, 8), 'job-1'],
      ['SUCCESS', PROFILE.slice(0, 8), 'job-0'],
    ]);
    expect(lines[4]).toBe('page 1/1 (3 total)');
  });

  it('filters and pages, and --json is the paged rows', async () => {
    const { stdout } = await cli('--status', 'SUCCESS', '--limit', '1', '--page', '2', '--json');
    const page = JSON.parse(stdout);
    expect(page.pagination).toEqual({ page: 2, limit: 1, total: 2, totalPages: 2 });
    expect(page.data.map((r: { jobId: string }) => r.jobId)).toEqual(['job-0']);
  });

  it('refuses a bad --status naming the flag', async () => {
    const err = await cli('--status', 'DONE').then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain('--status');
  });
});
