/**
 * The typed way to create and follow campaigns (reference 002's sessions API over Temporal): create the
 * three types, get, list by status and type with pagination (visibility, by search attributes), pause,
 * resume, stop, runs and applications. Bad input throws InvalidCampaignInputError and starts nothing.
 */
import { InvalidInputError } from '../shared/input';
import { describeFailure } from '../shared/failures';
import { randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionInfo,
  type WorkflowHandle,
} from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { SA } from '../searchAttributes';
import { campaign } from './workflow';
import {
  applicationsQuery,
  campaignQuery,
  pauseSignal,
  resumeSignal,
  runsQuery,
  setPolicyUpdate,
  stopSignal,
  webhooksSignal,
  type SetPolicyRequest,
} from './messages';
import { policyProblems } from './runner';
import {
  CAMPAIGN_MEMO_KEY,
  CAMPAIGN_STATUSES,
  CAMPAIGN_TYPES,
  campaignIdProblem,
  campaignWorkflowId,
  searchContextOf,
  USER_ID,
  validateCampaignInput,
  type CampaignApplication,
  type CampaignInput,
  type CampaignMemo,
  type CampaignRun,
  type CampaignStatus,
  type CampaignType,
  type CampaignView,
  type InputProblem,
  type RunStatus,
  type SearchContext,
} from './input';
import type { ApplicationStatus } from '../application/input';

export class InvalidCampaignInputError extends InvalidInputError {
  constructor(problems: InputProblem[]) {
    super('campaign', problems);
  }
}

export class CampaignExistsError extends Error {
  constructor(readonly campaignId: string) {
    super(`campaign ${campaignId} already exists (campaign ids are never reused)`);
    this.name = 'CampaignExistsError';
  }
}

/** What a caller gives: the input without the type (chosen by the function) and with an optional id. */
export type NewCampaign = Omit<CampaignInput, 'type' | 'campaignId' | 'carried'> & { campaignId?: string };

export interface CreatedCampaign {
  campaignId: string;
  workflowId: string;
  handle: WorkflowHandle<typeof campaign>;
}

export async function createCampaign(
  client: Client,
  type: CampaignType,
  req: NewCampaign,
  opts: {
    taskQueue: string;
    /** For lists without querying the campaign (the API knows it from its profile check). */ candidateEmail?: string | null;
  },
): Promise<CreatedCampaign> {
  const input: CampaignInput = { ...req, type, campaignId: req.campaignId ?? `camp_${randomUUID().replace(/-/g, '').slice(0, 16)}` };
  const problems = validateCampaignInput(input);
  if (problems.length) throw new InvalidCampaignInputError(problems);
  const workflowId = campaignWorkflowId(input.campaignId);
  const memo: CampaignMemo = {
    userId: input.userId ?? null,
    createdAt: new Date().toISOString(),
    searchContext: searchContextOf(input),
    candidateEmail: input.overrideEmail ?? opts.candidateEmail ?? null,
  };
  try {
    const handle = await client.workflow.start(campaign, {
      taskQueue: opts.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      memo: { [CAMPAIGN_MEMO_KEY]: memo },
      typedSearchAttributes: [
        { key: SA.kind, value: 'campaign' },
        { key: SA.campaignId, value: input.campaignId },
        { key: SA.campaignType, value: type },
        { key: SA.profileId, value: input.candidateProfileId },
        { key: SA.status, value: 'active' },
        ...(input.userId ? [{ key: SA.userId, value: input.userId }] : []),
      ],
    });
    return { campaignId: input.campaignId, workflowId, handle };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new CampaignExistsError(input.campaignId);
    throw err;
  }
}

export const createRunOnce = (client: Client, req: NewCampaign, opts: { taskQueue: string }) =>
  createCampaign(client, 'run_once', req, opts);
export const createAutopilotOnce = (client: Client, req: NewCampaign, opts: { taskQueue: string }) =>
  createCampaign(client, 'autopilot_once', req, opts);
export const createAutopilotRecurring = (client: Client, req: NewCampaign, opts: { taskQueue: string }) =>
  createCampaign(client, 'autopilot_recurring', req, opts);

function handleOf(client: Client, campaignId: string): WorkflowHandle<typeof campaign> {
  const problem = campaignIdProblem(campaignId);
  if (problem) throw new InvalidCampaignInputError([{ field: 'campaignId', message: problem }]);
  return client.workflow.getHandle<typeof campaign>(campaignWorkflowId(campaignId));
}

