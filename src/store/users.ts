/**
 * API users and their API keys, beside the profile owners on the job store's database (either backend).
 * An operator (a key from APPLYFLOW_API_KEYS) creates users; each user is owned by the operator who made
 * it, and no other operator can see or change it. A user's id is what owns its campaigns and profiles, the
 * same notion of "user" as an operator key's user id. Key secrets are shown once and stored as SHA-256
 * digests (they are 32 random bytes, so a slow hash would add nothing).
 *
 * Limits: a user has a lifetime total and a monthly limit of applications. Every application the ledger
 * claims for a profile the user owns reserves one unit (application_reservations, one per (profile, job
 * key), so a take-over or retry of the same job does not count twice). The month is the calendar month in
 * the user's timezone (UTC unless set).
 *
 * Daily pacing (ours, issue 17): an optional cap per day and per ATS provider per day. Past one nothing is
 * refused: the claim answers `paced` with the start of the next day in the user's timezone, and the
 * application waits for it. Each reservation records its day and the provider its apply URL names.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ATS_PROVIDERS, atsProviderOfUrl, type AtsProvider } from '../shared/jobKey';
import type { JobStore } from './types';

export const USER_STATUSES = ['active', 'inactive'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const DEFAULT_MAX_TOTAL = 1000;
export const DEFAULT_MAX_MONTHLY = 100;

export interface UserRecord {
  id: string;
  /** The operator (APPLYFLOW_API_KEYS user id) who created the user: the only one who sees it. */
  operatorId: string;
  externalUserId: string;
  name: string | null;
  email: string | null;
  maxTotalJobApplications: number;
  maxJobApplicationsPerMonth: number;
  status: UserStatus;
  /** Applications started per day in the user's timezone; null: no daily cap (ours). */
  maxJobApplicationsPerDay: number | null;
  /** Per ATS provider (src/shared/jobKey.ts ATS_PROVIDERS), applications per day; absent: no cap (ours). */
  maxJobApplicationsPerDayByProvider: DailyCapsByProvider;
  /** IANA timezone the monthly limit's month and the daily caps' day follow; null is UTC. */
  timezone: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewUser {
  externalUserId: string;
  name?: string | null;
  email?: string | null;
  maxTotalJobApplications?: number;
  maxJobApplicationsPerMonth?: number;
  status?: UserStatus;
  timezone?: string | null;
  maxJobApplicationsPerDay?: number | null;
  maxJobApplicationsPerDayByProvider?: DailyCapsByProvider;
}

export type DailyCapsByProvider = Partial<Record<AtsProvider, number>>;

export type UserPatch = Partial<Omit<NewUser, 'externalUserId'>>;

