/**
 * `applyflow profile create|get|patch|import`: candidate profiles through the Jobo profiles API (003).
 * Files are checked before anything is sent; every problem is printed on its own line, named by field.
 * `applyflow profile assign` is the operator's: it gives a profile made outside the API to an API user.
 * `applyflow profile answers list|set|delete` manages a profile's remembered answers in the app's database
 * (values sealed with the payload codec's key, as the worker does: APPLYFLOW_CODEC_KEYS or APPLYFLOW_CODEC=off).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { JoboClient } from '../jobo/client';
import { findJoboFailure, JoboFailure, type JoboFailureDetails } from '../jobo/failures';
import type { Profile } from '../jobo/schemas';
import { ProfileInputError, parseCreateProfileFile, parsePatchProfileFile } from '../profile/input';
import { importResume, resumeFile } from '../profile/resume';
import { openStore } from '../store';
import { profileOwnersFor } from '../store/profileOwners';
import { dataConverterFor } from '../codec';
import { InvalidRememberedAnswerError, parseRememberAnswer } from '../profile/rememberedAnswers';
import { rememberedAnswersFor, type RememberedAnswers, type StoredRememberedAnswer } from '../store/rememberedAnswers';
import { rememberedKey } from '../answers/remembered';

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

// The same rule as APPLYFLOW_API_KEYS user ids (src/config.ts).
const API_USER_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Records the owner in the app's database. The profile must exist upstream; one that already belongs to
 * someone else moves only with --reassign, so a typo cannot hand a candidate's data to another user.
 */
async function assign(profileId: string, o: { user: string; reassign?: boolean }): Promise<void> {
  if (!API_USER_ID.test(o.user))
    throw new ProfileInputError([{ field: '--user', message: 'must be an API user id ([A-Za-z0-9_.-]{1,64})' }], 'input');
  const config = loadConfig();
  await run(async (jobo) => {
    try {
      await jobo.getProfile(profileId);
    } catch (err) {
      if (findJoboFailure(err, JoboFailure.NotFound)) throw new Error(`profile ${profileId} does not exist upstream`);
      throw err;
    }
  });
  const store = await openStore(config);
  try {
    const owners = await profileOwnersFor(store);
    const before = await owners.ownerOf(profileId);
    const after = await owners.assign(profileId, o.user, { reassign: o.reassign });
    if (after.userId !== o.user) throw new Error(`profile ${profileId} belongs to ${after.userId}; add --reassign to give it to ${o.user}`);
    console.log(
      before === o.user
        ? `profile ${profileId} already belongs to ${o.user}`
        : `profile ${profileId} now belongs to ${o.user}${before ? ` (was ${before})` : ''}`,
    );
  } finally {
    await store.close();
  }
}

/** The remembered answers store with the worker's codec keys; refuses without a codec decision, as every client does. */
async function withAnswers<T>(fn: (answers: RememberedAnswers) => Promise<T>): Promise<T> {
  const config = loadConfig();
  dataConverterFor(config); // throws the APPLYFLOW_CODEC_KEYS configuration error when there is no key and no APPLYFLOW_CODEC=off
  const store = await openStore(config);
  try {
    return await fn(await rememberedAnswersFor(store, { codecKeys: config.codecKeys }));
  } finally {
    await store.close();
  }
}

const collect = (v: string, all: string[] = []) => [...all, v];

/** `--value` as the type reads it: numbers and booleans parsed, several values for multi_select. */
function valueOf(type: string, values: string[]): unknown {
  if (values.length === 0) return undefined;
  if (type === 'multi_select') return values;
  if (values.length > 1)
    throw new InvalidRememberedAnswerError([{ field: '--value', message: 'give one --value (several only for multi_select)' }]);
  const [v] = values;
  if (type === 'number') return v.trim() === '' ? v : Number(v);
  if (type === 'boolean') return ({ true: true, yes: true, false: false, no: false } as Record<string, boolean>)[v.toLowerCase()] ?? v;
  return v;
}

