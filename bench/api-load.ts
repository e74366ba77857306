/**
 * `npm run bench:api-load`: the HTTP API under load on loopback. BENCH_CLIENTS (default 200, at most 500)
 * concurrent clients each loop for BENCH_SECONDS (default 60, at most 120): create a recurring session
 * (a real campaign workflow), read it twice and read a page of the list. Everything runs in this process
 * against the real dev server, worker and sandbox; the API listens on 127.0.0.1 only.
 *
 * Prints p50/p99 per operation, throughput, and the count of 5xx (the target is none). Baseline, measured
 * in the same run and at the same concurrency for BENCH_BASELINE_SECONDS (default 10): the same create and
 * get through the typed client without HTTP, so the ratio is what the API layer adds.
 */
import { Agent, request } from 'undici';
import { createActivities } from '../src/activities';
import { buildApi } from '../src/api/server';
import { profileOwnersFor } from '../src/store/profileOwners';
import { createAutopilotRecurring, getCampaign } from '../src/campaign/client';
import { createApplicant } from '../test/application.fixtures';
import { testConfig } from '../test/support/config';
import { startSandboxWorker } from '../test/support/sandboxWorker';
import { openTempStore } from '../test/support/tempStore';
import { startDevEnv } from '../test/support/temporal';
import { summarize, type LatencySummary } from './support/stats';

const CLIENTS = Math.min(500, Number(process.env.BENCH_CLIENTS ?? 200));
const SECONDS = Math.min(120, Number(process.env.BENCH_SECONDS ?? 60));
const BASELINE_SECONDS = Math.min(60, Number(process.env.BENCH_BASELINE_SECONDS ?? 10));
const REQUEST_TIMEOUT_MS = 30_000;
const KEY = 'af_bench_0123456789abcdef';
const SCHEDULE = { pattern: 'weekly', daysOfWeek: ['monday'], time: '09:00', timezone: 'America/New_York' } as const;

type Op = 'create' | 'get' | 'list';

class Stats {
  readonly ms: Record<string, number[]> = {};
  readonly statuses: Record<string, number> = {};
  errors = 0;
  add(op: string, ms: number, status: number): void {
    (this.ms[op] ??= []).push(ms);
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
  }
  get total(): number {
    return Object.values(this.ms).reduce((n, xs) => n + xs.length, 0);
  }
  get fiveXX(): number {
    return Object.entries(this.statuses).reduce((n, [s, c]) => n + (Number(s) >= 500 ? c : 0), 0);
  }
}

function summary(stats: Stats, op: string): LatencySummary {
  return summarize(stats.ms[op] ?? []);
}

async function timed(stats: Stats, op: Op, fn: () => Promise<number>): Promise<number> {
  const t0 = performance.now();
  try {
    const status = await fn();
    stats.add(op, performance.now() - t0, status);
    return status;
  } catch {
    stats.errors++;
    return 0;
  }
}

