/**
 * Usage and the dashboard summary, from the applications ledger (src/store/analytics.ts). A user key sees
 * its own applications; an operator key its account: its own profiles' and every user's it made.
 * `period` is 7d, 30d, 90d or all (counted back from now, by when the application was created); /usage
 * also takes startDate/endDate (inclusive days, UTC) instead.
 */
import { z } from 'zod';
import type { Analytics, UsageScope } from '../store/analytics';
import type { ApiUser } from './auth';
import { ERRORS, type ApiContext, type ZodApp } from './context';
import { ApiError, invalidRequest } from './errors';
import { limitUsage, UserUsageOut, usersOf, visibleUser } from './user';

export const PERIODS = ['7d', '30d', '90d', 'all'] as const;
const DAY_MS = 86_400_000;

const Day = z.iso.date().meta({ description: 'YYYY-MM-DD (UTC)' });
const Period = z.enum(PERIODS).default('30d');
const UsageQuery = z.strictObject({ period: Period.optional(), startDate: Day.optional(), endDate: Day.optional() });
const SummaryQuery = z.strictObject({ period: Period });

const Counts = z.object({
  total: z.number().int(),
  successful: z.number().int(),
  failed: z.number().int(),
  limitReached: z.number().int().meta({ description: "Not started: the user's total or monthly limit was used up" }),
  inProgress: z.number().int(),
  cancelled: z.number().int(),
  needsPerson: z
    .number()
    .int()
    .meta({ description: 'Parked at a captcha or login wall upstream: only a person can finish them (NEEDS_PERSON)' }),
});
export const UsageOut = z
  .object({
    period: z.string(),
    startDate: z.string().nullable(),
    endDate: z.string().nullable(),
    applications: Counts,
  })
  .meta({ id: 'Usage' });
const UserUsage = UserUsageOut.extend(UsageOut.shape).meta({ id: 'UserUsage' });
const SummaryOut = z
  .object({
    period: z.enum(PERIODS),
    overview: Counts.extend({
      successRate: z.number().nullable().meta({ description: 'successful / (successful + failed); null before any' }),
    }),
    byProvider: z.array(Counts.extend({ provider: z.string() })),
    dailyTrend: z.array(Counts.extend({ date: z.string() })),
    topSessions: z.array(Counts.extend({ sessionId: z.string() })),
    recentActivity: z.array(
      z.object({
        profileId: z.string(),
        jobId: z.string(),
        jobUrl: z.string(),
        status: z.string(),
        provider: z.string().nullable(),
        sessionId: z.string().nullable(),
        error: z.string().nullable(),
        updatedAt: z.string(),
      }),
    ),
  })
  .meta({ id: 'AnalyticsSummary' });

export function periodRange(
  q: { period?: (typeof PERIODS)[number]; startDate?: string; endDate?: string },
  now = Date.now(),
): { label: string; from: string | null; to: string | null } {
  if (q.startDate || q.endDate) {
    if (q.period) throw invalidRequest([{ field: 'period', message: 'give period or startDate/endDate, not both' }]);
    if (q.startDate && q.endDate && q.endDate < q.startDate) throw invalidRequest([{ field: 'endDate', message: 'before startDate' }]);
    const to = q.endDate ? new Date(Date.parse(`${q.endDate}T00:00:00Z`) + DAY_MS).toISOString() : null;
    return { label: 'custom', from: q.startDate ? `${q.startDate}T00:00:00.000Z` : null, to };
  }
  const period = q.period ?? '30d';
  if (period === 'all') return { label: period, from: null, to: null };
  return { label: period, from: new Date(now - Number(period.slice(0, -1)) * DAY_MS).toISOString(), to: null };
}

export function analyticsOf(ctx: ApiContext): () => Promise<Analytics> {
  return async () => {
    if (!ctx.analytics) throw new ApiError(503, 'unavailable', 'usage is not available on this API (no store)');
    return ctx.analytics();
  };
}

/** The user ids whose applications the caller may count. */
export async function scopeOf(ctx: ApiContext, caller: ApiUser): Promise<string[]> {
  if (caller.role === 'user' || !ctx.users) return [caller.userId];
  return [caller.userId, ...(await (await ctx.users()).idsOf(caller.userId))];
}

export function registerUsageRoutes(app: ZodApp, ctx: ApiContext): void {
  const analytics = analyticsOf(ctx);
  const usage = async (userIds: string[], q: z.infer<typeof UsageQuery>) => {
    const range = periodRange(q);
    const scope: UsageScope = { userIds, from: range.from, to: range.to };
    return { period: range.label, startDate: range.from, endDate: range.to, applications: await (await analytics()).counts(scope) };
  };

  app.get(
    '/api/v1/usage',
    {
      schema: {
        tags: ['usage'],
        summary: "The caller's applications in a period (user keys: its own; operators: the whole account)",
        querystring: UsageQuery,
        response: { 200: UsageOut, ...ERRORS },
      },
    },
    async (req) => usage(await scopeOf(ctx, req.apiUser!), req.query),
  );

  app.get(
    '/api/v1/users/:userId/usage',
    {
      schema: {
        tags: ['usage'],
        summary: "One user's limits (what is used and left) and its applications in a period",
        params: z.strictObject({ userId: z.string().min(1).max(64) }),
        querystring: UsageQuery,
        response: { 200: UserUsage, ...ERRORS },
      },
    },
    async (req) => {
      const users = await usersOf(ctx)();
      const u = await visibleUser(users, req.apiUser!, req.params.userId);
      return { ...(await limitUsage(users, u)), ...(await usage([u.id], req.query)) };
    },
  );

  app.get(
    '/api/v1/analytics/summary',
    {
      schema: {
        tags: ['usage'],
        summary: 'Dashboard summary: overview, by ATS provider, daily trend, top sessions, recent activity',
        querystring: SummaryQuery,
        response: { 200: SummaryOut, ...ERRORS },
      },
    },
    async (req) => {
      const range = periodRange({ period: req.query.period });
      return {
        period: req.query.period,
        ...(await (await analytics()).summary({ userIds: await scopeOf(ctx, req.apiUser!), from: range.from, to: range.to })),
      };
    },
  );
}
