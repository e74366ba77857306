/**
 * How fast the sandbox serves the feed: pulls a whole 200k-job corpus at batch_size 1000 over HTTP
 * (keep-alive, client in the same process) and prints jobs/s, plus the in-process generation rate as the
 * baseline, first- vs last-page latency (flat = no per-request O(n) work) and start-up/memory at 1M jobs.
 *
 *   npx ts-node --transpile-only bench/sandbox-feed.ts [jobs=200000] [batch=1000]
 */
import { Agent, request } from 'undici';
import { Corpus } from '../sandbox/corpus';
import { startSandbox } from '../sandbox/server';

const jobs = Number(process.argv[2] ?? 200_000);
const batch = Number(process.argv[3] ?? 1000);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

/** Returns jobs/s served over HTTP. */
async function pullAll(): Promise<number> {
  let t = Date.now();
  const sb = await startSandbox({ jobs, seed: 1 });
  console.log(`start-up, ${jobs} jobs: ${Date.now() - t} ms`);
  const agent = new Agent({ connections: 1 });
  const pageMs: number[] = [];
  let delivered = 0;
  let bytes = 0;
  let cursor: string | null = null;
  t = Date.now();
  do {
    const p0 = performance.now();
    const res = await request(`${sb.url}/api/jobs/feed`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'x-api-key': sb.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ batch_size: batch, ...(cursor ? { cursor } : {}) }),
    });
    const text = await res.body.text();
    pageMs.push(performance.now() - p0);
    bytes += text.length;
    const page = JSON.parse(text) as { jobs: unknown[]; has_more: boolean; next_cursor: string | null };
    delivered += page.jobs.length;
    cursor = page.has_more ? page.next_cursor : null;
  } while (cursor);
  const seconds = (Date.now() - t) / 1000;
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `HTTP feed, batch ${batch}: ${delivered} jobs in ${seconds.toFixed(2)} s = ${Math.round(delivered / seconds)} jobs/s (${mb(bytes / seconds)}/s of JSON, ${(bytes / delivered).toFixed(0)} B/job)`,
  );
  console.log(`page latency: first 10 avg ${avg(pageMs.slice(0, 10)).toFixed(1)} ms, last 10 avg ${avg(pageMs.slice(-10)).toFixed(1)} ms`);
  await agent.close();
  await sb.close();
  return delivered / seconds;
}

const LEGACY_SCAN = { stable: false, updatedAfter: null, postedAfter: null, match: null };

function generationBaseline(): number {
  const corpus = new Corpus({ jobs, seed: 1, startTime: Date.now() });
  const t = performance.now();
  let n = 0;
  let after = null;
  while (n < 50_000) {
    const page = corpus.feedPage(LEGACY_SCAN, after, batch);
    const last = page.seqs[page.seqs.length - 1];
    JSON.stringify(page.seqs.map((s) => corpus.job(s)));
    n += page.seqs.length;
    after = { at: corpus.updatedAtOf(last), seq: last };
  }
  const rate = n / ((performance.now() - t) / 1000);
  console.log(`baseline, generate + stringify in-process (no HTTP): ${Math.round(rate)} jobs/s`);
  return rate;
}

function million(): void {
  const before = process.memoryUsage();
  const t = performance.now();
  const corpus = new Corpus({ jobs: 1_000_000, seed: 1, startTime: Date.now() });
  const built = performance.now() - t;
  const after = process.memoryUsage();
  const p0 = performance.now();
  const lastPage = corpus.feedPage(LEGACY_SCAN, { at: Number.MAX_SAFE_INTEGER - 1, seq: 0 }, 1000);
  const mid = corpus.feedPage({ ...LEGACY_SCAN, updatedAfter: corpus.now - 45 * 86_400_000 }, null, 1000);
  mid.seqs.map((s) => corpus.job(s));
  console.log(
    `1M jobs: built in ${built.toFixed(0)} ms, +${mb(after.rss - before.rss)} RSS (${mb(after.arrayBuffers - before.arrayBuffers)} typed arrays); ` +
      `a page from the middle: ${(performance.now() - p0).toFixed(1)} ms (${lastPage.seqs.length + mid.seqs.length} jobs)`,
  );
}

async function main() {
  const baseline = generationBaseline();
  const served = await pullAll();
  console.log(`HTTP serving runs at ${(served / baseline).toFixed(2)}x the in-process generation rate`);
  million();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
