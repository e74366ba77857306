/**
 * Activities of the `application` workflow: the ledger (check and status writes), the upstream session
 * calls (the interactive session's own, wrapped with heartbeats so a killed worker is noticed in seconds,
 * not after the 45 s start-to-close timeout), and answering a page from the profile with the answer engine.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { type Unanswered } from '../answers';
import { answerFieldsRemembering, rememberedKey, type RememberedUse } from '../answers/remembered';
import type { RememberedAnswers } from '../store/rememberedAnswers';
import { AnswerFileMissingError, resolveAnswerFiles } from './answerFiles';
import { isStoredFile, type CallerAnswer } from './input';
import { ApplicationFailureType } from './messages';
import type { JoboClient } from '../jobo/client';
import type { AnswerValue, FormField, LiveSessionState, SessionMetadata } from '../jobo/schemas';
import { ledgerFor, type ApplicationsLedger, type ApplicationAttempt, type Claim, type LedgerRow, type LedgerWrite } from '../store/ledger';
import { type ApplicationStatus } from '../shared/applicationStatus';
import type { JobStore } from '../store/types';
import { createInteractiveSessionActivities, type StartSessionRequest, type SubmitAnswersRequest } from '../interactiveSession/activities';

export interface ApplicationActivityDeps {
  jobo: Pick<JoboClient, 'createSession' | 'submitAnswers' | 'getSession' | 'endSession' | 'getProfile'>;
  store: () => Promise<JobStore>;
  /** Default: the ledger on the job store's own database. */
  ledger?: () => Promise<ApplicationsLedger>;
  /** The profiles' remembered answers; absent: none are used. */
  rememberedAnswers?: () => Promise<RememberedAnswers>;
}

/** A ledger write from the workflow; the run id is taken from the activity's own context. */
export type LedgerUpdate = Omit<LedgerWrite, 'runId'>;

/** What a workflow needs of a ledger row: small, no PII (the row's URL and times stay in the ledger). */
export interface LedgerSummary {
  status: ApplicationStatus;
  workflowId: string;
  error: string | null;
  confirmationUrl: string | null;
  provider: string | null;
  attempts: ApplicationAttempt[];
  awaitingUntil: string | null;
}

/** The claim's answer as the workflow gets it: `paced` (ours) carries the next day window's start. */
export type ClaimAnswer =
  { kind: Exclude<Claim['kind'], 'paced'>; row: LedgerSummary } | { kind: 'paced'; row: LedgerSummary; until: string };

export function summaryOf(row: LedgerRow): LedgerSummary {
  const { status, workflowId, error, confirmationUrl, provider, attempts, awaitingUntil } = row;
  return { status, workflowId, error, confirmationUrl, provider, attempts, awaitingUntil };
}

export interface AnswerPageRequest {
  profileId: string;
  jobUrl: string;
  jobId?: string;
  /** Answers email fields with this address instead of the profile's (a campaign's overrideEmail). */
  overrideEmail?: string;
  /** The caller's word on the job, used where the store does not know it. */
  job?: { title?: string; companyName?: string };
  fields: FormField[];
}

export interface AnswerPageResult {
  answers: Record<string, AnswerValue>;
  /** Required fields the profile could not answer, with the reason. */
  missing: Unanswered[];
  /** Fields answered from the profile's remembered answers (reason "remembered answer"); keys only, no values. */
  remembered?: RememberedUse[];
}

// The failure types are named once, in the contract (the workflow's retry policies name the same).
export const { ProfileNotReady, ProfileImporting, NotInWorkflow, AnswerFileMissing } = ApplicationFailureType;

export const HEARTBEAT_INTERVAL_MS = 2_000;

/** Heartbeats while `fn` runs: with a short heartbeatTimeout a dead worker's attempt is retried quickly. */
async function heartbeating<T>(fn: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_INTERVAL_MS);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

function once<T>(open: () => Promise<T>): () => Promise<T> {
  let opening: Promise<T> | undefined;
  return () =>
    (opening ??= open().catch((err: unknown) => {
      opening = undefined;
      throw err;
    }));
}

