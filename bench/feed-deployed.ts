/**
 * `npm run bench:feed-deployed`: the first backfill as a user deploys it, against the feed document's own
 * loop on the same sandbox in the same run. Separate processes, as deployed:
 *  - a standalone sandbox (`sandbox/main.ts`, BENCH_JOBS jobs, default 200,000, churn off);
 *  - a Temporal dev server (the test support's, in memory);
 *  - per applyflow side, a fresh worker process (`src/worker.ts`'s createWorker, as `npm run worker`) with
 *    its own empty SQLite file (BENCH_BACKEND=postgres: its own database on a PostgreSQL 15 server this bench
 *    starts), running the feedSync workflow started from this process;
 *  - the reference: bench/reference_feed_loop.py, reference 004's loop ported as written (Python, requests,
 *    an in-memory dict), outside our code.
 * For each added per-request latency in BENCH_LATENCIES (default "0,200" ms, the sandbox's latencyMs fault)
 * both sides run once, alternating which goes first. Prints jobs/s, the applyflow/reference ratio, the
 * worker's peak RSS (VmHWM) and bytes per stored job (SQLite file after a WAL checkpoint, or
 * pg_database_size, / jobs), and the
 * load average before and after (two shared cores: only ratios within one run mean anything). Then, unless
 * BENCH_CEILING=0, two ceilings: JoboClient's own feed loop (fetch, parse, tolerant reader) with no store,
 * asking for the next page after a page is parsed, and as soon as its body is in (see runCeiling).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { startFeedSync } from '../src/feedSync/client';
import { JoboClient } from '../src/jobo/client';
import { startPostgres, type TestPostgres } from '../test/support/postgres';
import { startDevEnv } from '../test/support/temporal';
import { spawnWorker } from '../test/support/workerProcess';

const JOBS = Number(process.env.BENCH_JOBS ?? 200_000);
const LATENCIES = (process.env.BENCH_LATENCIES ?? '0,200').split(',').map(Number);
const API_KEY = 'bench-feed-deployed-key';
const ROOT = resolve(__dirname, '..');

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

async function startSandboxProcess(port: number) {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'sandbox/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      TS_NODE_TRANSPILE_ONLY: 'true',
      SANDBOX_PORT: String(port),
      SANDBOX_JOBS: String(JOBS),
      SANDBOX_SEED: '77',
      SANDBOX_CHURN_INTERVAL_MS: '0',
      JOBO_API_KEY: API_KEY,
      APPLYFLOW_CODEC: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((res, rej) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('listening')) res();
    });
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => rej(new Error(`sandbox exited (${code}):\n${out}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

async function admin(url: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}

interface Side {
  jobs: number;
  seconds: number;
  peakRssMb?: number;
  bytesPerJob?: number;
  pagesFetched?: number;
  pagesUsed?: number;
}

function runReference(url: string, dir: string): Promise<Side> {
  return new Promise((res, rej) => {
    const child = spawn('python3', [join(__dirname, 'reference_feed_loop.py'), url, API_KEY, join(dir, 'ref-state.json')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return rej(new Error(`reference loop exited ${code}: ${err}`));
      const r = JSON.parse(out.trim().split('\n').pop()!) as { jobs: number; seconds: number };
      res({ jobs: r.jobs, seconds: r.seconds });
    });
  });
}

/**
 * The ceilings, our own JoboClient's feed loop with no store at all, in this process: `parse-first` parses a
 * page (JSON.parse, tolerant reader) before it asks for the next, as any client that needs a parsed cursor
 * must; `tail-cursor` asks for the next as soon as a body is in, with the cursor its tail names, as
 * syncFeedPage does, and parses while the next is served; `serve-only` never parses (the cursor from the
 * tail, the jobs counted from the upstream's estimated_total): the sandbox's own serving limit for one cursor
 * walk, which bounds every client, the reference's included, since each request needs the last one's cursor.
 */
