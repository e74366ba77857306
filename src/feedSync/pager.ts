/**
 * Feed pages with one page of read-ahead. As soon as a page arrives, the request for the next cursor goes
 * out, so fetching page N+1 overlaps with writing page N and, in the workflow, with the Temporal round trip
 * between two syncFeedPage activities. The read-ahead lives only in this process's memory (never in history).
 * A worker that dies loses it, and the next activity simply fetches again. A prefetched failure (503, reset,
 * invalid cursor) is handed to the caller that asks for that cursor, exactly as if it had made the request
 * itself. Cost: a read-ahead that nobody uses (the sync failed or moved to another worker) wastes one page of
 * credits on pay-as-you-go plans.
 * Used by the feed-sync benchmark's bare loop. The syncFeedPage activity no longer reads ahead across
 * activities (with several workers the next activity usually lands elsewhere and fetches the page again);
 * it pipelines pages inside one attempt (JoboClient.feedReceived, next request before this page's parse).
 */
import type { FeedPage, JoboClient } from '../jobo/client';
import type { FeedRequest } from '../jobo/schemas';

export interface FeedPageRequest {
  cursor: string | null;
  /** The incremental watermark, sent as updated_after on the first page of a scan (null = the whole feed). */
  updatedAfter: string | null;
  batchSize: number;
}

/**
 * A continuation is the cursor alone (it carries the first request's filters and batch size); the first page
 * leaves stable_scan at the upstream's default (true): paging by creation time, which an edit mid-scan cannot
 * move, and which never hits the legacy scan's 409 deep-pagination limit.
 */
export function feedRequestBody(req: FeedPageRequest): FeedRequest {
  return req.cursor
    ? { cursor: req.cursor }
    : { batch_size: req.batchSize, ...(req.updatedAfter ? { updated_after: req.updatedAfter } : {}) };
}

interface Ahead {
  promise: Promise<FeedPage>;
  timer: NodeJS.Timeout;
}

const keyOf = (r: FeedPageRequest) => `${r.updatedAfter ?? ''}|${r.batchSize}|${r.cursor ?? ''}`;

export class FeedPager {
  private readonly ahead = new Map<string, Ahead>();

  constructor(
    private readonly jobo: Pick<JoboClient, 'feed'>,
    /** Concurrent syncs (feeds) that can each have a page ahead. */
    private readonly maxAhead = 4,
    /** A read-ahead older than this is dropped: the caller fetches afresh. */
    private readonly ttlMs = 60_000,
  ) {}

  async page(req: FeedPageRequest, signal?: AbortSignal): Promise<FeedPage> {
    const key = keyOf(req);
    const hit = this.ahead.get(key);
    let page: FeedPage;
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

  /** One page, no read-ahead. */
  fetch(req: FeedPageRequest, signal?: AbortSignal): Promise<FeedPage> {
    return this.jobo.feed(feedRequestBody(req), { signal });
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
