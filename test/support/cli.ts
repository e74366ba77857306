/** Runs `applyflow <args...>` in-process and returns its exit code and what it printed (one string each). */
import { runCli } from '../../src/cli/index';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function captureCli(...args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  try {
    const code = await runCli(['node', 'applyflow', ...args]);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