export function createApplicationActivities(deps: ApplicationActivityDeps) {
  const session = createInteractiveSessionActivities(deps);
  const ledger = deps.ledger ?? once(async () => ledgerFor(await deps.store()));
  const runId = () => {
    const run = Context.current().info.workflowExecution;
    if (!run) throw ApplicationFailure.nonRetryable('the ledger is written from an application workflow only', NotInWorkflow);
    return run.runId;
  };

  return {
    /**
     * The claim before anything goes upstream: this run owns the (profile, job key) row, or learns who does
     * (a SUCCESS already recorded, another workflow applying, an unconfirmed submit to settle first).
     */
    async claimApplication(
      update: LedgerUpdate & { retryOf?: string | null; enforceLimits?: boolean; pacing?: boolean; at?: string },
    ): Promise<ClaimAnswer> {
      const claim = await (await ledger()).claim({ ...update, runId: runId() });
      if (claim.kind === 'paced') return { kind: 'paced', row: summaryOf(claim.row), until: claim.until };
      return { kind: claim.kind, row: summaryOf(claim.row) };
    },

    /** The row of an application another workflow owns (what an attached start reports). */
    async applicationLedgerRow(req: { profileId: string; jobKey: string }): Promise<LedgerSummary | null> {
      const row = await (await ledger()).get(req.profileId, req.jobKey);
      return row && summaryOf(row);
    },

    /** Runs started before job keys: a SUCCESS by another run is returned as is, else this run takes the row. */
    async openApplication(update: LedgerUpdate): Promise<{ prior: LedgerRow | null }> {
      const claim = await (await ledger()).claim({ ...update, runId: runId() });
      return { prior: claim.kind === 'succeeded' && claim.row.runId !== runId() ? claim.row : null };
    },

    async recordApplication(update: LedgerUpdate): Promise<void> {
      await (await ledger()).record({ ...update, runId: runId() });
    },

    async applicationStartSession(req: StartSessionRequest): Promise<LiveSessionState> {
      return heartbeating(() => session.startSession(req));
    },

    /** Stored file answers are read back here, at the last moment: their bytes never enter history. */
    async applicationSubmitPage(
      req: Omit<SubmitAnswersRequest, 'answers'> & { answers: Record<string, CallerAnswer> },
    ): Promise<LiveSessionState> {
      const hasStored = Object.values(req.answers).some(isStoredFile);
      let answers: SubmitAnswersRequest['answers'];
      try {
        answers = hasStored ? await resolveAnswerFiles(await ledger(), req.answers) : (req.answers as SubmitAnswersRequest['answers']);
      } catch (err) {
        if (err instanceof AnswerFileMissingError) throw ApplicationFailure.nonRetryable(err.message, AnswerFileMissing);
        throw err;
      }
      return heartbeating(() => session.submitAnswers({ ...req, answers }));
    },

    async applicationGetSession(req: { sessionId: string }): Promise<SessionMetadata> {
      return heartbeating(() => session.getSession(req));
    },

    async applicationEndSession(req: { sessionId: string }): Promise<void> {
      return heartbeating(() => session.endSession(req));
    },

    /** Loads the profile (PII stays in this activity) and returns only the page's answers. */
    async answerApplicationPage(req: AnswerPageRequest): Promise<AnswerPageResult> {
      return heartbeating(async () => {
        const profile = await deps.jobo.getProfile(req.profileId);
        if (profile.status === 'importing') {
          throw ApplicationFailure.retryable(`profile ${req.profileId} is still importing its resume`, ProfileImporting);
        }
        if (profile.status === 'import_failed') {
          throw ApplicationFailure.nonRetryable(
            `profile ${req.profileId} is not usable: its resume import failed (${profile.import_error ?? 'no reason given'})`,
            ProfileNotReady,
          );
        }
        // The caller's jobId may be its own label: the store knows the job only by the Jobo id.
        const stored = req.jobId ? await (await deps.store()).getJob(req.jobId) : null;
        const as =
          req.overrideEmail && profile.contact ? { ...profile, contact: { ...profile.contact, email: req.overrideEmail } } : profile;
        // Remembered answers fill what the profile leaves; the workflow puts a person's and the caller's answers first.
        const asked = req.fields
          .filter((f) => f.required)
          .map((f) => rememberedKey(f.label, f.type))
          .filter((k): k is string => k !== null);
        const remembered = deps.rememberedAnswers ? await (await deps.rememberedAnswers()).usable(req.profileId, asked) : [];
        const result = answerFieldsRemembering(
          as,
          req.fields,
          {
            today: new Date().toISOString().slice(0, 10),
            job: {
              url: req.jobUrl,
              title: stored?.job.title ?? req.job?.title,
              companyName: stored?.job.company.name ?? req.job?.companyName,
            },
          },
          remembered,
        );
        return {
          answers: result.answers,
          missing: result.unanswered.filter((u) => u.required),
          ...(result.remembered.length > 0 ? { remembered: result.remembered } : {}),
        };
      });
    },
  };
}

export type ApplicationActivities = ReturnType<typeof createApplicationActivities>;
