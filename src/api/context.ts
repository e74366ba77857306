// What every route module gets: the typed app and the clients the routes drive.
import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { InteractiveSessionClient } from '../interactiveSession/client';
import type { ApplicationsLedger } from '../store/ledger';
import type { Users } from '../store/users';
import type { Analytics } from '../store/analytics';
import type { JobSearches } from '../store/searches';
import type { JobStore } from '../store/types';
import type { ApiUser } from './auth';
import { ErrorResponse } from './schemas';
import type { ProfileAccess } from './profile';
import type { VisibilityReads } from './visibility';

export type ZodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface ApiContext {
  client: Client;
  taskQueue: string;
  /** Ownership (the store) and the Jobo profiles behind it. */
  profiles: ProfileAccess;
  sessions: InteractiveSessionClient;
  /** The applications ledger (GET /applications without sessionId, and attempts); absent: those answer from campaigns only. */
  ledger?: () => Promise<ApplicationsLedger>;
  /** API users and their keys; absent: the user routes answer 503. */
  users?: () => Promise<Users>;
  /** Usage and analytics over the ledger; absent: those routes answer 503. */
  analytics?: () => Promise<Analytics>;
  /** The job store (POST /jobs/search) and its search records; absent: 503. */
  jobStore?: () => Promise<JobStore>;
  searches?: () => Promise<JobSearches>;
  /** Coalesced visibility reads (lists and counts). */
  visibility: VisibilityReads;
  /** How long POST /interactive-sessions waits for the first page before answering with `starting`. */
  interactiveWaitMs: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    apiUser: ApiUser | null;
  }
  interface FastifyContextConfig {
    /** No API key needed (the OpenAPI document, health). */
    public?: boolean;
  }
}

/** The error responses every authenticated route documents. */
export const ERRORS = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  429: ErrorResponse,
} as const;

export const userOf = (req: { apiUser: ApiUser | null }): string => req.apiUser?.userId ?? 'anonymous';
