/**
 * FeedPager's read-ahead, isolated from HTTP with a scripted feed: the next page is requested as soon as a
 * page arrives, the caller asking for that cursor gets it (or its failure), and nothing is used twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FeedPager } from '../src/feedSync/pager';
import type { FeedPage } from '../src/jobo/client';
import type { FeedRequest } from '../src/jobo/schemas';

function scriptedFeed(pages: number, fail: Record<string, Error> = {}) {
  const calls: FeedRequest[] = [];
  const feed = async (req: FeedRequest): Promise<FeedPage> => {
    calls.push(req);
    const cursor = req.cursor ?? 'c0';
    if (fail[cursor]) throw fail[cursor];
    const n = Number(cursor.slice(1));
    const more = n + 1 < pages;
    return {
      data: { jobs: [], next_cursor: more ? `c${n + 1}` : null, has_more: more, estimated_total: null },
      oddities: {},
      dropped: 0,
      creditsBalance: 100 - n,
      serverTime: null,
    };
  };
  return { feed, calls };
}

test('requests the next page as soon as one arrives and serves it from memory once', async () => {
  const jobo = scriptedFeed(3);
  const pager = new FeedPager(jobo);
  const p0 = await pager.page({ cursor: null, updatedAfter: '2025-01-01T00:00:00.000Z', batchSize: 10 });
  expect(p0.data.next_cursor).toBe('c1');
  expect(jobo.calls.map((c) => c.cursor ?? null)).toEqual([null, 'c1']); // c1 already on its way
  expect(jobo.calls[0]).toEqual({ batch_size: 10, updated_after: '2025-01-01T00:00:00.000Z' });
  // A continuation is the cursor alone: the cursor carries the filters and batch size.
  expect(jobo.calls[1]).toEqual({ cursor: 'c1' });

  const p1 = await pager.page({ cursor: 'c1', updatedAfter: '2025-01-01T00:00:00.000Z', batchSize: 10 });
  expect(p1.creditsBalance).toBe(99);
  expect(jobo.calls).toHaveLength(3); // c1 served from the read-ahead; c2 now requested

  const p2 = await pager.page({ cursor: 'c2', updatedAfter: '2025-01-01T00:00:00.000Z', batchSize: 10 });
  expect(p2.data.has_more).toBe(false);
  expect(jobo.calls).toHaveLength(3); // the last page reads nothing ahead

  // Asked again (an activity retry), the page is fetched afresh: a read-ahead is used at most once.
  await pager.page({ cursor: 'c2', updatedAfter: '2025-01-01T00:00:00.000Z', batchSize: 10 });
  expect(jobo.calls).toHaveLength(4);
  pager.close();
});

test('a different filter or batch size never takes another request’s read-ahead', async () => {
  const jobo = scriptedFeed(3);
  const pager = new FeedPager(jobo);
  await pager.page({ cursor: null, updatedAfter: null, batchSize: 10 });
  await pager.page({ cursor: 'c1', updatedAfter: null, batchSize: 20 });
  expect(jobo.calls.filter((c) => c.cursor === 'c1')).toHaveLength(2);
  pager.close();
});

test('a failed read-ahead is handed to the caller that asks for that cursor', async () => {
  const invalid = ApplicationFailure.create({ type: 'JoboInvalidCursor', nonRetryable: true, message: 'Invalid cursor' });
  const jobo = scriptedFeed(3, { c1: invalid });
  const pager = new FeedPager(jobo);
  await pager.page({ cursor: null, updatedAfter: null, batchSize: 10 });
  await expect(pager.page({ cursor: 'c1', updatedAfter: null, batchSize: 10 })).rejects.toBe(invalid);
  expect(jobo.calls).toHaveLength(2); // the rejected cursor was sent once
  pager.close();
});
