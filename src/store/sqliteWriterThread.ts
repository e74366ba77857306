/**
 * The SQLite store's writer thread: the page transactions (./sqliteJobWriter) on a connection of their own
 * to the same WAL file, in a worker_thread, so the event loop that fetches and parses the next page (and
 * runs everything else on the worker) is not blocked by the write, and the two use both cores.
 *
 * The calling thread reads the page's stored versions on its own connection (a WAL read never waits for the
 * writer), builds rows only for jobs that are new or newer, and posts them as one JSON string (far cheaper
 * to pass between threads than the job objects). The thread decides every entry again under the write lock,
 * so the outcome is exactly the inline store's. Pages that queue up while a transaction runs are written
 * together in the next one (each page still whole in one transaction); their results come back in order.
 *
 * The same file is both sides: loaded by the store it is the host (`SqliteWriterThread`); started as a
 * worker with `workerData.sqliteWriter` it is the thread.
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMainThread, parentPort, receiveMessageOnPort, Worker, workerData } from 'node:worker_threads';
import { sqlitePagesWriter, type PageEntry, type PageToWrite } from './sqliteJobWriter';
import type { UpsertResult } from './types';

interface WriteRequest {
  n: number;
  /** JSON of PageEntry[]. */
  entries: string;
  seenInRun?: string;
}

type WriteReply = { n: number; result: UpsertResult } | { n: number; error: { message: string; code?: string } };

interface ThreadData {
  sqliteWriter: { path: string };
}

/** Pages written in one transaction at most: a bound on the time the write lock is held. */
const MAX_PAGES_PER_TRANSACTION = 4;

/** The pragmas a writing connection needs (the store's own connection sets the same, plus migrations). */
export function writerPragmas(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 10000');
  // Checkpoint every ~40 MB of WAL rather than every 4 MB (a page writes a few MB): an index page dirtied by
  // many pages is copied to the file once per checkpoint instead of once per page. On this thread, the
  // checkpoint's copy and fsync stay off the event loop.
  db.pragma('wal_autocheckpoint = 5000');
}

function runThread(path: string): void {
  const port = parentPort!;
  const db = new Database(path);
  writerPragmas(db);
  const write = sqlitePagesWriter(db);
  port.on('message', (first: WriteRequest | 'close') => {
    if (first === 'close') {
      db.close();
      port.close();
      return;
    }
    const batch: WriteRequest[] = [first];
    let closing = false;
    while (batch.length < MAX_PAGES_PER_TRANSACTION) {
      const next = receiveMessageOnPort(port);
      if (!next) break;
      const message = next.message as WriteRequest | 'close';
      if (message === 'close') {
        closing = true;
        break;
      }
      batch.push(message);
    }
    let replies: WriteReply[];
    try {
      const pages = batch.map((r): PageToWrite => ({ entries: JSON.parse(r.entries) as PageEntry[], seenInRun: r.seenInRun }));
      replies = write(pages).map((result, i) => ({ n: batch[i].n, result }));
    } catch (err) {
      const e = err as { message?: string; code?: string };
      replies = batch.map((r) => ({ n: r.n, error: { message: String(e.message ?? err), code: e.code } }));
    }
    for (const reply of replies) port.postMessage(reply);
    if (closing) {
      db.close();
      port.close();
    }
  });
}

/** An error from the writer thread, with SQLite's code (SQLITE_BUSY, ...) when it had one. */
export class SqliteWriterError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SqliteWriterError';
  }
}

/**
 * The host side: starts the thread on first use, keeps the process alive only while writes are pending,
 * and restarts the thread after it died (the pending writes fail; a feed page retries).
 */
export class SqliteWriterThread {
  private worker: Worker | null = null;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (r: UpsertResult) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(private readonly path: string) {}

  write(entries: PageEntry[], seenInRun: string | undefined): Promise<UpsertResult> {
    if (this.closed) return Promise.reject(new Error('the job store is closed'));
    const worker = this.start();
    const n = ++this.next;
    const request: WriteRequest = { n, entries: JSON.stringify(entries), seenInRun };
    return new Promise<UpsertResult>((resolve, reject) => {
      this.pending.set(n, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage(request);
    });
  }

  /** Lets pending writes finish, then stops the thread. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((res) => worker.once('exit', () => res()));
    worker.postMessage('close');
    await exited;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const data: ThreadData = { sqliteWriter: { path: this.path } };
    // Built, this file is .js and the thread loads it. Run from source (ts-node: npm run worker, the tests),
    // the thread gets this file and what it imports transpiled here, where TypeScript is loaded already:
    // loading TypeScript again in the thread would cost about a second per store.
    const worker = __filename.endsWith('.ts')
      ? new Worker(THREAD_BOOT, { eval: true, workerData: { ...data, sources: transpiledSources(__filename) } })
      : new Worker(__filename, { workerData: data });
    worker.unref();
    worker.on('message', (reply: WriteReply) => {
      const p = this.pending.get(reply.n);
      if (!p) return;
      this.pending.delete(reply.n);
      if (this.pending.size === 0) worker.unref();
      if ('error' in reply) p.reject(new SqliteWriterError(reply.error.message, reply.error.code));
      else p.resolve(reply.result);
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const [n, p] of this.pending) {
        this.pending.delete(n);
        p.reject(err);
      }
    };
    worker.on('error', (err) => fail(err instanceof Error ? err : new Error(String(err))));
    worker.on('exit', (code) => fail(new Error(`the SQLite writer thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }
}

/** The thread's entry when run from source: its .ts modules come precompiled in workerData.sources. */
const THREAD_BOOT = `
const { workerData } = require('node:worker_threads');
const sources = workerData.sources;
require.extensions['.ts'] = (module, filename) => {
  if (!(filename in sources)) throw new Error('the SQLite writer thread has no source for ' + filename);
  module._compile(sources[filename], filename);
};
require(Object.keys(sources)[0]);
`;

const sourceCache = new Map<string, Record<string, string>>();

/** `entry` and every relative module it requires (transitively), as CommonJS, keyed by file name. */
function transpiledSources(entry: string): Record<string, string> {
  const cached = sourceCache.get(entry);
  if (cached) return cached;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- only when running from source
  const ts = require('typescript') as typeof import('typescript');
  const out: Record<string, string> = {};
  const visit = (file: string) => {
    if (file in out) return;
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    out[file] = outputText;
    for (const m of outputText.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
      const base = resolve(dirname(file), m[1]);
      const ts_ = `${base}.ts`;
      if (existsSync(ts_)) visit(ts_);
    }
  };
  visit(entry);
  sourceCache.set(entry, out);
  return out;
}

if (!isMainThread && (workerData as Partial<ThreadData> | null)?.sqliteWriter) {
  runThread((workerData as ThreadData).sqliteWriter.path);
}