export function getCampaign(client: Client, campaignId: string): Promise<CampaignView> {
  return handleOf(client, campaignId).query(campaignQuery);
}

/** Pause, resume and stop are signals: they return once recorded; `getCampaign` shows the effect. */
export async function pauseCampaign(client: Client, campaignId: string): Promise<void> {
  await handleOf(client, campaignId).signal(pauseSignal);
}
export async function resumeCampaign(client: Client, campaignId: string): Promise<void> {
  await handleOf(client, campaignId).signal(resumeSignal);
}
export async function stopCampaign(client: Client, campaignId: string): Promise<void> {
  await handleOf(client, campaignId).signal(stopSignal);
}

/**
 * Changes the policy applications of the campaign start with from now on (those running keep theirs) and
 * answers with the campaign. Bad input throws InvalidCampaignInputError naming the field and changes nothing.
 */
export async function setCampaignPolicy(client: Client, campaignId: string, req: SetPolicyRequest): Promise<CampaignView> {
  const problems = policyProblems(req);
  if (problems.length) throw new InvalidCampaignInputError(problems);
  try {
    return await handleOf(client, campaignId).executeUpdate(setPolicyUpdate, { args: [req] });
  } catch (err) {
    // The validator refused it (a campaign from before policies): nothing changed.
    if (err instanceof WorkflowUpdateFailedError) throw new InvalidCampaignInputError([{ field: 'policy', message: describeFailure(err) }]);
    throw err;
  }
}

/**
 * Tells a campaign how many active webhooks it has now (after an add or a remove): it sends events only
 * while it has some. A campaign that has closed has nothing more to send: that is not an error.
 */
export async function tellCampaignWebhooks(client: Client, campaignId: string, active: number): Promise<void> {
  try {
    await handleOf(client, campaignId).signal(webhooksSignal, { active });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return;
    throw err;
  }
}

export interface PageRequest {
  page?: number;
  /** Items per page, 1..100 (default 20). */
  limit?: number;
}

export interface Paged<T> {
  data: T[];
  pagination: { page: number; limit: number; total: number; totalPages: number };
}

function pageOf(req: PageRequest): { page: number; limit: number } {
  const page = req.page ?? 1;
  const limit = req.limit ?? 20;
  const problems: InputProblem[] = [];
  if (!Number.isInteger(page) || page < 1) problems.push({ field: 'page', message: 'expected an integer >= 1' });
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) problems.push({ field: 'limit', message: 'expected an integer 1..100' });
  if (problems.length) throw new InvalidCampaignInputError(problems);
  return { page, limit };
}

function paged<T>(all: T[], req: PageRequest): Paged<T> {
  const { page, limit } = pageOf(req);
  return {
    data: all.slice((page - 1) * limit, page * limit),
    pagination: { page, limit, total: all.length, totalPages: Math.ceil(all.length / limit) },
  };
}

export interface CampaignListItem {
  sessionId: string;
  workflowId: string;
  type: CampaignType;
  status: CampaignStatus;
  candidateProfileId: string;
  /** The owning API user (null: started outside the API). */
  userId: string | null;
  /** When the campaign was created (its first run: continue-as-new starts new runs). */
  startedAt: string;
  closedAt: string | null;
  searchContext: SearchContext | null;
  /** The creator's candidate email (overrideEmail, or the profile's when the creator read it). */
  candidateEmail: string | null;
}

export interface ListCampaignsRequest extends PageRequest {
  status?: CampaignStatus;
  type?: CampaignType;
  profileId?: string;
  /** Only this API user's campaigns. */
  userId?: string;
}

/** How to count a visibility query (a cache can stand in: totals are approximate anyway). */
export type CountFn = (query: string) => Promise<number>;

/** The visibility query for a list request (values are validated, so quoting them is safe). */
export function campaignListQuery(req: Omit<ListCampaignsRequest, 'page' | 'limit'>): string {
  const problems: InputProblem[] = [];
  if (req.status !== undefined && !CAMPAIGN_STATUSES.includes(req.status))
    problems.push({ field: 'status', message: `expected one of ${CAMPAIGN_STATUSES.join(', ')}` });
  if (req.type !== undefined && !CAMPAIGN_TYPES.includes(req.type))
    problems.push({ field: 'type', message: `expected one of ${CAMPAIGN_TYPES.join(', ')}` });
  if (req.userId !== undefined && !USER_ID.test(req.userId))
    problems.push({ field: 'userId', message: 'expected 1-64 characters of [A-Za-z0-9_.-]' });
  if (problems.length) throw new InvalidCampaignInputError(problems);
  const where = [`${SA.kind.name} = 'campaign'`];
  if (req.status) where.push(`${SA.status.name} = '${req.status}'`);
  if (req.type) where.push(`${SA.campaignType.name} = '${req.type}'`);
  if (req.profileId) where.push(`${SA.profileId.name} = '${req.profileId.replace(/'/g, '')}'`);
  if (req.userId) where.push(`${SA.userId.name} = '${req.userId}'`);
  return where.join(' AND ');
}

