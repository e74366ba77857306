/**
 * `applyflow profile create|get|patch|import`: candidate profiles through the Jobo profiles API (003).
 * Files are checked before anything is sent; every problem is printed on its own line, named by field.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { JoboClient } from '../jobo/client';
import { findJoboFailure, type JoboFailureDetails } from '../jobo/failures';
import type { Profile } from '../jobo/schemas';
import { ProfileInputError, parseCreateProfileFile, parsePatchProfileFile } from '../profiles/input';
import { importResume, resumeFile } from '../profiles/resume';

function readText(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ProfileInputError([{ field: flag, message: `cannot read ${path}: ${(err as Error).message}` }], 'input');
  }
}

function readBytes(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ProfileInputError([{ field: flag, message: `cannot read ${path}: ${(err as Error).message}` }], 'input');
  }
}

export function renderProfile(p: Profile): string {
  const lines = [
    `Profile ${p.id} (${p.name})`,
    `  status:   ${p.status}${p.import_error ? ` — ${p.import_error}` : ''}`,
    `  contact:  ${p.contact ? `${p.contact.first_name} ${p.contact.last_name} <${p.contact.email}>` : '(none)'}`,
    `  history:  ${p.work_experience.length} job(s), ${p.education.length} school(s), ${p.memories.length} memor${p.memories.length === 1 ? 'y' : 'ies'}`,
    `  resume:   ${p.resume ? `${p.resume.file_name} (${p.resume.size_bytes} bytes)` : '(none)'}`,
    `  updated:  ${p.updated_at}`,
  ];
  return lines.join('\n');
}

/** Upstream rejections with per-field problems read like local ones; runCli prints the message, exit 1. */
async function run(action: (jobo: JoboClient) => Promise<void>): Promise<void> {
  const jobo = JoboClient.fromConfig(loadConfig());
  try {
    await action(jobo);
  } catch (err) {
    const jobo = findJoboFailure(err);
    const fields = (jobo?.details?.[0] as JoboFailureDetails | undefined)?.fields ?? [];
    if (jobo && fields.length) throw new ProfileInputError(fields, `request (${jobo.message})`);
    throw err;
  } finally {
    await jobo.close();
  }
}

const print = (p: Profile, json?: boolean) => console.log(json ? JSON.stringify(p, null, 2) : renderProfile(p));

export function register(program: Command): void {
  const profile = program.command('profile').description('candidate profiles (create, read, patch, resume import)');

  profile
    .command('create')
    .description('create a profile from a JSON file (the 003 create body; contact is required)')
    .requiredOption('--file <profile.json>', 'the profile as JSON')
    .option('--json', 'print the created profile as JSON')
    .action((o: { file: string; json?: boolean }) =>
      run(async (jobo) => {
        const body = parseCreateProfileFile(readText(o.file, '--file'));
        print(await jobo.createProfile(body), o.json);
      }),
    );

  profile
    .command('get <id>')
    .description('show a profile')
    .option('--json', 'print the whole profile as JSON')
    .action((id: string, o: { json?: boolean }) => run(async (jobo) => print(await jobo.getProfile(id), o.json)));

  profile
    .command('patch <id>')
    .description('replace the sections present in a JSON file; absent sections are left untouched')
    .requiredOption('--file <patch.json>', 'the sections to replace, as JSON')
    .option('--json', 'print the updated profile as JSON')
    .action((id: string, o: { file: string; json?: boolean }) =>
      run(async (jobo) => {
        const body = parsePatchProfileFile(readText(o.file, '--file'));
        print(await jobo.patchProfile(id, body), o.json);
      }),
    );

  profile
    .command('import <id>')
    .description('upload a resume and import it into the profile; waits until ready or import_failed')
    .requiredOption('--resume <file>', 'the resume (.pdf, .doc, .docx or .txt)')
    .option('--timeout <seconds>', 'give up waiting after this long', Number, 120)
    .option('--json', 'print the resulting profile as JSON')
    .action((id: string, o: { resume: string; timeout: number; json?: boolean }) =>
      run(async (jobo) => {
        const file = resumeFile(o.resume, readBytes(o.resume, '--resume'));
        const result = await importResume(jobo, id, file, { timeoutMs: o.timeout * 1000 });
        print(result, o.json);
        if (result.status === 'import_failed') throw new Error(`import failed: ${result.import_error ?? 'no reason given'}`);
      }),
    );
}
