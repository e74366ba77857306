/**
 * Users and their API keys. Operators (APPLYFLOW_API_KEYS) create and manage users; each operator sees only
 * the users it made. A user's own key may read the user, its usage and manage its own keys (rotation), and
 * nothing else here. Another operator's user, or another user, is a 404 like an unknown id.
 */
import { z } from 'zod';
import { isTimezone, UserExistsError, USER_STATUSES, type UserKeyRecord, type UserRecord, type Users } from '../store/users';
import { ATS_PROVIDERS } from '../shared/jobKey';
import type { ApiUser } from './auth';
import { ERRORS, type ApiContext, type ZodApp } from './context';
import { ApiError, conflict, notFound } from './errors';
import { ErrorResponse, Pagination } from './schemas';

export const USERS = '/api/v1/users';

const Limit = z.number().int().min(0).max(1_000_000_000);
const Timezone = z
  .string()
  .max(64)
  .refine(isTimezone, { message: 'not an IANA timezone' })
  .meta({ description: 'IANA timezone the monthly limit and the daily caps follow (default UTC)', example: 'Europe/Berlin' });
// Daily pacing (ours, not in reference 002): past a cap applications wait for the next day, they do not fail.
const DailyCap = Limit.nullable().meta({
  description: 'Ours: applications started per day in the user timezone; past it queued applications wait for the next day (null: no cap)',
});
const DailyCapsByProvider = z
  .strictObject(
    Object.fromEntries(ATS_PROVIDERS.map((p) => [p, Limit.optional()])) as Record<
      (typeof ATS_PROVIDERS)[number],
      z.ZodOptional<typeof Limit>
    >,
  )
  .meta({
    description: `Ours: applications per day per ATS provider the apply URL names (${ATS_PROVIDERS.join(', ')}); past one that provider's applications wait for the next day`,
    example: { workday: 30 },
  });
