/**
 * The applyflow HTTP API (fastify): reference 002's sessions and applications, and interactive sessions
 * in the Jobo documents' shapes, over the workflows. `buildApi(deps)` makes the app from its clients (tests
 * hand in theirs); `startApi(config)` connects them from configuration and listens.
 *
 * Request order: failed-authentication limit per client address (429) → auth (401) → rate limit per API user (429) → schema validation (400) → handler.
 * Authentication runs first so limits are per key and an unauthenticated caller learns nothing about the
 * schemas.
 */
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { version } from '../../package.json';
import type { ApiKey, Config } from '../config';
import { InteractiveSessionClient } from '../interactiveSession/client';
import { JoboClient } from '../jobo/client';
import { lazyStore } from '../store';
import { ledgerFor, type ApplicationsLedger } from '../store/ledger';
import { profileOwnersFor, type ProfileOwners } from '../store/profileOwners';
import { lazyRememberedAnswers, type RememberedAnswers } from '../store/rememberedAnswers';
import { analyticsFor, type Analytics } from '../store/analytics';
import { searchesFor, type JobSearches } from '../store/searches';
import type { JobStore } from '../store/types';
import { usersFor, type Users } from '../store/users';
import { connectClient } from '../temporal';
import { registerApplicationRoutes } from './application';
import { ApiKeys, AuthFailures, type AuthFailureLimit } from './auth';
import { registerCampaignRoutes } from './campaign';
import type { ApiContext, ZodApp } from './context';
import { installErrorHandler, validatorCompiler, type ApiError } from './errors';
import { registerInteractiveSessionRoutes } from './interactiveSession';
import { registerInboxRoutes } from './inbox';
import { registerInboxPage } from './inboxPage';
import { ConcurrentRequests, setLimitHeaders, userLimitHeaders } from './limits';
import { ProfileAccess, registerProfileRoutes, type ProfileUpstream } from './profile';
import { registerJobRoutes } from './job';
import { registerUsageRoutes } from './usage';
import { registerUserRoutes } from './user';
import { VisibilityReads } from './visibility';
import { registerWebhookRoutes } from './webhook';
import { webhooksFor, type Webhooks } from '../store/webhooks';
import { secretBoxFor } from '../notification/secrets';

export const OPENAPI_PATH = '/api/v1/openapi.json';

export interface ApiDeps {
  client: Client;
  /** The Jobo profiles API: the profile routes proxy it, and profiles are checked upstream before anything starts. */
  jobo: ProfileUpstream;
  /** Who owns which profile (the job store's database); campaigns and sessions use only the caller's. */
  profileOwners: () => Promise<ProfileOwners>;
  /** The profiles' remembered answers (the same database; values sealed with the codec keys); absent: those routes answer 503. */
  rememberedAnswers?: () => Promise<RememberedAnswers>;
  taskQueue: string;
  keys: ApiKey[];
  rateLimit: { max: number; windowSeconds: number };
  /** Failed authentications per client address (default 20 a minute). */
  authFailureLimit?: AuthFailureLimit;
  sessionIdleTimeoutMinutes?: number;
  ledger?: () => Promise<ApplicationsLedger>;
  /** API users and their keys (the job store's database); absent: only APPLYFLOW_API_KEYS operators exist. */
  users?: () => Promise<Users>;
  /** Usage and analytics over the ledger (the same database). */
  analytics?: () => Promise<Analytics>;
  /** The job store, for POST /jobs/search and its search records (the same database). */
  jobStore?: () => Promise<JobStore>;
  /** Campaign webhooks (the same database; secrets sealed with the codec keys); absent: those routes answer 503. */
  webhooks?: () => Promise<Webhooks>;
  /** Requests in flight at once per API key (default 10). */
  concurrentRequestLimit?: number;
  /** How long POST /interactive-sessions waits for the first page (default 20 s). */
  interactiveWaitMs?: number;
  logger?: FastifyServerOptions['logger'];
}

