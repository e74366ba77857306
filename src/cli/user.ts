/**
 * `applyflow user …`: an operator's API users and their keys, on the app database directly (the same rows
 * the API's /api/v1/users routes use). `--operator` names the APPLYFLOW_API_KEYS user id that owns them: an
 * operator sees only its own users, here as over HTTP. A new key's secret is printed once.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { openStore } from '../store';
import { ledgerFor } from '../store/ledger';
import {
  dailyCapsProblems,
  isTimezone,
  USER_STATUSES,
  UserExistsError,
  usersFor,
  type NewUser,
  type UserPatch,
  type UserRecord,
  type Users,
} from '../store/users';

const API_USER_ID = /^[A-Za-z0-9_.-]{1,64}$/;

async function withUsers<T>(fn: (users: Users) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig());
  try {
    await ledgerFor(store); // usage reads the reservations the ledger's claim writes
    return await fn(await usersFor(store));
  } finally {
    await store.close();
  }
}

interface UserOptions {
  operator: string;
  externalId?: string;
  name?: string;
  email?: string;
  maxTotal?: string;
  maxMonthly?: string;
  status?: string;
  timezone?: string;
  maxDaily?: string;
  maxDailyByProvider?: string;
  json?: boolean;
}

/** `workday=30,greenhouse=10` (or `none`) as per-provider daily caps; bad parts are named. */
function capsOf(v: string, problems: string[]): UserPatch['maxJobApplicationsPerDayByProvider'] {
  if (v === 'none' || v === '') return {};
  const caps: Record<string, number> = {};
  for (const part of v.split(',')) {
    const [k, n, ...rest] = part.split('=').map((x) => x.trim());
    if (!k || n === undefined || rest.length || !/^\d+$/.test(n)) {
      problems.push(`--max-daily-by-provider: expected provider=n[,provider=n…], got "${part}"`);
      continue;
    }
    caps[k] = Number(n);
  }
  for (const p of dailyCapsProblems(caps)) problems.push(`--max-daily-by-provider: ${p.field.split('.').pop()}: ${p.message}`);
  return caps;
}

/** The options as a user's fields, each bad one named by its option. */
function fieldsOf(o: UserOptions): UserPatch {
  const problems: string[] = [];
  if (!API_USER_ID.test(o.operator)) problems.push('--operator: must be an APPLYFLOW_API_KEYS user id ([A-Za-z0-9_.-]{1,64})');
  const int = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) problems.push(`${name}: expected a whole number >= 0`);
    return n;
  };
  const out: UserPatch = {
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.email !== undefined ? { email: o.email } : {}),
    ...(o.maxTotal !== undefined ? { maxTotalJobApplications: int('--max-total', o.maxTotal) } : {}),
    ...(o.maxMonthly !== undefined ? { maxJobApplicationsPerMonth: int('--max-monthly', o.maxMonthly) } : {}),
    ...(o.timezone !== undefined ? { timezone: o.timezone } : {}),
    ...(o.maxDaily !== undefined ? { maxJobApplicationsPerDay: o.maxDaily === 'none' ? null : int('--max-daily', o.maxDaily) } : {}),
    ...(o.maxDailyByProvider !== undefined ? { maxJobApplicationsPerDayByProvider: capsOf(o.maxDailyByProvider, problems) } : {}),
  };
  if (o.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(o.email)) problems.push('--email: not an email address');
  if (o.timezone !== undefined && !isTimezone(o.timezone)) problems.push('--timezone: not an IANA timezone');
  if (o.status !== undefined) {
    if (!USER_STATUSES.includes(o.status as never)) problems.push(`--status: expected ${USER_STATUSES.join(' or ')}`);
    else out.status = o.status as UserRecord['status'];
  }
  if (problems.length) throw new Error(`invalid options: ${problems.join('; ')}`);
  return out;
}

/** The daily caps as one phrase (empty when none). */
const pacing = (u: UserRecord) => {
  const caps = [
    ...(u.maxJobApplicationsPerDay !== null ? [`${u.maxJobApplicationsPerDay}/day`] : []),
    ...Object.entries(u.maxJobApplicationsPerDayByProvider).map(([p, n]) => `${p} ${n}/day`),
  ];
  return caps.length ? `, ${caps.join(', ')}` : '';
};

const show = (u: UserRecord, json?: boolean) =>
  console.log(
    json
      ? JSON.stringify(u, null, 2)
      : `${u.id}  ${u.externalUserId}  ${u.status}  limits ${u.maxTotalJobApplications} total, ${u.maxJobApplicationsPerMonth}/month${pacing(u)} (${u.timezone ?? 'UTC'})${u.name ? `  ${u.name}` : ''}${u.email ? ` <${u.email}>` : ''}`,
  );

