/**
 * A one-line progress bar for long CLI work (feed backfill). On a terminal the line is redrawn in place;
 * into a pipe or a file each changed line is printed once, so logs stay readable. Hand-rolled: a bar is a
 * dozen lines and not worth a dependency.
 */
import type { FeedSyncMode, FeedSyncPhase } from '../feedSync/input';
import type { FeedSyncProgress } from '../feedSync/messages';

export function renderBar(fraction: number, width = 24): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${String(Math.round(f * 100)).padStart(3)}%`;
}

/** The phases a run goes through: a full pass reconciles, an incremental one sweeps expired ids. */
export function phasesOf(mode: FeedSyncMode | null): FeedSyncPhase[] {
  return mode === 'incremental' ? ['starting', 'feed', 'sweep', 'commit', 'done'] : ['starting', 'feed', 'reconcile', 'commit', 'done'];
}

/**
 * How far a sync is, by phase: the feed reports no total, so the bar moves a step per phase and the
 * counters beside it show the work inside the phase.
 */
export function feedFraction(p: Pick<FeedSyncProgress, 'mode' | 'phase'>): number {
  const phases = phasesOf(p.mode);
  const i = phases.indexOf(p.phase);
  return i < 0 ? 0 : i / (phases.length - 1);
}

export class ProgressLine {
  private last = '';
  private readonly started = Date.now();

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  update(fraction: number, text: string): void {
    const secs = Math.round((Date.now() - this.started) / 1000);
    const line = `${renderBar(fraction)} ${text}`;
    if (line === this.last) return;
    this.last = line;
    if (this.out.isTTY) {
      const width = this.out.columns ?? 120;
      this.out.write(`\r\x1b[2K${`${line}  ${secs}s`.slice(0, width - 1)}`);
    } else {
      this.out.write(`${line}\n`);
    }
  }

  /** Ends the redrawn line so what follows starts on its own. */
  done(): void {
    if (this.out.isTTY && this.last) this.out.write('\n');
  }
}