export interface UserKeyRecord {
  id: string;
  userId: string;
  name: string | null;
  /** The secret's first characters, to tell keys apart; never enough to use it. */
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface UserUsage {
  total: number;
  monthly: number;
  /** The month counted, YYYY-MM in the user's timezone. */
  month: string;
  /** Applications reserved today (the day in the user's timezone), overall and by provider. */
  daily: number;
  dailyByProvider: DailyCapsByProvider;
  /** The day counted, YYYY-MM-DD in the user's timezone. */
  day: string;
}

export class UserExistsError extends Error {
  constructor(readonly externalUserId: string) {
    super(`a user with externalUserId ${externalUserId} exists`);
    this.name = 'UserExistsError';
  }
}

export interface Users {
  create(operatorId: string, input: NewUser): Promise<UserRecord>;
  /** The operator's user, or null (another operator's user is as unknown as a missing one). */
  get(operatorId: string, id: string): Promise<UserRecord | null>;
  /** Any user by id (authentication and limits). */
  byId(id: string): Promise<UserRecord | null>;
  list(operatorId: string, page: { limit: number; offset: number }): Promise<{ users: UserRecord[]; total: number }>;
  /** Every user id the operator made (its account's scope for usage and analytics). */
  idsOf(operatorId: string): Promise<string[]>;
  update(operatorId: string, id: string, patch: UserPatch): Promise<UserRecord | null>;
  /** Removes the user and its keys (its ledger rows and reservations stay: they are history). */
  remove(operatorId: string, id: string): Promise<boolean>;
  createKey(userId: string, name?: string | null): Promise<{ key: UserKeyRecord; secret: string }>;
  listKeys(userId: string): Promise<UserKeyRecord[]>;
  revokeKey(userId: string, keyId: string): Promise<boolean>;
  /** The user and key a presented secret belongs to, unless unknown or revoked. */
  authenticate(secret: string): Promise<{ user: UserRecord; key: UserKeyRecord } | null>;
  usage(userId: string, now?: Date): Promise<UserUsage>;
}

export const USERS_SCHEMA = (time: string) => `
  CREATE TABLE IF NOT EXISTS api_users (
    id                 TEXT PRIMARY KEY,
    operator_id        TEXT NOT NULL,
    external_user_id   TEXT NOT NULL,
    name               TEXT,
    email              TEXT,
    max_total          INTEGER NOT NULL,
    max_monthly        INTEGER NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
    timezone           TEXT,
    max_daily          INTEGER,
    max_daily_by_provider TEXT,
    created_at         ${time} NOT NULL,
    updated_at         ${time} NOT NULL,
    UNIQUE (operator_id, external_user_id)
  );
  CREATE TABLE IF NOT EXISTS api_user_keys (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    digest      TEXT NOT NULL UNIQUE,
    prefix      TEXT NOT NULL,
    name        TEXT,
    created_at  ${time} NOT NULL,
    revoked_at  ${time}
  );
  CREATE INDEX IF NOT EXISTS api_user_keys_user ON api_user_keys (user_id, created_at);
  CREATE TABLE IF NOT EXISTS application_reservations (
    profile_id  TEXT NOT NULL,
    job_id      TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    month       TEXT NOT NULL,
    reserved_at ${time} NOT NULL,
    day         TEXT,
    provider    TEXT,
    PRIMARY KEY (profile_id, job_id)
  );
  CREATE INDEX IF NOT EXISTS application_reservations_user ON application_reservations (user_id, month);
`;

/**
 * Columns added after the tables first shipped (daily pacing), as [table, column, type]: each backend adds
 * the missing ones on open (USERS_MIGRATIONS), then creates USERS_LATE_INDEXES over them.
 */
export const USERS_ADDED_COLUMNS: readonly [string, string, string][] = [
  ['api_users', 'max_daily', 'INTEGER'],
  ['api_users', 'max_daily_by_provider', 'TEXT'],
  ['application_reservations', 'day', 'TEXT'],
  ['application_reservations', 'provider', 'TEXT'],
];
export const USERS_LATE_INDEXES = `CREATE INDEX IF NOT EXISTS application_reservations_day ON application_reservations (user_id, day);`;

/**
 * Reservations made before daily pacing get their day (in their user's timezone) and the provider their
 * job's apply URL names, so today's count is right on the day of the upgrade. Both backends run
 * RESERVATION_BACKFILL.select, then `update` with each row's parameters.
 */
export const RESERVATION_BACKFILL = {
  pending: `SELECT 1 AS pending FROM application_reservations WHERE day IS NULL LIMIT 1`,
  select: `SELECT r.profile_id, r.job_id, r.reserved_at, u.timezone, a.job_url FROM application_reservations r
     LEFT JOIN api_users u ON u.id = r.user_id
     LEFT JOIN applications a ON a.profile_id = r.profile_id AND a.job_id = r.job_id
     WHERE r.day IS NULL`,
  update: `UPDATE application_reservations SET day = ?, provider = ? WHERE profile_id = ? AND job_id = ?`,
};

export interface BackfillRow {
  profile_id: string;
  job_id: string;
  reserved_at: string | Date;
  timezone: string | null;
  job_url: string | null;
}

export function backfillParams(r: BackfillRow): unknown[] {
  const at = r.reserved_at instanceof Date ? r.reserved_at : new Date(r.reserved_at);
  return [dayOf(at, r.timezone), r.job_url ? atsProviderOfUrl(r.job_url) : null, r.profile_id, r.job_id];
}

export const keyDigest = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/** YYYY-MM of `now` in `timezone` (UTC when null). */
export function monthOf(now: Date, timezone: string | null): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: timezone ?? 'UTC', year: 'numeric', month: '2-digit' }).formatToParts(now);
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** YYYY-MM-DD of `now` in `timezone` (UTC when null): the daily caps' window. */
export function dayOf(now: Date, timezone: string | null): string {
  const tz = timezone ?? 'UTC';
  let f = dayFormats.get(tz);
  if (!f) dayFormats.set(tz, (f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const parts = f.formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * The first instant after `now` whose day in `timezone` is another: the next window's start. Searched, not
 * computed from offsets, so a day that starts at 01:00 (a DST change at midnight) is found as it is.
 */
export function nextDayStart(now: Date, timezone: string | null): Date {
  const today = dayOf(now, timezone);
  let lo = now.getTime(); // still today
  let hi = lo + 26 * 3_600_000; // no day is longer than 25 hours
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (dayOf(new Date(mid), timezone) === today) lo = mid;
    else hi = mid;
  }
  return new Date(hi);
}

/** Problems with a per-provider daily caps object, each naming its key (empty: valid). */
export function dailyCapsProblems(value: unknown): { field: string; message: string }[] {
  const field = 'maxJobApplicationsPerDayByProvider';
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [{ field, message: `expected an object of provider → cap, providers: ${ATS_PROVIDERS.join(', ')}` }];
  return Object.entries(value).flatMap(([k, v]) => {
    if (!(ATS_PROVIDERS as readonly string[]).includes(k))
      return [{ field: `${field}.${k}`, message: `not a provider this store knows (${ATS_PROVIDERS.join(', ')})` }];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1_000_000_000)
      return [{ field: `${field}.${k}`, message: 'expected a whole number >= 0' }];
    return [];
  });
}

export function isTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Why a user may not start one more application now, or null. */
export function limitReached(
  user: Pick<UserRecord, 'maxTotalJobApplications' | 'maxJobApplicationsPerMonth'>,
  usage: { total: number; monthly: number },
): 'total' | 'monthly' | null {
  if (usage.total >= user.maxTotalJobApplications) return 'total';
  if (usage.monthly >= user.maxJobApplicationsPerMonth) return 'monthly';
  return null;
}

/**
 * The daily cap this application would pass, or null when it fits today: `provider` is the one its apply
 * URL names (null: only the overall cap counts it).
 */
export function dailyCapReached(
  user: Pick<UserRecord, 'maxJobApplicationsPerDay' | 'maxJobApplicationsPerDayByProvider'>,
  usage: { daily: number; dailyProvider: number },
  provider: AtsProvider | null,
): 'daily' | 'provider' | null {
  if (user.maxJobApplicationsPerDay !== null && usage.daily >= user.maxJobApplicationsPerDay) return 'daily';
  const cap = provider ? user.maxJobApplicationsPerDayByProvider[provider] : undefined;
  if (cap !== undefined && usage.dailyProvider >= cap) return 'provider';
  return null;
}

/** The few statements the users store needs, in `?` placeholders; each backend runs them its way. */
export interface SqlRunner {
  all<T>(sql: string, params: unknown[]): Promise<T[]>;
  run(sql: string, params: unknown[]): Promise<number>;
  isUniqueViolation(err: unknown): boolean;
}

export interface UserRow {
  id: string;
  operator_id: string;
  external_user_id: string;
  name: string | null;
  email: string | null;
  max_total: number | string;
  max_monthly: number | string;
  status: UserStatus;
  timezone: string | null;
  /** Absent in rows read before the column existed. */
  max_daily?: number | string | null;
  max_daily_by_provider?: string | null;
  created_at: string | Date;
  updated_at: string | Date;
}

interface KeyRow {
  id: string;
  user_id: string;
  name: string | null;
  prefix: string;
  created_at: string | Date;
  revoked_at: string | Date | null;
}

const iso = (v: string | Date) => (v instanceof Date ? v.toISOString() : v);

export function toUser(r: UserRow): UserRecord {
  return {
    id: r.id,
    operatorId: r.operator_id,
    externalUserId: r.external_user_id,
    name: r.name,
    email: r.email,
    maxTotalJobApplications: Number(r.max_total),
    maxJobApplicationsPerMonth: Number(r.max_monthly),
    status: r.status,
    maxJobApplicationsPerDay: r.max_daily === null || r.max_daily === undefined ? null : Number(r.max_daily),
    maxJobApplicationsPerDayByProvider: r.max_daily_by_provider ? (JSON.parse(r.max_daily_by_provider) as DailyCapsByProvider) : {},
    timezone: r.timezone,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

const toKey = (r: KeyRow): UserKeyRecord => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  prefix: r.prefix,
  createdAt: iso(r.created_at),
  revokedAt: r.revoked_at === null ? null : iso(r.revoked_at),
});

export class SqlUsers implements Users {
  constructor(private readonly db: SqlRunner) {}

  async create(operatorId: string, input: NewUser): Promise<UserRecord> {
    const id = `usr_${randomBytes(12).toString('hex')}`;
    const now = new Date().toISOString();
    try {
      await this.db.run(
        `INSERT INTO api_users (id, operator_id, external_user_id, name, email, max_total, max_monthly, status, timezone,
           max_daily, max_daily_by_provider, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          id,
          operatorId,
          input.externalUserId,
          input.name ?? null,
          input.email ?? null,
          input.maxTotalJobApplications ?? DEFAULT_MAX_TOTAL,
          input.maxJobApplicationsPerMonth ?? DEFAULT_MAX_MONTHLY,
          input.status ?? 'active',
          input.timezone ?? null,
          input.maxJobApplicationsPerDay ?? null,
          capsColumn(input.maxJobApplicationsPerDayByProvider),
          now,
          now,
        ],
      );
    } catch (err) {
      if (this.db.isUniqueViolation(err)) throw new UserExistsError(input.externalUserId);
      throw err;
    }
    return (await this.byId(id))!;
  }

  async get(operatorId: string, id: string): Promise<UserRecord | null> {
    const rows = await this.db.all<UserRow>(`SELECT * FROM api_users WHERE id = ? AND operator_id = ?`, [id, operatorId]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async byId(id: string): Promise<UserRecord | null> {
    const rows = await this.db.all<UserRow>(`SELECT * FROM api_users WHERE id = ?`, [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async list(operatorId: string, page: { limit: number; offset: number }): Promise<{ users: UserRecord[]; total: number }> {
    const rows = await this.db.all<UserRow>(`SELECT * FROM api_users WHERE operator_id = ? ORDER BY created_at, id LIMIT ? OFFSET ?`, [
      operatorId,
      page.limit,
      page.offset,
    ]);
    const [{ n }] = await this.db.all<{ n: number | string }>(`SELECT COUNT(*) AS n FROM api_users WHERE operator_id = ?`, [operatorId]);
    return { users: rows.map(toUser), total: Number(n) };
  }

  async idsOf(operatorId: string): Promise<string[]> {
    return (await this.db.all<{ id: string }>(`SELECT id FROM api_users WHERE operator_id = ? ORDER BY id`, [operatorId])).map((r) => r.id);
  }

  async update(operatorId: string, id: string, patch: UserPatch): Promise<UserRecord | null> {
    const cols: [string, unknown][] = [];
    if (patch.name !== undefined) cols.push(['name', patch.name]);
    if (patch.email !== undefined) cols.push(['email', patch.email]);
    if (patch.maxTotalJobApplications !== undefined) cols.push(['max_total', patch.maxTotalJobApplications]);
    if (patch.maxJobApplicationsPerMonth !== undefined) cols.push(['max_monthly', patch.maxJobApplicationsPerMonth]);
    if (patch.status !== undefined) cols.push(['status', patch.status]);
    if (patch.timezone !== undefined) cols.push(['timezone', patch.timezone]);
    if (patch.maxJobApplicationsPerDay !== undefined) cols.push(['max_daily', patch.maxJobApplicationsPerDay]);
    if (patch.maxJobApplicationsPerDayByProvider !== undefined)
      cols.push(['max_daily_by_provider', capsColumn(patch.maxJobApplicationsPerDayByProvider)]);
    cols.push(['updated_at', new Date().toISOString()]);
    const changed = await this.db.run(`UPDATE api_users SET ${cols.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ? AND operator_id = ?`, [
      ...cols.map(([, v]) => v),
      id,
      operatorId,
    ]);
    return changed ? this.byId(id) : null;
  }

  async remove(operatorId: string, id: string): Promise<boolean> {
    const changed = await this.db.run(`DELETE FROM api_users WHERE id = ? AND operator_id = ?`, [id, operatorId]);
    if (changed) await this.db.run(`DELETE FROM api_user_keys WHERE user_id = ?`, [id]);
    return changed > 0;
  }

  async createKey(userId: string, name?: string | null): Promise<{ key: UserKeyRecord; secret: string }> {
    const secret = `afu_${randomBytes(32).toString('base64url')}`;
    const id = `key_${randomBytes(8).toString('hex')}`;
    await this.db.run(`INSERT INTO api_user_keys (id, user_id, digest, prefix, name, created_at) VALUES (?, ?, ?, ?, ?, ?)`, [
      id,
      userId,
      keyDigest(secret),
      secret.slice(0, 10),
      name ?? null,
      new Date().toISOString(),
    ]);
    const [row] = await this.db.all<KeyRow>(`SELECT * FROM api_user_keys WHERE id = ?`, [id]);
    return { key: toKey(row), secret };
  }

  async listKeys(userId: string): Promise<UserKeyRecord[]> {
    return (await this.db.all<KeyRow>(`SELECT * FROM api_user_keys WHERE user_id = ? ORDER BY created_at, id`, [userId])).map(toKey);
  }

  async revokeKey(userId: string, keyId: string): Promise<boolean> {
    const changed = await this.db.run(`UPDATE api_user_keys SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`, [
      new Date().toISOString(),
      keyId,
      userId,
    ]);
    if (changed) return true;
    // Revoking twice is not an error; only a key that is not the user's is.
    return (await this.db.all(`SELECT 1 FROM api_user_keys WHERE id = ? AND user_id = ?`, [keyId, userId])).length > 0;
  }

  async authenticate(secret: string): Promise<{ user: UserRecord; key: UserKeyRecord } | null> {
    const [k] = await this.db.all<KeyRow>(`SELECT * FROM api_user_keys WHERE digest = ? AND revoked_at IS NULL`, [keyDigest(secret)]);
    if (!k) return null;
    const user = await this.byId(k.user_id);
    return user ? { user, key: toKey(k) } : null;
  }

  async usage(userId: string, now = new Date()): Promise<UserUsage> {
    const user = await this.byId(userId);
    const month = monthOf(now, user?.timezone ?? null);
    const day = dayOf(now, user?.timezone ?? null);
    const [r] = await this.db.all<{ total: number | string; monthly: number | string | null; daily: number | string | null }>(
      `SELECT COUNT(*) AS total, SUM(CASE WHEN month = ? THEN 1 ELSE 0 END) AS monthly, SUM(CASE WHEN day = ? THEN 1 ELSE 0 END) AS daily
       FROM application_reservations WHERE user_id = ?`,
      [month, day, userId],
    );
    const byProvider = await this.db.all<{ provider: string; n: number | string }>(
      `SELECT provider, COUNT(*) AS n FROM application_reservations WHERE user_id = ? AND day = ? AND provider IS NOT NULL GROUP BY provider`,
      [userId, day],
    );
    return {
      total: Number(r.total),
      monthly: Number(r.monthly ?? 0),
      month,
      daily: Number(r.daily ?? 0),
      dailyByProvider: Object.fromEntries(byProvider.map((p) => [p.provider, Number(p.n)])),
      day,
    };
  }
}

/** The users store on the job store's own connection (the same SQLite handle or PostgreSQL pool). */
export async function usersFor(store: JobStore): Promise<Users> {
  if (store.kind === 'postgres') {
    const [{ PostgresJobStore }, { openPostgresUsers }] = await Promise.all([import('./postgres'), import('./usersPostgres')]);
    if (!(store instanceof PostgresJobStore)) throw new TypeError('a postgres job store without its pool');
    return openPostgresUsers(store.pool);
  }
  const [{ SqliteJobStore }, { sqliteUsers }] = await Promise.all([import('./sqlite'), import('./usersSqlite')]);
  if (!(store instanceof SqliteJobStore)) throw new TypeError('a sqlite job store without its handle');
  return sqliteUsers(store.db);
}

/** The error a ledger row refused by a limit carries: the row is FAILED, nothing was sent upstream. */
export const LIMIT_REACHED = 'limit_reached';

export const limitReachedError = (which: 'total' | 'monthly', user: UserRecord, month: string) =>
  which === 'total'
    ? `${LIMIT_REACHED}: user ${user.id} has used its total of ${user.maxTotalJobApplications} applications`
    : `${LIMIT_REACHED}: user ${user.id} has used its ${user.maxJobApplicationsPerMonth} applications for ${month}`;

/** Statements of a reservation, in `?` placeholders (PostgreSQL numbers them); run inside the claim's transaction. */
export const RESERVATION_SQL = {
  owner: `SELECT user_id FROM profile_owners WHERE profile_id = ?`,
  held: `SELECT 1 AS held FROM application_reservations WHERE profile_id = ? AND job_id = ?`,
  /** Parameters: month, day, day, provider, user. */
  counts: `SELECT COUNT(*) AS total, SUM(CASE WHEN month = ? THEN 1 ELSE 0 END) AS monthly,
    SUM(CASE WHEN day = ? THEN 1 ELSE 0 END) AS daily, SUM(CASE WHEN day = ? AND provider = ? THEN 1 ELSE 0 END) AS daily_provider
    FROM application_reservations WHERE user_id = ?`,
  insert: `INSERT INTO application_reservations (profile_id, job_id, user_id, month, reserved_at, day, provider) VALUES (?, ?, ?, ?, ?, ?, ?)`,
};

export interface ReservationCounts {
  total: number | string;
  monthly: number | string | null;
  daily: number | string | null;
  daily_provider: number | string | null;
}

/** The claim's answer from the profile owner's limits: reserved (or nothing to reserve), refused, or paced. */
export type Reservation = { kind: 'reserved' } | { kind: 'refused'; error: string } | { kind: 'paced'; until: string };

/**
 * The reservation's decision, both backends alike: `counts` are the user's reservations so far (RESERVATION_SQL.counts
 * at `at`), `pacing` whether the caller waits for a daily window (else daily caps are not asked).
 */
export function reservationDecision(
  user: UserRecord,
  counts: ReservationCounts,
  at: Date,
  pacing: boolean,
  provider: AtsProvider | null,
): Reservation {
  const month = monthOf(at, user.timezone);
  const which = limitReached(user, { total: Number(counts.total), monthly: Number(counts.monthly ?? 0) });
  if (which) return { kind: 'refused', error: limitReachedError(which, user, month) };
  if (pacing && dailyCapReached(user, { daily: Number(counts.daily ?? 0), dailyProvider: Number(counts.daily_provider ?? 0) }, provider))
    return { kind: 'paced', until: nextDayStart(at, user.timezone).toISOString() };
  return { kind: 'reserved' };
}

/** The parameters of RESERVATION_SQL.counts and .insert for a claim at `at`. */
export function reservationParams(user: UserRecord, req: { profileId: string; jobId: string; jobUrl: string }, at: Date) {
  const month = monthOf(at, user.timezone);
  const day = dayOf(at, user.timezone);
  const provider = atsProviderOfUrl(req.jobUrl);
  return {
    provider,
    counts: [month, day, day, provider, user.id],
    insert: [req.profileId, req.jobId, user.id, month, at.toISOString(), day, provider],
  };
}

const capsColumn = (caps: DailyCapsByProvider | undefined) => (caps && Object.keys(caps).length ? JSON.stringify(caps) : null);
