/**
 * syncFeedPage's cursor pipeline, isolated from HTTP with a scripted client (a real SQLite store): the next
 * request leaves before the page in hand is parsed, on the cursor its tail names; the parsed page decides,
 * so a guess it contradicts, or a page that fails to parse, aborts the guessed request and nothing of it
 * is used. Against the real sandbox, test/feedSync.activities.test.ts counts the requests it served.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createFeedSyncActivities, type SyncFeedPageResult } from '../src/feedSync/activities';
import type { FeedPage, ReceivedFeedPage } from '../src/jobo/client';
import type { FeedContinuation } from '../src/jobo/feedTail';
import type { FeedRequest } from '../src/jobo/schemas';
import { makeJob } from './store.suite';
import { openTempStore, type TempStore } from './support/tempStore';

type Event = string;

interface Script {
  pages: number;
  /** The tail's guess for a cursor's page, when it is not the truth. */
  guess?: Record<string, FeedContinuation | null>;
  /** Pages whose parse fails. */
  unreadable?: Set<string>;
}

function scripted({ pages, guess = {}, unreadable = new Set() }: Script) {
  const events: Event[] = [];
  const aborted: string[] = [];
  const feedReceived = async (req: FeedRequest, opts: { signal?: AbortSignal; onSent?: () => void } = {}): Promise<ReceivedFeedPage> => {
    const cursor = req.cursor ?? 'c0';
    events.push(`send ${cursor}`);
    opts.signal?.addEventListener('abort', () => aborted.push(cursor));
    opts.onSent?.();
    await new Promise((r) => setTimeout(r, 5));
    if (opts.signal?.aborted) throw opts.signal.reason;
    const n = Number(cursor.slice(1));
    const more = n + 1 < pages;
    const truth = { hasMore: more, nextCursor: more ? `c${n + 1}` : null };
    return {
      continuation: cursor in guess ? guess[cursor] : truth,
      read: (): FeedPage => {
        events.push(`parse ${cursor}`);
        if (unreadable.has(cursor)) throw new Error(`page ${cursor} is not a feed page`);
        return {
          data: { jobs: [makeJob(n)], next_cursor: truth.nextCursor, has_more: truth.hasMore, estimated_total: null },
          oddities: {},
          dropped: 0,
          creditsBalance: null,
          serverTime: null,
        };
      },
    };
  };
  return { jobo: { feedReceived, expired: () => Promise.reject(new Error('not scripted')) }, events, aborted };
}

let temp: TempStore;
beforeEach(async () => {
  temp = await openTempStore('applyflow-feed-pipeline-');
});
afterEach(async () => temp.close());

const run = (jobo: ReturnType<typeof scripted>['jobo'], maxPages: number): Promise<SyncFeedPageResult> => {
  const acts = createFeedSyncActivities({ jobo, store: async () => temp.store });
  const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
  const input = { cursor: null, postedAfter: null, batchSize: 1, maxPages };
  return env.run<[typeof input], SyncFeedPageResult, typeof acts.syncFeedPage>(acts.syncFeedPage, input);
};

test('each next request leaves before the page in hand is parsed, and none is made that is not used', async () => {
  const feed = scripted({ pages: 4 });
  const result = await run(feed.jobo, 10);
  expect(result).toMatchObject({ pages: 4, pagesFetched: 4, hasMore: false, upserted: 4 });
  expect(feed.events).toEqual(['send c0', 'send c1', 'parse c0', 'send c2', 'parse c1', 'send c3', 'parse c2', 'parse c3']);
  expect(feed.aborted).toEqual([]);
  expect((await temp.store.counts()).active).toBe(4);
});

test('the page limit holds: the last page allowed sends nothing after it', async () => {
  const feed = scripted({ pages: 5 });
  const result = await run(feed.jobo, 2);
  expect(result).toMatchObject({ pages: 2, pagesFetched: 2, hasMore: true, nextCursor: 'c2' });
  expect(feed.events.filter((e) => e.startsWith('send'))).toEqual(['send c0', 'send c1']);
});

test('a guess the parsed page contradicts is aborted, and the parsed cursor is asked for instead', async () => {
  const feed = scripted({ pages: 3, guess: { c0: { hasMore: true, nextCursor: 'c7' } } });
  const result = await run(feed.jobo, 10);
  expect(feed.aborted).toEqual(['c7']);
  expect(feed.events.slice(0, 4)).toEqual(['send c0', 'send c7', 'parse c0', 'send c1']);
  expect(result).toMatchObject({ pages: 3, pagesFetched: 3, hasMore: false });
  expect((await temp.store.counts()).active).toBe(3);
});

test('no guess (an unreadable tail): the next request waits for the parse', async () => {
  const feed = scripted({ pages: 3, guess: { c0: null } });
  await run(feed.jobo, 10);
  expect(feed.events.slice(0, 3)).toEqual(['send c0', 'parse c0', 'send c1']);
  expect(feed.aborted).toEqual([]);
});

test('a page that fails to parse aborts the request its tail led to; the pages before it are kept', async () => {
  const feed = scripted({ pages: 5, unreadable: new Set(['c2']) });
  const result = await run(feed.jobo, 10);
  expect(feed.aborted).toEqual(['c3']);
  expect(result).toMatchObject({ pages: 2, nextCursor: 'c2', hasMore: true });
  expect((await temp.store.counts()).active).toBe(2);
});
