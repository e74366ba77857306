/**
 * Visibility reads for the API's lists, coalesced. Identical requests in flight share one call to the
 * server (200 clients reading the same page make one visibility query, not 200), and counts are kept for
 * a second: visibility is eventually consistent anyway, and a count is a scan on the dev server's SQLite.
 */
import type { Client } from '@temporalio/client';

const COUNT_TTL_MS = 1_000;
const MAX_ENTRIES = 1_000;

export class VisibilityReads {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly counts = new Map<string, { at: number; count: number }>();

  constructor(
    private readonly client: Client,
    private readonly now: () => number = Date.now,
  ) {}

  /** One call per key at a time: callers arriving while it runs get its result. */
  shared<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const p = fn().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  /** The number of workflows matching the query, at most a second old. */
  count = (query: string): Promise<number> => {
    const hit = this.counts.get(query);
    if (hit && this.now() - hit.at < COUNT_TTL_MS) return Promise.resolve(hit.count);
    return this.shared(`count\n${query}`, async () => {
      const { count } = await this.client.workflow.count(query);
      if (this.counts.size >= MAX_ENTRIES) this.counts.clear();
      this.counts.set(query, { at: this.now(), count });
      return count;
    });
  };
}