export async function buildApi(deps: ApiDeps): Promise<ZodApp> {
  const app = Fastify({
    logger: deps.logger ?? false,
    // Inline file answers (up to 1 MiB, base64) fit; anything larger is a 413.
    bodyLimit: 2 * 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  const keys = new ApiKeys(deps.keys);
  const failures = new AuthFailures(deps.authFailureLimit);
  const concurrent = new ConcurrentRequests(deps.concurrentRequestLimit);
  app.decorateRequest('apiUser', null);
  app.decorateRequest('limitHeaders', null);
  app.decorateRequest('concurrencySlot', null);
  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.config.public) return;
    failures.check(req.ip);
    try {
      req.apiUser = await keys.authenticate(req.headers.authorization, deps.users);
    } catch (err) {
      // Only a presented credential is a guess; a forgotten header is not counted.
      if (req.headers.authorization && (err as ApiError).statusCode === 401) failures.failed(req.ip);
      throw err;
    }
    concurrent.enter(req, req.apiUser);
    if (deps.users) req.limitHeaders = await userLimitHeaders(await deps.users(), req.apiUser);
  });
  app.addHook('onSend', async (req, reply) => setLimitHeaders(req, reply, concurrent));
  app.addHook('onResponse', async (req) => concurrent.leave(req));
  // A request whose client went away before the answer still gives its slot back.
  app.addHook('onRequestAbort', async (req) => concurrent.leave(req));

  await app.register(fastifyRateLimit, {
    max: deps.rateLimit.max,
    timeWindow: deps.rateLimit.windowSeconds * 1000,
    // Per API user; before authentication (public routes) per client address.
    keyGenerator: (req) => (req.apiUser ? `user:${req.apiUser.userId}` : `ip:${req.ip}`),
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'applyflow API',
        version,
        description: 'Campaigns (reference 002 sessions), applications and interactive sessions over durable Temporal workflows.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  let searches: Promise<JobSearches> | undefined;
  const ctx: ApiContext = {
    client: deps.client,
    taskQueue: deps.taskQueue,
    profiles: new ProfileAccess(deps.jobo, deps.profileOwners, deps.rememberedAnswers),
    sessions: new InteractiveSessionClient(deps.client, {
      taskQueue: deps.taskQueue,
      defaultIdleTimeoutMinutes: deps.sessionIdleTimeoutMinutes,
    }),
    ledger: deps.ledger,
    users: deps.users,
    analytics: deps.analytics,
    jobStore: deps.jobStore,
    searches: deps.jobStore ? () => (searches ??= deps.jobStore!().then(searchesFor)) : undefined,
    visibility: new VisibilityReads(deps.client),
    interactiveWaitMs: deps.interactiveWaitMs ?? 20_000,
  };
  registerCampaignRoutes(app, ctx);
  registerApplicationRoutes(app, ctx);
  registerInteractiveSessionRoutes(app, ctx);
  registerProfileRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerUsageRoutes(app, ctx);
  registerJobRoutes(app, ctx);
  registerInboxRoutes(app, ctx);
  registerInboxPage(app, ctx, { authenticate: (key) => keys.authenticate(`Bearer ${key}`, deps.users), failures });
  registerWebhookRoutes(app, ctx, deps.webhooks);
  app.get(OPENAPI_PATH, { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  app.get('/api/v1/health', { config: { public: true }, schema: { hide: true } }, async () => ({ ok: true }));
  await app.ready();
  return app;
}

export interface RunningApi {
  url: string;
  app: ZodApp;
  close(): Promise<void>;
}

/**
 * Builds the API from configuration and listens on API_HOST:API_PORT. `client` reuses a connection (the
 * main job's); otherwise one is opened and closed with the server.
 */
export async function startApi(config: Config, opts: { client?: Client; keys?: ApiKey[]; port?: number } = {}): Promise<RunningApi> {
  const client = opts.client ?? (await connectClient(config));
  const lazy = lazyStore(config);
  // The API's own upstream calls (profiles, users) share the workers' limit through the store.
  const jobo = JoboClient.fromConfig(config, { store: () => store() });
  let usedStore = false;
  const store = () => ((usedStore = true), lazy());
  let ledger: Promise<ApplicationsLedger> | undefined;
  let owners: Promise<ProfileOwners> | undefined;
  let users: Promise<Users> | undefined;
  let analytics: Promise<Analytics> | undefined;
  let webhooks: Promise<Webhooks> | undefined;
  const openLedger = () => (ledger ??= store().then(ledgerFor));
  const app = await buildApi({
    client,
    jobo,
    taskQueue: config.temporal.taskQueue,
    keys: opts.keys ?? config.api.keys,
    rateLimit: config.api.rateLimit,
    concurrentRequestLimit: config.api.concurrentRequestLimit,
    sessionIdleTimeoutMinutes: config.sessionIdleTimeoutMinutes,
    ledger: openLedger,
    profileOwners: () => (owners ??= store().then(profileOwnersFor)),
    rememberedAnswers: lazyRememberedAnswers(store, { codecKeys: config.codecKeys }),
    users: () => (users ??= store().then(usersFor)),
    // After the ledger: the analytics read its tables.
    analytics: () => (analytics ??= openLedger().then(async () => analyticsFor(await store()))),
    jobStore: store,
    webhooks: () => (webhooks ??= store().then((s) => webhooksFor(s, secretBoxFor(config.codecKeys)))),
    logger: { level: config.logLevel === 'TRACE' || config.logLevel === 'DEBUG' ? 'debug' : 'warn' },
  });
  try {
    await app.listen({ host: config.api.host, port: opts.port ?? config.api.port });
  } catch (err) {
    await app.close();
    await jobo.close();
    if (!opts.client) await client.connection.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.api.port;
  const host = config.api.host.includes(':') ? `[${config.api.host}]` : config.api.host;
  return {
    url: `http://${host}:${port}`,
    app,
    async close() {
      await app.close();
      await jobo.close();
      if (ledger || owners || users || analytics || usedStore) await (await store()).close();
      if (!opts.client) await client.connection.close();
    },
  };
}
