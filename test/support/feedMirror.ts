/**
 * "Nothing lost, nothing twice" for feed sync: the store against the sandbox's ground truth. Returns the
 * differences (empty = an exact mirror) so a failing test shows what is wrong, not a 3,000-row diff.
 */
import type { GroundTruthJobs } from '../../sandbox/admin';
import type { JobStates } from '../../src/store/types';

export function mirrorProblems(store: JobStates, truth: GroundTruthJobs, max = 10): string[] {
  const problems: string[] = [];
  const truthActive = new Map(truth.active.map((j) => [j.id, j.updated_at]));
  const truthExpired = new Set(truth.expired.map((j) => j.id));
  const storeActive = new Map(store.active.map((j) => [j.id, j.updated_at]));
  for (const [id, updatedAt] of truthActive) {
    const have = storeActive.get(id);
    if (have === undefined) {
      const marked = store.expired.some((j) => j.id === id);
      problems.push(`active upstream, ${marked ? 'marked expired' : 'missing'} in the store: ${id}`);
    } else if (have !== updatedAt) problems.push(`stale ${id}: store ${have}, upstream ${updatedAt}`);
  }
  for (const id of storeActive.keys()) {
    if (!truthActive.has(id)) {
      problems.push(`active in the store but ${truthExpired.has(id) ? 'expired' : 'unknown'} upstream: ${id}`);
    }
  }
  for (const j of store.expired) {
    if (!truthExpired.has(j.id) && !truthActive.has(j.id)) problems.push(`marked expired but unknown upstream: ${j.id}`);
  }
  return problems.length > max ? [...problems.slice(0, max), `... ${problems.length - max} more`] : problems;
}