async function runCeiling(url: string, mode: 'parse-first' | 'tail-cursor' | 'serve-only'): Promise<Side> {
  if (mode === 'serve-only') return runServeOnly(url);
  const jobo = new JoboClient({ baseUrl: url, apiKey: API_KEY });
  const t0 = process.hrtime.bigint();
  let jobs = 0;
  let next: ReturnType<JoboClient['feedReceived']> | null = jobo.feedReceived({ batch_size: 1000 });
  while (next) {
    const received: Awaited<typeof next> = await next;
    next = null;
    const guess = received.continuation;
    if (mode === 'tail-cursor' && guess?.hasMore && guess.nextCursor) {
      let sent!: () => void;
      const left = new Promise<void>((resolve) => (sent = resolve));
      next = jobo.feedReceived({ cursor: guess.nextCursor }, { onSent: sent });
      await Promise.race([left, next.catch(() => undefined)]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const { data } = received.read();
    jobs += data.jobs.length;
    if (!next && data.has_more && data.next_cursor) next = jobo.feedReceived({ cursor: data.next_cursor });
  }
  await jobo.close();
  return { jobs, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

async function runServeOnly(url: string): Promise<Side> {
  const jobo = new JoboClient({ baseUrl: url, apiKey: API_KEY });
  const t0 = process.hrtime.bigint();
  let received = await jobo.feedReceived({ batch_size: 1000 });
  const { estimated_total: total } = received.read().data; // the first page only, for the count
  while (received.continuation?.hasMore && received.continuation.nextCursor) {
    received = await jobo.feedReceived({ cursor: received.continuation.nextCursor });
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await jobo.close();
  return { jobs: total ?? NaN, seconds };
}

function vmHwmMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** BENCH_BACKEND=postgres: the store is a real PostgreSQL 15 server this bench starts (a database per run). */
const BACKEND = process.env.BENCH_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

/** The worker's store settings for one run, and how to read its job count and size afterwards. */
async function storeFor(
  dir: string,
  name: string,
  pg: TestPostgres | null,
): Promise<{ env: Record<string, string>; measure: () => Promise<{ jobs: number; bytes: number }> }> {
  if (!pg) {
    const sqlitePath = join(dir, `${name}.sqlite`);
    return {
      env: { APPLYFLOW_STORE: 'sqlite', APPLYFLOW_SQLITE_PATH: sqlitePath },
      measure: async () => {
        const db = new Database(sqlitePath);
        db.pragma('wal_checkpoint(TRUNCATE)');
        const { n } = db.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number };
        db.close();
        return { jobs: n, bytes: statSync(sqlitePath).size };
      },
    };
  }
  const url = await pg.createDatabase(`bench_${name}`);
  return {
    env: { APPLYFLOW_STORE: 'postgres', DATABASE_URL: url },
    measure: async () => {
      const pool = new Pool({ connectionString: url, max: 1 });
      try {
        // The whole database (tables, indexes, TOAST; an empty database's catalog is about 7.5 MB of it).
        const { rows } = await pool.query<{ n: string; bytes: string }>(
          'SELECT (SELECT count(*) FROM jobs) AS n, pg_database_size(current_database()) AS bytes',
        );
        return { jobs: Number(rows[0].n), bytes: Number(rows[0].bytes) };
      } finally {
        await pool.end();
      }
    },
  };
}

async function runApplyflow(
  env: Awaited<ReturnType<typeof startDevEnv>>,
  url: string,
  dir: string,
  name: string,
  pg: TestPostgres | null,
): Promise<Side> {
  const store = await storeFor(dir, name, pg);
  const taskQueue = `bench-feed-deployed-${name}`;
  const w = spawnWorker({
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    JOBO_BASE_URL: url,
    JOBO_API_KEY: API_KEY,
    ...store.env,
    APPLYFLOW_CODEC_KEYS: '',
    APPLYFLOW_CODEC: 'off',
    UPSTREAM_RATE_LIMIT_PER_SECOND: '1000',
    LOG_LEVEL: 'WARN',
  });
  await w.ready;
  try {
    const t0 = process.hrtime.bigint();
    const handle = await startFeedSync(env.client, { temporal: { taskQueue } } as never, { feed: name });
    const result = await handle.result();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const peakRssMb = vmHwmMb(w.child.pid!);
    w.child.kill('SIGTERM');
    await w.exited;
    const { jobs: n, bytes } = await store.measure();
    const r = result as unknown as { pagesFetched?: number; pagesUsed?: number };
    return {
      jobs: n,
      seconds,
      peakRssMb,
      bytesPerJob: bytes / n,
      pagesFetched: r.pagesFetched,
      pagesUsed: r.pagesUsed,
    };
  } finally {
    if (w.child.exitCode === null && w.child.signalCode === null) {
      w.child.kill('SIGKILL');
      await w.exited;
    }
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'applyflow-bench-feed-deployed-'));
  const load0 = loadavg();
  console.log(
    `feed-deployed bench: ${JOBS} jobs, latencies ${LATENCIES.join(', ')} ms; load average ${load0.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const sandbox = await startSandboxProcess(await freePort());
  const env = await startDevEnv();
  const pg = BACKEND === 'postgres' ? await startPostgres() : null;
  try {
    // Warm-up outside both measurements: the sandbox builds its corpus lazily; read the whole feed once.
    const jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: API_KEY });
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const { data } = await jobo.feed(cursor ? { cursor } : { batch_size: 1000 });
      cursor = data.has_more ? data.next_cursor : null;
    }
    await jobo.close();
    for (const [i, latencyMs] of LATENCIES.entries()) {
      await admin(sandbox.url, '/__admin/faults', { latencyMs });
      const sides: Record<string, Side> = {};
      const order = i % 2 === 0 ? ['reference', 'applyflow'] : ['applyflow', 'reference'];
      for (const side of order) {
        sides[side] =
          side === 'reference'
            ? await runReference(sandbox.url, mkdtempSync(join(dir, 'ref-')))
            : await runApplyflow(env, sandbox.url, dir, `lat${latencyMs}`, pg);
        if (sides[side].jobs !== JOBS) throw new Error(`${side} stored ${sides[side].jobs} jobs, expected ${JOBS}`);
      }
      const ceilings =
        process.env.BENCH_CEILING === '0'
          ? []
          : [
              ['parse-first', await runCeiling(sandbox.url, 'parse-first')] as const,
              ['tail-cursor', await runCeiling(sandbox.url, 'tail-cursor')] as const,
              ['serve-only', await runCeiling(sandbox.url, 'serve-only')] as const,
            ];
      const [ref, af] = [sides.reference, sides.applyflow];
      const rate = (s: Side) => s.jobs / s.seconds;
      console.log(`+${latencyMs} ms per page:`);
      console.log(`  reference (004 loop, Python)  ${ref.seconds.toFixed(1).padStart(6)} s ${rate(ref).toFixed(0).padStart(6)} jobs/s`);
      console.log(
        `  ${`applyflow (worker + ${BACKEND === 'postgres' ? 'PostgreSQL' : 'SQLite'})`.padEnd(30)}${af.seconds.toFixed(1).padStart(6)} s ${rate(af).toFixed(0).padStart(6)} jobs/s` +
          `   worker peak RSS ${af.peakRssMb!.toFixed(0)} MB, ${af.bytesPerJob!.toFixed(0)} B/job stored` +
          (af.pagesFetched !== undefined ? `, pages fetched/used ${af.pagesFetched}/${af.pagesUsed}` : ''),
      );
      console.log(`  ratio applyflow/reference = ${(rate(af) / rate(ref)).toFixed(2)} (target ${latencyMs === 0 ? '>= 2' : '>= 1.5'})`);
      for (const [mode, ceiling] of ceilings) {
        console.log(
          `  ceiling, ${`${mode} (no store)`.padEnd(24)}${ceiling.seconds.toFixed(1).padStart(6)} s ${rate(ceiling).toFixed(0).padStart(6)} jobs/s` +
            ` = ${(rate(ceiling) / rate(ref)).toFixed(2)} x reference`,
        );
      }
    }
    await admin(sandbox.url, '/__admin/faults', { latencyMs: 0 });
  } finally {
    await env.teardown();
    await pg?.stop();
    sandbox.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    console.log(
      `load average at the end ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
