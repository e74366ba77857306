/**
 * Feed pages with one page of read-ahead. As soon as a page arrives, the request for the next cursor goes
 * out, so fetching page N+1 overlaps with writing page N and, in the workflow, with the Temporal round trip
 * between two syncFeedPage activities. The read-ahead lives only in this process's memory (never in history).
 * A worker that dies loses it, and the next activity simply fetches again. A prefetched failure (503, reset,
 * invalid cursor) is handed to the caller that asks for that cursor, exactly as if it had made the request
 * itself. Cost: a read-ahead that nobody uses (the sync failed or moved to another worker) wastes one page of
 * credits on pay-as-you-go plans.
 * Used by the syncFeedPage activity and by the benchmark's bare loop, so both measure the same pipeline.
 */
import type { JoboClient, Page } from '../jobo/client';
import type { FeedResponse } from '../jobo/schemas';

export interface FeedPageRequest {
  cursor: string | null;
  postedAfter: string | null;
  batchSize: number;
}

interface Ahead {
  promise: Promise<Page<FeedResponse>>;
  timer: NodeJS.Timeout;
}

const keyOf = (r: FeedPageRequest) => `${r.postedAfter ?? ''}|${r.batchSize}|${r.cursor ?? ''}`;

export class FeedPager {
  private readonly ahead = new Map<string, Ahead>();

  constructor(
    private readonly jobo: Pick<JoboClient, 'feed'>,
    /** Concurrent syncs (feeds) that can each have a page ahead. */
    private readonly maxAhead = 4,
    /** A read-ahead older than this is dropped: the caller fetches afresh. */
    private readonly ttlMs = 60_000,
  ) {}

  async page(req: FeedPageRequest, signal?: AbortSignal): Promise<Page<FeedResponse>> {
    const key = keyOf(req);
    const hit = this.ahead.get(key);
    let page: Page<FeedResponse>;
    if (hit) {
      this.drop(key);
      page = await hit.promise;
    } else {
      page = await this.fetch(req, signal);
    }
    if (page.data.has_more && page.data.next_cursor) this.readAhead({ ...req, cursor: page.data.next_cursor });
    return page;
  }

  close(): void {
    for (const key of [...this.ahead.keys()]) this.drop(key);
  }

  private fetch(req: FeedPageRequest, signal?: AbortSignal): Promise<Page<FeedResponse>> {
    return this.jobo.feed(
      {
        batch_size: req.batchSize,
        ...(req.cursor ? { cursor: req.cursor } : {}),
        ...(req.postedAfter ? { posted_after: req.postedAfter } : {}),
      },
      { signal },
    );
  }

  private readAhead(req: FeedPageRequest): void {
    const key = keyOf(req);
    if (this.ahead.has(key)) return;
    if (this.ahead.size >= this.maxAhead) this.drop(this.ahead.keys().next().value!);
    const promise = this.fetch(req);
    promise.catch(() => undefined); // rethrown to whoever takes it; unclaimed failures are dropped
    const timer = setTimeout(() => this.ahead.delete(key), this.ttlMs);
    timer.unref();
    this.ahead.set(key, { promise, timer });
  }

  private drop(key: string): void {
    const a = this.ahead.get(key);
    if (!a) return;
    clearTimeout(a.timer);
    this.ahead.delete(key);
  }
}
