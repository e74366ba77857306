// listCampaigns against a stand-in visibility API: count and page at once, only the page needed, no workflow queried.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { listCampaigns } from '../src/campaign/client';
import { SA } from '../src/searchAttributes';

function execution(i: number, userId: string): WorkflowExecutionInfo {
  return {
    workflowId: `campaign/c${i}`,
    startTime: new Date(Date.UTC(2026, 0, 1, 0, i)),
    closeTime: undefined,
    memo: {
      campaign: {
        userId,
        createdAt: `2025-12-0${(i % 9) + 1}T00:00:00.000Z`,
        searchContext: { titles: ['T'], locations: [] },
        candidateEmail: null,
      },
    },
    typedSearchAttributes: new TypedSearchAttributes([
      { key: SA.campaignId, value: `c${i}` },
      { key: SA.campaignType, value: 'run_once' },
      { key: SA.status, value: 'active' },
      { key: SA.profileId, value: 'p' },
      { key: SA.userId, value: userId },
    ]),
  } as unknown as WorkflowExecutionInfo;
}

/** 95 campaigns; records what was asked. count() answers only once the page has been asked for. */
function fakeClient() {
  const seen = { queries: [] as string[], pageSizes: [] as (number | undefined)[], pulled: 0, countCalls: 0, workflowQueries: 0 };
  let listStarted!: () => void;
  const started = new Promise<void>((r) => (listStarted = r));
  const client = {
    workflow: {
      async count(query: string) {
        seen.countCalls++;
        seen.queries.push(query);
        await started; // a count awaited before the list starts never answers: the test times out
        return { count: 95, groups: [] };
      },
      list({ query, pageSize }: { query: string; pageSize?: number }) {
        seen.queries.push(query);
        seen.pageSizes.push(pageSize);
        listStarted();
        return (async function* () {
          for (let i = 0; i < 95; i++) {
            seen.pulled++;
            yield execution(i, 'alice');
          }
        })();
      },
      getHandle() {
        seen.workflowQueries++;
        throw new Error('no workflow is queried by a list');
      },
    },
  } as unknown as Client;
  return { client, seen };
}

test('count and page are asked for at once; the page is pageSize = limit; the items come from search attributes and memo', async () => {
  const { client, seen } = fakeClient();
  const page = await listCampaigns(client, { page: 3, limit: 20, userId: 'alice', type: 'run_once' });
  expect(page.pagination).toEqual({ page: 3, limit: 20, total: 95, totalPages: 5 });
  expect(page.data.map((c) => c.sessionId)).toEqual(Array.from({ length: 20 }, (_, i) => `c${40 + i}`));
  expect(seen.pageSizes).toEqual([20]);
  expect(seen.pulled).toBe(60); // two pages skipped, the third read, nothing after it
  expect(seen.workflowQueries).toBe(0);
  expect(seen.queries[0]).toBe(`ApplyflowKind = 'campaign' AND ApplyflowCampaignType = 'run_once' AND ApplyflowUserId = 'alice'`);
  expect(page.data[0]).toMatchObject({
    userId: 'alice',
    startedAt: '2025-12-05T00:00:00.000Z',
    searchContext: { titles: ['T'], locations: [] },
  });
});

test('a count function (the API shares one per second) replaces the server count', async () => {
  const { client, seen } = fakeClient();
  const page = await listCampaigns(client, { limit: 5 }, { count: async () => 7 });
  expect(page.pagination).toEqual({ page: 1, limit: 5, total: 7, totalPages: 2 });
  expect(seen.countCalls).toBe(0);
  expect(seen.pulled).toBe(5);
});

test('a user id that could break out of the query is refused, naming the field', async () => {
  const { client } = fakeClient();
  await expect(listCampaigns(client, { userId: "x' OR ApplyflowKind = 'campaign" })).rejects.toMatchObject({
    problems: [{ field: 'userId' }],
  });
});
