/**
 * The contract, checked by Jobo's own published client: jobo-enterprise 4.0.0 (pinned, installed into
 * .tools/py by scripts/install-tools.mjs, so nothing downloads here) pages the real sandbox over HTTP, with
 * and without each documented feed filter, and sweeps /expired. Every job is parsed by the client's pydantic
 * models; the ids it sees must equal the sandbox's ground truth (/__admin/*). The earlier applyflow shape is
 * checked to fail, so this test can tell the two apart.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GroundTruthFeedJob } from '../sandbox/admin';
import { startSandbox } from './support/sandbox';

jest.setTimeout(180_000);

const ROOT = resolve(__dirname, '..');
const CLIENT_DIR = join(ROOT, '.tools', 'py', 'jobo-enterprise-4.0.0');
const SCRIPT = join(__dirname, 'contract', 'jobo_enterprise_feed.py');
const START = new Date('2026-07-01T12:00:00Z');

interface Scenario {
  name: string;
  kind: 'feed' | 'expired';
  filters?: Record<string, unknown>;
  batch_size?: number;
  expired_since?: string;
}
interface Outcome {
  name: string;
  ok: boolean;
  error?: string;
  ids?: string[];
  pages?: number;
  estimated_total?: number | null;
}

function runPublishedClient(url: string, apiKey: string, scenarios: Scenario[]): Promise<Outcome[]> {
  return new Promise((done, fail) => {
    const child = execFile(
      'python3',
      [SCRIPT, url, apiKey],
      { env: { ...process.env, PYTHONPATH: CLIENT_DIR, PYTHONDONTWRITEBYTECODE: '1' }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) return fail(new Error(`published client script failed: ${err.message}\n${stderr}`));
        done(JSON.parse(stdout) as Outcome[]);
      },
    );
    child.stdin!.end(JSON.stringify(scenarios));
  });
}

let sandbox: Awaited<ReturnType<typeof startSandbox>>;

beforeAll(async () => {
  if (!existsSync(join(CLIENT_DIR, 'jobo_enterprise', 'models.py'))) {
    throw new Error(`jobo-enterprise 4.0.0 is not installed in ${CLIENT_DIR}: run \`npm run tools\``);
  }
  sandbox = await startSandbox({ seed: 4040, jobs: 1200, startTime: START });
  // Churn first, so the feed holds edited jobs and /expired has something recent to sweep.
  await sandbox.admin.advanceClock(6 * 60);
});
afterAll(() => sandbox?.close());

test('the published 4.0.0 client parses every page, with and without each filter, and sees exactly the ground truth', async () => {
  const truth = (await sandbox.admin.groundTruthFeed()).jobs;
  const now = Date.parse((await sandbox.admin.health()).now);
  const at = (ms: number) => new Date(ms).toISOString();
  const anyRegion = truth.flatMap((j) => j.locations).find((l) => l.region && l.city)!;
  const cases: [Scenario, (j: GroundTruthFeedJob) => boolean][] = [
    [{ name: 'whole feed', kind: 'feed', batch_size: 100 }, () => true],
    [{ name: 'legacy order', kind: 'feed', batch_size: 250, filters: { stable_scan: false } }, () => true],
    [{ name: 'stable scan', kind: 'feed', batch_size: 250, filters: { stable_scan: true } }, () => true],
    [
      { name: 'updated_after', kind: 'feed', batch_size: 50, filters: { updated_after: at(now - 3 * 3_600_000) } },
      (j) => Date.parse(j.updated_at) >= now - 3 * 3_600_000,
    ],
    [
      { name: 'posted_after', kind: 'feed', batch_size: 50, filters: { posted_after: at(now - 20 * 86_400_000) } },
      (j) => Date.parse(j.created_at) >= now - 20 * 86_400_000,
    ],
    [{ name: 'sources', kind: 'feed', filters: { sources: ['greenhouse'] } }, (j) => j.source === 'greenhouse'],
    [
      { name: 'work_models', kind: 'feed', filters: { work_models: ['remote', 'hybrid'] } },
      (j) => j.workplace_type === 'remote' || j.workplace_type === 'hybrid',
    ],
    [
      { name: 'employment_types', kind: 'feed', filters: { employment_types: ['part-time', 'internship'] } },
      (j) => j.employment_type === 'part_time' || j.employment_type === 'internship',
    ],
    [
      { name: 'experience_levels', kind: 'feed', filters: { experience_levels: ['entry', 'executive'] } },
      (j) => j.experience_level === 'entry' || j.experience_level === 'executive',
    ],
    [
      {
        name: 'locations',
        kind: 'feed',
        filters: { locations: [{ country: anyRegion.country, region: anyRegion.region, city: anyRegion.city }] },
      },
      (j) => j.locations.some((l) => l.country === anyRegion.country && l.region === anyRegion.region && l.city === anyRegion.city),
    ],
    [
      {
        name: 'combined',
        kind: 'feed',
        batch_size: 20,
        filters: { sources: ['lever', 'ashby'], work_models: ['onsite'], employment_types: ['full-time'] },
      },
      (j) => ['lever', 'ashby'].includes(j.source) && j.workplace_type === 'onsite' && j.employment_type === 'full_time',
    ],
  ];
  const outcomes = await runPublishedClient(
    sandbox.url,
    sandbox.apiKey,
    cases.map(([s]) => s),
  );
  for (const [i, [scenario, match]] of cases.entries()) {
    const o = outcomes[i];
    expect([o.name, o.ok, o.error]).toEqual([scenario.name, true, undefined]);
    const expected = truth.filter(match).map((j) => j.id);
    expect(expected.length).toBeGreaterThan(0);
    expect([scenario.name, new Set(o.ids)]).toEqual([scenario.name, new Set(expected)]);
    expect([scenario.name, o.ids!.length]).toEqual([scenario.name, expected.length]); // nothing twice
    expect([scenario.name, o.estimated_total]).toEqual([scenario.name, expected.length]);
    if (scenario.batch_size) expect(o.pages).toBe(Math.max(1, Math.ceil(expected.length / scenario.batch_size)));
  }
});

test('the published client sweeps /expired (default lookback and an explicit expired_since) to the ground truth', async () => {
  const truth = await sandbox.admin.groundTruthJobs();
  const now = Date.parse(truth.now);
  const since = now - 2 * 3_600_000;
  const [byDefault, explicit] = await runPublishedClient(sandbox.url, sandbox.apiKey, [
    { name: 'default 24 h', kind: 'expired', batch_size: 7 },
    { name: 'since 2 h', kind: 'expired', batch_size: 5, expired_since: new Date(since).toISOString() },
  ]);
  const within = (from: number) => truth.expired.filter((e) => Date.parse(e.expired_at) >= from).map((e) => e.id);
  expect(byDefault.ok && explicit.ok).toBe(true);
  expect(within(since).length).toBeGreaterThan(5);
  expect(byDefault.ids).toEqual(within(now - 86_400_000));
  expect(explicit.ids).toEqual(within(since));
});

test('the same client fails on the shape chosen here before (skills as strings): the check can tell', async () => {
  await sandbox.admin.setShapes({ jobs: 'applyflow' });
  try {
    const [o] = await runPublishedClient(sandbox.url, sandbox.apiKey, [{ name: 'old shape', kind: 'feed', batch_size: 10 }]);
    expect(o.ok).toBe(false);
    expect(o.error).toMatch(/ValidationError[\s\S]*skills/);
  } finally {
    await sandbox.admin.setShapes({ jobs: 'upstream' });
  }
});