const UserFields = {
  name: z.string().min(1).max(200).nullable().optional(),
  email: z.email().max(320).nullable().optional(),
  maxTotalJobApplications: Limit.optional().meta({ description: 'Lifetime applications (default 1000)' }),
  maxJobApplicationsPerMonth: Limit.optional().meta({ description: 'Applications per calendar month in the user timezone (default 100)' }),
  status: z.enum(USER_STATUSES).optional().meta({ description: 'inactive: the user keys are refused (403) and nothing starts' }),
  timezone: Timezone.nullable().optional(),
  maxJobApplicationsPerDay: DailyCap.optional(),
  maxJobApplicationsPerDayByProvider: DailyCapsByProvider.optional(),
};
const CreateUser = z.strictObject({
  externalUserId: z.string().min(1).max(200).meta({ description: 'Your id for the user; unique per operator' }),
  ...UserFields,
});
const PatchUser = z.strictObject(UserFields);
const UserParams = z.strictObject({ userId: z.string().min(1).max(64) });
const KeyParams = z.strictObject({ userId: z.string().min(1).max(64), keyId: z.string().min(1).max(64) });
const ListQuery = z.strictObject({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const User = z
  .object({
    userId: z.string(),
    externalUserId: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    maxTotalJobApplications: z.number().int(),
    maxJobApplicationsPerMonth: z.number().int(),
    status: z.enum(USER_STATUSES),
    timezone: z.string().nullable(),
    maxJobApplicationsPerDay: z.number().int().nullable().meta({ description: 'Ours: the daily cap (null: none)' }),
    maxJobApplicationsPerDayByProvider: z
      .record(z.string(), z.number().int())
      .meta({ description: 'Ours: daily caps by ATS provider ({} when none)' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'User' });
const UserList = z.object({ data: z.array(User), pagination: Pagination });
const ApiKeyOut = z
  .object({
    keyId: z.string(),
    userId: z.string(),
    name: z.string().nullable(),
    prefix: z.string(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'UserApiKey' });
const CreatedKey = ApiKeyOut.extend({
  secret: z.string().meta({ description: 'The key itself: shown only in this answer, stored hashed' }),
}).meta({
  id: 'CreatedUserApiKey',
});
const CreateKey = z.strictObject({ name: z.string().min(1).max(100).optional() });
const DailyPart = z.object({ limit: z.number().int().nullable(), used: z.number().int(), remaining: z.number().int().nullable() });
export const UserUsageOut = z
  .object({
    userId: z.string(),
    month: z.string().meta({ description: 'YYYY-MM in the user timezone' }),
    total: z.object({ limit: z.number().int(), used: z.number().int(), remaining: z.number().int() }),
    monthly: z.object({ limit: z.number().int(), used: z.number().int(), remaining: z.number().int() }),
    day: z.string().meta({ description: "Ours: YYYY-MM-DD in the user timezone (the daily caps' window)" }),
    daily: DailyPart.meta({ description: 'Ours: applications started today against maxJobApplicationsPerDay (limit null: no cap)' }),
    dailyByProvider: z
      .record(z.string(), DailyPart)
      .meta({ description: 'Ours: per ATS provider with a cap or started today, against maxJobApplicationsPerDayByProvider' }),
  })
  .meta({ id: 'UserLimitUsage' });

export const userOut = (u: UserRecord): z.infer<typeof User> => ({
  userId: u.id,
  externalUserId: u.externalUserId,
  name: u.name,
  email: u.email,
  maxTotalJobApplications: u.maxTotalJobApplications,
  maxJobApplicationsPerMonth: u.maxJobApplicationsPerMonth,
  status: u.status,
  timezone: u.timezone,
  maxJobApplicationsPerDay: u.maxJobApplicationsPerDay,
  maxJobApplicationsPerDayByProvider: u.maxJobApplicationsPerDayByProvider,
  createdAt: u.createdAt,
  updatedAt: u.updatedAt,
});
const keyOut = (k: UserKeyRecord) => ({
  keyId: k.id,
  userId: k.userId,
  name: k.name,
  prefix: k.prefix,
  createdAt: k.createdAt,
  revokedAt: k.revokedAt,
});

export async function limitUsage(users: Users, u: UserRecord): Promise<z.infer<typeof UserUsageOut>> {
  const used = await users.usage(u.id);
  const part = (limit: number, n: number) => ({ limit, used: n, remaining: Math.max(0, limit - n) });
  const daily = (limit: number | null | undefined, n: number) =>
    limit === null || limit === undefined ? { limit: null, used: n, remaining: null } : part(limit, n);
  const caps: Record<string, number | undefined> = u.maxJobApplicationsPerDayByProvider;
  const counts: Record<string, number | undefined> = used.dailyByProvider;
  const providers = [...new Set([...Object.keys(caps), ...Object.keys(counts)])].sort();
  return {
    userId: u.id,
    month: used.month,
    total: part(u.maxTotalJobApplications, used.total),
    monthly: part(u.maxJobApplicationsPerMonth, used.monthly),
    day: used.day,
    daily: daily(u.maxJobApplicationsPerDay, used.daily),
    dailyByProvider: Object.fromEntries(providers.map((p) => [p, daily(caps[p], counts[p] ?? 0)])),
  };
}

export function usersOf(ctx: ApiContext): () => Promise<Users> {
  return async () => {
    if (!ctx.users) throw new ApiError(503, 'unavailable', 'users are not configured on this API (no store)');
    return ctx.users();
  };
}

function operatorOnly(caller: ApiUser): string {
  if (caller.role !== 'operator') throw new ApiError(403, 'forbidden', 'an operator key (APPLYFLOW_API_KEYS) is required');
  return caller.userId;
}

/** The user the caller may see: an operator's own users, or a user itself; anything else is the 404. */
export async function visibleUser(users: Users, caller: ApiUser, userId: string): Promise<UserRecord> {
  const u =
    caller.role === 'operator' ? await users.get(caller.userId, userId) : caller.userId === userId ? await users.byId(userId) : null;
  if (!u) throw notFound(`user ${userId}`);
  return u;
}

export function registerUserRoutes(app: ZodApp, ctx: ApiContext): void {
  const tags = ['user'];
  const store = usersOf(ctx);
  const caller = (req: { apiUser: ApiUser | null }) => req.apiUser!;

  app.post(
    USERS,
    {
      schema: {
        tags,
        summary: 'Create a user (operator keys only)',
        body: CreateUser,
        response: { 201: User, ...ERRORS, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const operator = operatorOnly(caller(req));
      try {
        return reply.code(201).send(userOut(await (await store()).create(operator, req.body)));
      } catch (err) {
        if (err instanceof UserExistsError) throw conflict(err.message);
        throw err;
      }
    },
  );

  app.get(
    USERS,
    { schema: { tags, summary: "The operator's users", querystring: ListQuery, response: { 200: UserList, ...ERRORS } } },
    async (req) => {
      const operator = operatorOnly(caller(req));
      const { page, limit } = req.query;
      const { users, total } = await (await store()).list(operator, { limit, offset: (page - 1) * limit });
      return { data: users.map(userOut), pagination: { page, limit, total, totalPages: Math.ceil(total / limit) } };
    },
  );

  app.get(
    `${USERS}/:userId`,
    { schema: { tags, summary: 'A user', params: UserParams, response: { 200: User, ...ERRORS } } },
    async (req) => userOut(await visibleUser(await store(), caller(req), req.params.userId)),
  );

  app.patch(
    `${USERS}/:userId`,
    {
      schema: {
        tags,
        summary: "Change a user's name, email, limits, daily caps, status or timezone (operator keys only)",
        params: UserParams,
        body: PatchUser,
        response: { 200: User, ...ERRORS },
      },
    },
    async (req) => {
      const operator = operatorOnly(caller(req));
      const u = await (await store()).update(operator, req.params.userId, req.body);
      if (!u) throw notFound(`user ${req.params.userId}`);
      return userOut(u);
    },
  );

  app.delete(
    `${USERS}/:userId`,
    {
      schema: {
        tags,
        summary: 'Delete a user and its keys (its applications stay in the ledger)',
        params: UserParams,
        response: { 204: z.null(), ...ERRORS },
      },
    },
    async (req, reply) => {
      const operator = operatorOnly(caller(req));
      if (!(await (await store()).remove(operator, req.params.userId))) throw notFound(`user ${req.params.userId}`);
      return reply.code(204).send(null);
    },
  );

  app.post(
    `${USERS}/:userId/api-keys`,
    {
      schema: {
        tags,
        summary: 'Make an API key for the user; the secret is in this answer only',
        params: UserParams,
        body: CreateKey.optional(),
        response: { 201: CreatedKey, ...ERRORS },
      },
    },
    async (req, reply) => {
      const users = await store();
      const u = await visibleUser(users, caller(req), req.params.userId);
      const { key, secret } = await users.createKey(u.id, req.body?.name ?? null);
      return reply.code(201).send({ ...keyOut(key), secret });
    },
  );

  app.get(
    `${USERS}/:userId/api-keys`,
    {
      schema: {
        tags,
        summary: "The user's API keys (never their secrets)",
        params: UserParams,
        response: { 200: z.object({ data: z.array(ApiKeyOut) }), ...ERRORS },
      },
    },
    async (req) => {
      const users = await store();
      const u = await visibleUser(users, caller(req), req.params.userId);
      return { data: (await users.listKeys(u.id)).map(keyOut) };
    },
  );

  app.delete(
    `${USERS}/:userId/api-keys/:keyId`,
    {
      schema: {
        tags,
        summary: 'Revoke one of the user keys (at once: the next request with it is a 401)',
        params: KeyParams,
        response: { 204: z.null(), ...ERRORS },
      },
    },
    async (req, reply) => {
      const users = await store();
      const u = await visibleUser(users, caller(req), req.params.userId);
      if (!(await users.revokeKey(u.id, req.params.keyId))) throw notFound(`API key ${req.params.keyId}`);
      return reply.code(204).send(null);
    },
  );
}
