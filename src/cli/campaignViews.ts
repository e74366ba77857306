/**
 * Readable views of campaigns for `applyflow campaign ...` (tables for lists, a summary for one campaign),
 * kept apart from the commands so they can be tested without a server. `--json` prints the raw objects.
 */
import type { CampaignListItem } from '../campaign/client';
import type { CampaignApplication, CampaignRun, CampaignView } from '../campaign/input';
import type { Column } from './table';

const when = (iso: string | null | undefined) => (iso ? iso.replace(/\.\d+Z$/, 'Z') : null);

export function renderCampaign(v: CampaignView): string {
  const s = v.stats;
  const lines = [
    `Campaign ${v.sessionId} (${v.type}), ${v.status}`,
    `  profile:      ${v.candidateProfileId}`,
    `  owner:        ${v.userId ?? '- (started outside the API)'}`,
    `  applications: ${s.totalApplications} (${s.successfulApplications} succeeded, ${s.failedApplications} failed), ${s.jobsQueued} queued`,
    `  runs:         ${s.totalRuns}, last ${when(s.lastRunAt) ?? '-'}, next ${when(s.nextRunAt) ?? '-'}`,
    ...(s.pacedApplications ? [`  paced:        ${s.pacedApplications} waiting for the next day window (daily caps)`] : []),
    `  looking for:  ${v.searchContext.titles.join(', ') || '-'}${v.searchContext.locations.length ? ` in ${v.searchContext.locations.join(', ')}` : ''}`,
    `  limits:       ${v.limits.maxJobsPerRun} jobs per run, ${v.limits.concurrency} at once`,
  ];
  if (v.policy) {
    const waiting = s.waitingForPerson !== undefined ? `, ${s.waitingForPerson} waiting for a person now` : '';
    const parked = s.needsPersonApplications ? `, ${s.needsPersonApplications} need a person (captcha/login)` : '';
    lines.push(`  policy:       ${v.policy}${v.policy === 'skip' ? '' : ` (a person has ${v.personDeadlineHours} h)`}${waiting}${parked}`);
  }
  if (v.schedule) {
    const sc = v.schedule;
    const days = sc.pattern === 'weekly' ? ` on ${sc.daysOfWeek?.join(', ')}` : sc.pattern === 'monthly' ? ` on day ${sc.dayOfMonth}` : '';
    lines.push(`  schedule:     ${sc.pattern}${days} at ${sc.time} ${sc.timezone}`);
  }
  lines.push(`  created:      ${when(v.createdAt)}  (workflow ${v.workflowId})`);
  return lines.join('\n');
}

export const CAMPAIGN_COLUMNS: Column<CampaignListItem>[] = [
  { header: 'session', value: (c) => c.sessionId, max: 40 },
  { header: 'type', value: (c) => c.type },
  { header: 'status', value: (c) => c.status },
  { header: 'user', value: (c) => c.userId, max: 24 },
  { header: 'profile', value: (c) => c.candidateProfileId.slice(0, 8) },
  { header: 'created', value: (c) => when(c.startedAt) },
  { header: 'closed', value: (c) => when(c.closedAt) },
];

export const RUN_COLUMNS: Column<CampaignRun>[] = [
  { header: 'run', value: (r) => r.sessionRunId },
  { header: 'status', value: (r) => r.status },
  { header: 'started', value: (r) => when(r.startedAt) },
  { header: 'completed', value: (r) => when(r.completedAt) },
  { header: 'found', value: (r) => r.stats.jobsFound },
  { header: 'tried', value: (r) => r.stats.applicationsAttempted },
  { header: 'ok', value: (r) => r.stats.applicationsSuccessful },
  { header: 'failed', value: (r) => r.stats.applicationsFailed },
  { header: 'error', value: (r) => r.error, max: 60 },
];

export const CAMPAIGN_APPLICATION_COLUMNS: Column<CampaignApplication>[] = [
  { header: 'status', value: (a) => a.status },
  { header: 'run', value: (a) => a.sessionRunId },
  { header: 'company', value: (a) => a.company_name, max: 24 },
  { header: 'title', value: (a) => a.job_title, max: 32 },
  { header: 'ats', value: (a) => a.ats_type },
  { header: 'email', value: (a) => a.candidate_email, max: 32 },
  { header: 'updated', value: (a) => when(a.updated_at) },
  { header: 'error', value: (a) => a.error ?? (a.next_attempt_at ? `daily cap: next try ${when(a.next_attempt_at)}` : null), max: 60 },
];
