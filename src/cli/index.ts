/**
 * `applyflow` command line (`npm run cli -- <group> <command>`). Each capability owns one file here that
 * exports `register(program)`; add it to `capabilities` below. Groups: application, campaign, profile,
 * feed-sync (alias feed), interactive-session (alias session), notification (alias webhook), user, and
 * config, temporal, demo.
 */
import { Command, CommanderError } from 'commander';
import { version } from '../../package.json';
import { ConfigError } from '../config';
import { applyMainState } from '../mainState';
import * as applicationCli from './application';
import * as campaignCli from './campaign';
import * as configCli from './config';
import * as demoCli from './demo';
import * as feedSyncCli from './feedSync';
import * as profileCli from './profile';
import * as sessionCli from './interactiveSession';
import * as temporalCli from './temporal';
import * as userCli from './user';
import * as webhookCli from './webhook';

export interface CliCapability {
  register(program: Command): void;
}

export const capabilities: CliCapability[] = [
  configCli,
  temporalCli,
  sessionCli,
  feedSyncCli,
  profileCli,
  campaignCli,
  applicationCli,
  demoCli,
  userCli,
  webhookCli,
];

export function buildProgram(): Command {
  const program = new Command('applyflow')
    .description('Durable job applications on Temporal, driving the Jobo API')
    .version(version)
    .showHelpAfterError()
    .exitOverride(); // errors come back to runCli, which picks the exit code
  for (const capability of capabilities) capability.register(program);
  nameGroups(program);
  return program;
}

/**
 * One form for every group (issue 14): the capability's name in kebab case. The old short names stay as
 * aliases so existing scripts keep working. (The notification group names itself, alias webhook.)
 */
const GROUP_NAMES: Record<string, { name: string; alias?: string }> = {
  feed: { name: 'feed-sync', alias: 'feed' },
  session: { name: 'interactive-session', alias: 'session' },
};

function nameGroups(program: Command): void {
  for (const group of program.commands) {
    const renamed = GROUP_NAMES[group.name()];
    if (!renamed) continue;
    group.name(renamed.name);
    if (renamed.alias) group.alias(renamed.alias);
  }
}

/**
 * Runs the CLI and returns the exit code: 0 ok, 1 failure, 2 bad configuration or usage. `mainState`: fill
 * unset variables from the running main job's state file (the command-line entry points do; in-process
 * callers such as tests pass their configuration explicitly).
 */
export async function runCli(argv: string[] = process.argv, opts: { mainState?: boolean } = {}): Promise<number> {
  try {
    if (opts.mainState) {
      const note = applyMainState(process.env);
      // stderr, so `--json` output stays parseable.
      if (note) console.error(note);
    }
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help / --version exit through here with code 0; usage errors were already printed.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    console.error(`applyflow: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  void runCli(process.argv, { mainState: true }).then((code) => {
    process.exitCode = code;
  });
}