function listItem(wf: WorkflowExecutionInfo): CampaignListItem {
  const sa = wf.typedSearchAttributes;
  const memo = (wf.memo?.[CAMPAIGN_MEMO_KEY] ?? {}) as Partial<CampaignMemo>;
  return {
    sessionId: sa.get(SA.campaignId) ?? wf.workflowId.replace(/^campaign\//, ''),
    workflowId: wf.workflowId,
    type: sa.get(SA.campaignType) as CampaignType,
    status: sa.get(SA.status) as CampaignStatus,
    candidateProfileId: sa.get(SA.profileId) ?? '',
    userId: sa.get(SA.userId) ?? memo.userId ?? null,
    startedAt: memo.createdAt ?? wf.startTime.toISOString(),
    closedAt: wf.closeTime?.toISOString() ?? null,
    searchContext: memo.searchContext ?? null,
    candidateEmail: memo.candidateEmail ?? null,
  };
}

/**
 * Campaigns by status, type and owner, newest first, from visibility alone (search attributes and the
 * memo: no workflow is queried or replayed). The count and the page are asked for at once; the page is
 * fetched with pageSize = limit, following nextPageToken only as far as the requested page.
 */
export async function listCampaigns(
  client: Client,
  req: ListCampaignsRequest = {},
  opts: { count?: CountFn } = {},
): Promise<Paged<CampaignListItem>> {
  const { page, limit } = pageOf(req);
  const query = campaignListQuery(req);
  const count: CountFn = opts.count ?? (async (q) => (await client.workflow.count(q)).count);
  const pageItems = async (): Promise<CampaignListItem[]> => {
    const data: CampaignListItem[] = [];
    let skip = (page - 1) * limit;
    for await (const wf of client.workflow.list({ query, pageSize: limit })) {
      if (skip-- > 0) continue;
      data.push(listItem(wf));
      if (data.length >= limit) break;
    }
    return data;
  };
  const [total, data] = await Promise.all([count(query), pageItems()]);
  return { data, pagination: { page, limit, total, totalPages: Math.ceil(total / limit) } };
}

/** Every campaign matching the request (e.g. one user's), as list items from visibility, at most `max`. */
export async function allCampaigns(
  client: Client,
  req: Omit<ListCampaignsRequest, 'page' | 'limit'>,
  max = 100_000,
): Promise<CampaignListItem[]> {
  const out: CampaignListItem[] = [];
  for await (const wf of client.workflow.list({ query: campaignListQuery(req), pageSize: 1000 })) {
    out.push(listItem(wf));
    if (out.length >= max) break;
  }
  return out;
}

/** The campaign's owning API user (null: started outside the API), from its search attributes; throws WorkflowNotFoundError. */
export async function campaignOwner(client: Client, campaignId: string): Promise<string | null> {
  const d = await handleOf(client, campaignId).describe();
  return d.typedSearchAttributes.get(SA.userId) ?? null;
}

/** The runs kept in the campaign's state (the last 20), newest first. */
export async function campaignRuns(
  client: Client,
  campaignId: string,
  req: PageRequest & { status?: RunStatus } = {},
): Promise<Paged<CampaignRun>> {
  const runs = (await handleOf(client, campaignId).query(runsQuery)).slice().reverse();
  return paged(req.status ? runs.filter((r) => r.status === req.status) : runs, req);
}

/** The application results kept in the campaign's state (the newest 300), newest first. */
export async function campaignApplications(
  client: Client,
  campaignId: string,
  req: PageRequest & { status?: ApplicationStatus } = {},
): Promise<Paged<CampaignApplication>> {
  const apps = (await handleOf(client, campaignId).query(applicationsQuery)).slice().reverse();
  return paged(req.status ? apps.filter((a) => a.status === req.status) : apps, req);
}
