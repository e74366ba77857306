/**
 * The sandbox's admin API (no API key; for tests and benches): its response types and a typed client.
 */
import type { JobDto } from '../src/jobo/schemas';
import type { Faults } from './faults';
import type { JobAttributes } from './jobgen';
import type { OddField, Shapes } from './shapes';

export type { Faults, Shapes };

export interface Health {
  ok: true;
  /** The simulated clock (the feed's "now"). */
  now: string;
}

export interface GroundTruthJobs {
  now: string;
  /** Active jobs in feed order (updated_at, then sequence). */
  active: { id: string; updated_at: string }[];
  /** Expired jobs in expiry order. */
  expired: { id: string; expired_at: string }[];
}

/** An active job as the feed's filters see it, and the field served odd (oddJobRate), if any. */
export interface GroundTruthFeedJob extends JobAttributes {
  id: string;
  created_at: string;
  updated_at: string;
  odd_field: OddField | null;
}

export interface GroundTruthFeed {
  now: string;
  jobs: GroundTruthFeedJob[];
}

export interface ClockAdvance {
  now: string;
  created: number;
  updated: number;
  expired: number;
}

export interface Submission {
  profile_id: string | null;
  job_url: string;
  /** The corpus job behind job_url, when it is one. */
  job_id: string | null;
  count: number;
  first_at: string;
  last_at: string;
}

export interface Submissions {
  submissions: Submission[];
  /** Sum of counts: every submitted application. */
  total: number;
}

export interface AdminSession {
  id: string;
  job_url: string;
  profile_id: string | null;
  mode: 'interactive' | 'automated';
  provider_id: string;
  status: string;
  state: 'pending' | 'running' | 'completed' | 'failed' | 'closed';
  /** 0-based index of the current form page. */
  page: number;
  page_count: number;
  ended: boolean;
  ended_reason: 'deleted' | 'idle' | 'terminal' | null;
  error: string | null;
  redirect_url: string | null;
  /** Accepted answers, one entry per completed page (uploads without their bytes). */
  answers: Record<string, unknown>[];
  started_at: string;
  completed_at: string | null;
  last_request_at: string;
}

export interface RouteStats {
  total: number;
  byStatus: Record<string, number>;
}

export interface SandboxStats {
  /** Every request received, admin ones included (the stats request itself counts). */
  total: number;
  /** Keyed by "METHOD /route/pattern"; resets are counted under status "reset". */
  byRoute: Record<string, RouteStats>;
  byStatus: Record<string, number>;
  resets: number;
  rateLimited: number;
  unavailable: number;
  creditsBalance: number;
}

export interface AdminJob {
  job: JobDto;
  active: boolean;
  expired_at: string | null;
}

export class SandboxAdminError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`sandbox admin answered ${status}: ${body}`);
  }
}

export class SandboxAdmin {
  constructor(private readonly baseUrl: string) {}

  health(): Promise<Health> {
    return this.call('GET', '/__admin/health');
  }

  groundTruthJobs(): Promise<GroundTruthJobs> {
    return this.call('GET', '/__admin/ground-truth/jobs');
  }

  groundTruthFeed(): Promise<GroundTruthFeed> {
    return this.call('GET', '/__admin/ground-truth/feed');
  }

  shapes(): Promise<Shapes> {
    return this.call('GET', '/__admin/shapes');
  }

  /** Merges the given shape settings into the current ones and returns the result. */
  setShapes(patch: Partial<Shapes>): Promise<Shapes> {
    return this.call('PUT', '/__admin/shapes', patch);
  }

  /** A job by id, active or expired, as generated (the stored form; handy to get a real apply_url). */
  job(id: string): Promise<AdminJob> {
    return this.call('GET', `/__admin/jobs/${encodeURIComponent(id)}`);
  }

  advanceClock(minutes: number): Promise<ClockAdvance> {
    return this.call('POST', '/__admin/clock/advance', { minutes });
  }

  faults(): Promise<Faults> {
    return this.call('GET', '/__admin/faults');
  }

  /** Merges the given faults into the current ones and returns the result. */
  setFaults(patch: Partial<Faults>): Promise<Faults> {
    return this.call('PUT', '/__admin/faults', patch);
  }

  submissions(): Promise<Submissions> {
    return this.call('GET', '/__admin/submissions');
  }

  sessions(): Promise<AdminSession[]> {
    return this.call<{ sessions: AdminSession[] }>('GET', '/__admin/sessions').then((r) => r.sessions);
  }

  session(id: string): Promise<AdminSession> {
    return this.call('GET', `/__admin/sessions/${encodeURIComponent(id)}`);
  }

  stats(): Promise<SandboxStats> {
    return this.call('GET', '/__admin/stats');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new SandboxAdminError(res.status, text);
    return JSON.parse(text) as T;
  }
}
