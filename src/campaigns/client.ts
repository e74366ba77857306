/**
 * The typed way to create and follow campaigns (reference 002's sessions API over Temporal): create the
 * three types, get, list by status and type with pagination (visibility, by search attributes), pause,
 * resume, stop, runs and applications. Bad input throws InvalidCampaignInputError and starts nothing.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { SA } from '../searchAttributes';
import {
  applicationsQuery,
  campaign,
  campaignQuery,
  pauseSignal,
  resumeSignal,
  runsQuery,
  stopSignal,
} from '../workflows/campaign';
import {
  CAMPAIGN_STATUSES,
  CAMPAIGN_TYPES,
  campaignIdProblem,
  campaignWorkflowId,
  formatProblems,
  validateCampaignInput,
  type CampaignApplication,
  type CampaignInput,
  type CampaignRun,
  type CampaignStatus,
  type CampaignType,
  type CampaignView,
  type InputProblem,
  type RunStatus,
} from './input';
import type { ApplicationStatus } from '../applications/input';

export class InvalidCampaignInputError extends Error {
  constructor(readonly problems: InputProblem[]) {
    super(`invalid campaign input: ${formatProblems(problems)}`);
    this.name = 'InvalidCampaignInputError';
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
  opts: { taskQueue: string },
): Promise<CreatedCampaign> {
  const input: CampaignInput = { ...req, type, campaignId: req.campaignId ?? `camp_${randomUUID().replace(/-/g, '').slice(0, 16)}` };
  const problems = validateCampaignInput(input);
  if (problems.length) throw new InvalidCampaignInputError(problems);
  const workflowId = campaignWorkflowId(input.campaignId);
  try {
    const handle = await client.workflow.start(campaign, {
      taskQueue: opts.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: SA.kind, value: 'campaign' },
        { key: SA.campaignId, value: input.campaignId },
        { key: SA.campaignType, value: type },
        { key: SA.profileId, value: input.candidateProfileId },
        { key: SA.status, value: 'active' },
      ],
    });
    return { campaignId: input.campaignId, workflowId, handle };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new CampaignExistsError(input.campaignId);
    throw err;
  }
}

export const createRunOnce = (client: Client, req: NewCampaign, opts: { taskQueue: string }) => createCampaign(client, 'run_once', req, opts);
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
  return { data: all.slice((page - 1) * limit, page * limit), pagination: { page, limit, total: all.length, totalPages: Math.ceil(all.length / limit) } };
}

export interface CampaignListItem {
  sessionId: string;
  workflowId: string;
  type: CampaignType;
  status: CampaignStatus;
  candidateProfileId: string;
  startedAt: string;
  closedAt: string | null;
}

/** Campaigns by status and type, newest first, from visibility (no workflow is queried or replayed). */
export async function listCampaigns(
  client: Client,
  req: PageRequest & { status?: CampaignStatus; type?: CampaignType; profileId?: string } = {},
): Promise<Paged<CampaignListItem>> {
  const { page, limit } = pageOf(req);
  const problems: InputProblem[] = [];
  if (req.status !== undefined && !CAMPAIGN_STATUSES.includes(req.status)) problems.push({ field: 'status', message: `expected one of ${CAMPAIGN_STATUSES.join(', ')}` });
  if (req.type !== undefined && !CAMPAIGN_TYPES.includes(req.type)) problems.push({ field: 'type', message: `expected one of ${CAMPAIGN_TYPES.join(', ')}` });
  if (problems.length) throw new InvalidCampaignInputError(problems);
  const where = [`${SA.kind.name} = 'campaign'`];
  // Values are validated enums / UUIDs, so quoting them is safe.
  if (req.status) where.push(`${SA.status.name} = '${req.status}'`);
  if (req.type) where.push(`${SA.campaignType.name} = '${req.type}'`);
  if (req.profileId) where.push(`${SA.profileId.name} = '${req.profileId.replace(/'/g, '')}'`);
  const query = where.join(' AND ');
  const { count: total } = await client.workflow.count(query);
  const data: CampaignListItem[] = [];
  let skip = (page - 1) * limit;
  for await (const wf of client.workflow.list({ query, pageSize: Math.min(1000, page * limit) })) {
    if (skip-- > 0) continue;
    const sa = wf.typedSearchAttributes;
    data.push({
      sessionId: sa.get(SA.campaignId) ?? wf.workflowId.replace(/^campaign\//, ''),
      workflowId: wf.workflowId,
      type: sa.get(SA.campaignType) as CampaignType,
      status: sa.get(SA.status) as CampaignStatus,
      candidateProfileId: sa.get(SA.profileId) ?? '',
      startedAt: wf.startTime.toISOString(),
      closedAt: wf.closeTime?.toISOString() ?? null,
    });
    if (data.length >= limit) break;
  }
  return { data, pagination: { page, limit, total, totalPages: Math.ceil(total / limit) } };
}

/** The runs kept in the campaign's state (the last 20), newest first. */
export async function campaignRuns(client: Client, campaignId: string, req: PageRequest & { status?: RunStatus } = {}): Promise<Paged<CampaignRun>> {
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