/** `--option value=label` (or just `value`, its own label). */
const optionOf = (o: string) => {
  const i = o.indexOf('=');
  return i < 0 ? { value: o, label: o } : { value: o.slice(0, i), label: o.slice(i + 1) };
};

/** Problems named by the CLI's flags rather than the body's fields. */
const FLAG_OF: Record<string, string> = { label: '--label', type: '--type', value: '--value', options: '--option' };
function asFlags(err: unknown): never {
  if (err instanceof InvalidRememberedAnswerError) {
    throw new ProfileInputError(
      err.problems.map((p) => ({ field: p.field.replace(/^(label|type|value|options)/, (f) => FLAG_OF[f]), message: p.message })),
      'remembered answer',
    );
  }
  throw err;
}

function renderAnswer(a: StoredRememberedAnswer): string {
  const value = a.unreadable !== null ? `(unreadable: ${a.unreadable})` : JSON.stringify(a.value);
  return `${a.key}\n  label:   ${a.label}\n  value:   ${value}${a.options ? `\n  options: ${a.options.map((o) => (o.label === o.value ? o.value : `${o.value}=${o.label}`)).join(', ')}` : ''}\n  updated: ${a.updatedAt}`;
}

function registerAnswers(profile: Command): void {
  const answers = profile.command('answers').description("a profile's remembered answers (used before a question is asked)");

  answers
    .command('list <profileId>')
    .description('the remembered answers, by key')
    .option('--json', 'print them as JSON')
    .action((profileId: string, o: { json?: boolean }) =>
      withAnswers(async (store) => {
        const list = await store.list(profileId);
        if (o.json) console.log(JSON.stringify(list, null, 2));
        else console.log(list.length ? list.map(renderAnswer).join('\n') : `no remembered answers for profile ${profileId}`);
      }),
    );

  answers
    .command('set <profileId>')
    .description("remember an answer for a question (its label as forms write it, and its field type); replaces the question's answer")
    .requiredOption('--label <label>', "the question's label, e.g. 'Are you at least 18 years of age?'")
    .requiredOption('--type <type>', 'text, textarea, email, phone, date, number, select, multi_select or boolean')
    .option('--value <value>', 'the answer (an option value for select; repeat for multi_select; true/false for boolean)', collect, [])
    .option('--option <value=label>', 'select / multi_select: an option the answer was picked from (repeat)', collect, [])
    .option('--json', 'print the stored answer as JSON')
    .action((profileId: string, o: { label: string; type: string; value: string[]; option: string[]; json?: boolean }) =>
      withAnswers(async (store) => {
        let answer;
        try {
          answer = parseRememberAnswer({
            label: o.label,
            type: o.type,
            ...(o.option.length ? { options: o.option.map(optionOf) } : {}),
            value: valueOf(o.type, o.value),
          });
        } catch (err) {
          asFlags(err);
        }
        const { answer: stored, created, changed } = await store.remember(profileId, answer);
        if (o.json) console.log(JSON.stringify(stored, null, 2));
        else console.log(`${created ? 'remembered' : changed ? 'updated' : 'unchanged'}: ${stored.key}`);
      }),
    );

  answers
    .command('delete <profileId> <key>')
    .description('forget a remembered answer (the question is asked again); the key as `list` shows it')
    .action((profileId: string, key: string) =>
      withAnswers(async (store) => {
        if (!(await store.forget(profileId, key))) {
          throw new Error(
            `no remembered answer ${key} for profile ${profileId}${key.includes(':') ? '' : ` (keys look like ${rememberedKey('Date of birth', 'date')})`}`,
          );
        }
        console.log(`forgotten: ${key}`);
      }),
    );
}

export function register(program: Command): void {
  const profile = program.command('profile').description('candidate profiles (create, read, patch, resume import, remembered answers)');

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
    .command('assign <id>')
    .description('operator: give a profile made before or outside the API to an API user (its only user from then on)')
    .requiredOption('--user <userId>', 'the API user (as in APPLYFLOW_API_KEYS)')
    .option('--reassign', 'move a profile that already belongs to another user')
    .action((id: string, o: { user: string; reassign?: boolean }) => assign(id, o));

  registerAnswers(profile);

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