async function mine(users: Users, operator: string, id: string): Promise<UserRecord> {
  const u = await users.get(operator, id);
  if (!u) throw new Error(`user ${id} not found for operator ${operator}`);
  return u;
}

export function register(program: Command): void {
  const user = program.command('user').description("API users with application limits, and their API keys (an operator's)");
  const common = (c: Command) =>
    c.requiredOption('--operator <userId>', 'the APPLYFLOW_API_KEYS user id that owns the users').option('--json', 'print JSON');
  const fields = (c: Command) =>
    c
      .option('--name <name>')
      .option('--email <email>')
      .option('--max-total <n>', 'lifetime applications (default 1000)')
      .option('--max-monthly <n>', 'applications per month (default 100)')
      .option('--status <status>', 'active or inactive')
      .option('--timezone <tz>', 'IANA timezone the month and the day follow (default UTC)')
      .option('--max-daily <n>', 'applications per day; past it they wait for the next day (none: no cap)')
      .option('--max-daily-by-provider <caps>', 'per ATS provider per day, e.g. workday=30,greenhouse=10 (none: no caps)');

  fields(common(user.command('create').description('create a user').requiredOption('--external-id <id>', 'your id for the user'))).action(
    (o: UserOptions) =>
      withUsers(async (users) => {
        const input: NewUser = { externalUserId: o.externalId!, ...fieldsOf(o) };
        try {
          show(await users.create(o.operator, input), o.json);
        } catch (err) {
          if (err instanceof UserExistsError) throw new Error(err.message);
          throw err;
        }
      }),
  );
  common(user.command('list').description("the operator's users")).action((o: UserOptions) =>
    withUsers(async (users) => {
      fieldsOf(o);
      const { users: list } = await users.list(o.operator, { limit: 1000, offset: 0 });
      if (o.json) console.log(JSON.stringify(list, null, 2));
      else for (const u of list) show(u);
    }),
  );
  common(user.command('get <userId>').description('one user, with its limits used and left')).action((id: string, o: UserOptions) =>
    withUsers(async (users) => {
      fieldsOf(o);
      const u = await mine(users, o.operator, id);
      const used = await users.usage(u.id);
      if (o.json) console.log(JSON.stringify({ ...u, usage: used }, null, 2));
      else {
        show(u);
        console.log(
          `  used: ${used.total} of ${u.maxTotalJobApplications} total, ${used.monthly} of ${u.maxJobApplicationsPerMonth} in ${used.month}, ${used.daily} on ${used.day}`,
        );
      }
    }),
  );
  fields(common(user.command('update <userId>').description('change name, email, limits, status or timezone'))).action(
    (id: string, o: UserOptions) =>
      withUsers(async (users) => {
        const u = await users.update(o.operator, id, fieldsOf(o));
        if (!u) throw new Error(`user ${id} not found for operator ${o.operator}`);
        show(u, o.json);
      }),
  );
  common(user.command('delete <userId>').description('delete a user and its keys (its applications stay in the ledger)')).action(
    (id: string, o: UserOptions) =>
      withUsers(async (users) => {
        fieldsOf(o);
        if (!(await users.remove(o.operator, id))) throw new Error(`user ${id} not found for operator ${o.operator}`);
        console.log(`user ${id} deleted`);
      }),
  );

  const key = user.command('key').description("a user's API keys");
  common(
    key.command('create <userId>').description('make a key; its secret is printed once').option('--label <name>', 'a name for the key'),
  ).action((id: string, o: UserOptions & { label?: string }) =>
    withUsers(async (users) => {
      fieldsOf(o);
      const u = await mine(users, o.operator, id);
      const { key: k, secret } = await users.createKey(u.id, o.label ?? null);
      if (o.json) console.log(JSON.stringify({ ...k, secret }, null, 2));
      else console.log(`key ${k.id} for ${u.id}: ${secret}\n(shown once: it is stored hashed)`);
    }),
  );
  common(key.command('list <userId>').description("the user's keys (never their secrets)")).action((id: string, o: UserOptions) =>
    withUsers(async (users) => {
      fieldsOf(o);
      const keys = await users.listKeys((await mine(users, o.operator, id)).id);
      if (o.json) console.log(JSON.stringify(keys, null, 2));
      else
        for (const k of keys)
          console.log(`${k.id}  ${k.prefix}…  ${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}${k.name ? `  ${k.name}` : ''}`);
    }),
  );
  common(key.command('revoke <userId> <keyId>').description('revoke a key (the next request with it is a 401)')).action(
    (id: string, keyId: string, o: UserOptions) =>
      withUsers(async (users) => {
        fieldsOf(o);
        if (!(await users.revokeKey((await mine(users, o.operator, id)).id, keyId)))
          throw new Error(`key ${keyId} not found for user ${id}`);
        console.log(`key ${keyId} revoked`);
      }),
  );
}