/** Runs `loop` on `clients` concurrent workers until the deadline. */
async function drive(clients: number, seconds: number, loop: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline) await loop();
    }),
  );
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const temp = await openTempStore('applyflow-api-load-');
  const { store, ledger } = temp;
  const taskQueue = 'bench-api-load';
  const rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 23, jobs: 100 },
    taskQueue,
    activities: (jobo, sandbox) =>
      createActivities({
        config: testConfig({ JOBO_BASE_URL: sandbox.url, JOBO_API_KEY: sandbox.apiKey }),
        jobo,
        store: async () => store,
      }),
  });
  const { env, jobo } = rig;
  const owners = await profileOwnersFor(store);
  const app = await buildApi({
    client: env.client,
    jobo,
    taskQueue,
    keys: [{ userId: 'bench', key: KEY }],
    rateLimit: { max: 10_000_000, windowSeconds: 60 },
    concurrentRequestLimit: CLIENTS, // every client shares the one key
    ledger: async () => ledger,
    profileOwners: async () => owners,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { address, port } = app.server.address() as { address: string; port: number };
  if (address !== '127.0.0.1') throw new Error(`refusing to load a non-loopback address (${address})`);
  const base = `http://127.0.0.1:${port}`;
  const agent = new Agent({ connections: CLIENTS, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS });
  const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

  try {
    const candidateProfileId = await createApplicant(jobo);
    await owners.assign(candidateProfileId, 'bench'); // made outside the API: assigned as an operator would
    const body = JSON.stringify({ candidateProfileId, filters: { jobTitle: 'Engineer' }, schedule: SCHEDULE });

    console.log(`baseline: ${CLIENTS} concurrent typed-client loops (create + get, no HTTP) for ${BASELINE_SECONDS} s ...`);
    const base0 = new Stats();
    const baseElapsed = await drive(CLIENTS, BASELINE_SECONDS, async () => {
      let id = '';
      await timed(base0, 'create', async () => {
        id = (
          await createAutopilotRecurring(
            env.client,
            { candidateProfileId, filters: { jobTitle: 'Engineer' }, schedule: { ...SCHEDULE, daysOfWeek: ['monday'] } },
            { taskQueue },
          )
        ).campaignId;
        await getCampaign(env.client, id); // the API answers create with the session, read by query
        return 201;
      });
      if (id) await timed(base0, 'get', async () => (await getCampaign(env.client, id), 200));
    });

    console.log(`load: ${CLIENTS} concurrent HTTP clients (create, get x2, list) for ${SECONDS} s on ${base} ...`);
    const stats = new Stats();
    const send = async (op: Op, method: 'GET' | 'POST', path: string, payload?: string): Promise<{ status: number; json: unknown }> => {
      let json: unknown = null;
      const status = await timed(stats, op, async () => {
        const res = await request(`${base}${path}`, { method, headers, body: payload, dispatcher: agent });
        json = await res.body.json().catch(() => null);
        return res.statusCode;
      });
      return { status, json };
    };
    const elapsed = await drive(CLIENTS, SECONDS, async () => {
      const created = await send('create', 'POST', '/api/v1/sessions/autopilot/recurring', body);
      const id = (created.json as { sessionId?: string } | null)?.sessionId;
      if (id) {
        await send('get', 'GET', `/api/v1/sessions/${id}`);
        await send('get', 'GET', `/api/v1/sessions/${id}`);
      }
      await send('list', 'GET', '/api/v1/sessions?limit=20&type=autopilot_recurring');
    });

    const lines: string[] = [];
    const fmt = (x: number) => x.toFixed(1).padStart(8);
    lines.push('', `op        n        p50 ms   p99 ms   (${CLIENTS} clients, ${elapsed.toFixed(1)} s)`);
    for (const op of ['create', 'get', 'list'] as const) {
      const s = summary(stats, op);
      lines.push(`${op.padEnd(8)} ${String(s.n).padStart(6)} ${fmt(s.p50)} ${fmt(s.p99)}`);
    }
    lines.push(
      `throughput: ${(stats.total / elapsed).toFixed(1)} req/s; statuses ${JSON.stringify(stats.statuses)}; network errors/timeouts ${stats.errors}`,
    );
    lines.push(`5xx: ${stats.fiveXX}`);
    const b = { create: summary(base0, 'create'), get: summary(base0, 'get') };
    lines.push(
      `baseline (typed client, ${baseElapsed.toFixed(1)} s): create p50 ${b.create.p50.toFixed(1)} / p99 ${b.create.p99.toFixed(1)} ms, get p50 ${b.get.p50.toFixed(1)} / p99 ${b.get.p99.toFixed(1)} ms; errors ${base0.errors}`,
    );
    const api = { create: summary(stats, 'create'), get: summary(stats, 'get') };
    lines.push(
      `ratio API/baseline p50: create ${(api.create.p50 / b.create.p50).toFixed(2)}x, get ${(api.get.p50 / b.get.p50).toFixed(2)}x`,
    );
    console.log(lines.join('\n'));
    if (stats.fiveXX > 0 || stats.errors > 0) process.exitCode = 1;
  } finally {
    await agent.close();
    await app.close();
    await rig.stop();
    await temp.close();
  }
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
