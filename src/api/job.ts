/**
 * POST /api/v1/jobs/search: the job store searched with the campaign filter shape, through the same query
 * builder autopilot uses (storeFilters → JobStore.searchJobs). Each search makes a search record (kept 30
 * days) whose id a campaign create may give as searchId: its titles and locations become the campaign's
 * searchContext.
 */
import { z } from 'zod';
import { storeFilters } from '../campaign/activities';
import type { SearchContext } from '../campaign/input';
import { searchContextOf } from '../campaign/input';
import type { JobSearches } from '../store/searches';
import type { JobStore } from '../store/types';
import { ERRORS, type ApiContext, type ZodApp } from './context';
import { ApiError, invalidRequest } from './errors';
import { filtersShape } from './schemas';

const SearchBody = z
  .strictObject({
    ...filtersShape,
    page: z.number().int().min(1).max(10_000).default(1),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .meta({ id: 'JobSearchRequest' });
const JobResult = z.object({
  jobId: z.string(),
  title: z.string(),
  companyName: z.string(),
  locations: z.string(),
  workType: z.string().nullable(),
  employmentType: z.string().nullable(),
  experienceLevel: z.string().nullable(),
  datePosted: z.string().nullable(),
  salary: z.object({
    min: z.number().nullable(),
    max: z.number().nullable(),
    currency: z.string().nullable(),
    period: z.string().nullable(),
  }),
  link: z.string().meta({ description: 'The apply URL: a run_once job link' }),
});
const SearchOut = z
  .object({
    searchId: z.string().meta({ description: 'Give as searchId on a session create (kept 30 days)' }),
    expiresAt: z.string(),
    searchContext: z.object({ titles: z.array(z.string()), locations: z.array(z.string()) }),
    data: z.array(JobResult),
    pagination: z.object({ page: z.number().int(), limit: z.number().int(), hasMore: z.boolean() }),
  })
  .meta({ id: 'JobSearchResponse' });

function need<T>(dep: (() => Promise<T>) | undefined): Promise<T> {
  if (!dep) throw new ApiError(503, 'unavailable', 'job search is not available on this API (no store)');
  return dep();
}

/** The caller's search record's context, or the 400 naming searchId. */
export async function searchContextFor(ctx: ApiContext, userId: string, searchId: string): Promise<SearchContext> {
  const record = await (await need(ctx.searches)).get(userId, searchId);
  if (!record) throw invalidRequest([{ field: 'searchId', message: `unknown or expired search record ${searchId}` }]);
  return record.context;
}

export function registerJobRoutes(app: ZodApp, ctx: ApiContext): void {
  app.post(
    '/api/v1/jobs/search',
    {
      schema: {
        tags: ['job'],
        summary:
          'Search the job store (title/description text, location, work type, employment type, experience level, posted within, salary, companies)',
        body: SearchBody,
        response: { 200: SearchOut, ...ERRORS },
      },
    },
    async (req) => {
      const { page, limit, ...filters } = req.body;
      const [store, searches]: [JobStore, JobSearches] = await Promise.all([need(ctx.jobStore), need(ctx.searches)]);
      // One row more than the page says whether there is a next one, without counting a million rows.
      const rows = await store.searchJobs({ ...storeFilters(filters), limit: limit + 1, offset: (page - 1) * limit });
      const data = rows.slice(0, limit);
      const context = searchContextOf({ filters });
      const record = await searches.create(req.apiUser!.userId, filters, context, data.length);
      return {
        searchId: record.id,
        expiresAt: record.expiresAt,
        searchContext: context,
        data: data.map((j) => ({
          jobId: j.id,
          title: j.title,
          companyName: j.companyName,
          locations: j.locations,
          workType: j.workplaceType,
          employmentType: j.employmentType,
          experienceLevel: j.experienceLevel,
          datePosted: j.datePosted,
          salary: { min: j.compensationMin, max: j.compensationMax, currency: j.compensationCurrency, period: j.compensationPeriod },
          link: j.applyUrl,
        })),
        pagination: { page, limit, hasMore: rows.length > limit },
      };
    },
  );
}
