/**
 * `applyflow interactive-session start|show|answer|end` (alias `session`): drive an interactive session from a terminal. Answers given as
 * text (`--field name=value`) are coerced by the field's type from the session's current page.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { InteractiveSessionClient, InvalidSessionInputError, SessionAnswerError } from '../interactiveSession/client';
import { problemText } from '../shared/input';
import type { AnswerValue, FormField } from '../jobo/schemas';
import type { InteractiveSessionResult, SessionView } from '../interactiveSession/messages';
import { withClient } from './client';

/** Inline uploads travel in the update payload (and history); keep them well under Temporal's 2 MB limit. */
export const MAX_UPLOAD_BYTES = 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.txt': 'text/plain',
};

export class AnswerInputError extends Error {
  constructor(readonly problems: { field: string; message: string }[]) {
    super(problems.map(problemText).join('\n'));
    this.name = 'AnswerInputError';
  }
}

export interface FileReader {
  size(path: string): number;
  read(path: string): Buffer;
}
const diskReader: FileReader = { size: (p) => statSync(p).size, read: (p) => readFileSync(p) };

/**
 * One answer value from the command line or a JSON file, by the field's type: numbers, booleans
 * (true/false/yes/no/1/0), comma lists for multi_select, `@path` (or `resume:<profile id>`) for files.
 * Non-string JSON values are passed through for the workflow's validator to judge.
 */
export function coerceValue(field: FormField, value: unknown, files: FileReader = diskReader): AnswerValue {
  if (typeof value !== 'string') return value as AnswerValue;
  const text = value.trim();
  switch (field.type) {
    case 'number': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n))
        throw new AnswerInputError([{ field: field.name, message: `expected a number, got "${value}"` }]);
      return n;
    }
    case 'boolean': {
      if (/^(true|yes|y|1)$/i.test(text)) return true;
      if (/^(false|no|n|0)$/i.test(text)) return false;
      throw new AnswerInputError([{ field: field.name, message: `expected true/false (or yes/no), got "${value}"` }]);
    }
    case 'multi_select':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'file': {
      const resume = /^resume:(.+)$/.exec(text);
      if (resume) return { kind: 'profile_resume', profile_id: resume[1] };
      if (!text.startsWith('@')) {
        throw new AnswerInputError([{ field: field.name, message: 'expected @path/to/file or resume:<profile id>' }]);
      }
      const path = text.slice(1);
      let size: number;
      try {
        size = files.size(path);
      } catch {
        throw new AnswerInputError([{ field: field.name, message: `cannot read ${path}` }]);
      }
      if (size > MAX_UPLOAD_BYTES) {
        throw new AnswerInputError([
          {
            field: field.name,
            message: `${path} is ${size} bytes; inline uploads are limited to ${MAX_UPLOAD_BYTES} (use resume:<profile id>)`,
          },
        ]);
      }
      return {
        kind: 'upload',
        file_name: basename(path),
        content_type: CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
        content_base64: files.read(path).toString('base64'),
      };
    }
    default:
      return value;
  }
}

/** `name=value` pairs → answers for the current fields; repeated multi_select names add up. */
export function answersFromPairs(fields: FormField[], pairs: string[], files: FileReader = diskReader): Record<string, AnswerValue> {
  const raw: Record<string, unknown> = {};
  const problems: { field: string; message: string }[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      problems.push({ field: pair, message: 'expected --field name=value' });
      continue;
    }
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1);
    const prev = raw[name];
    const isMulti = fields.find((f) => f.name === name)?.type === 'multi_select';
    raw[name] = isMulti && typeof prev === 'string' ? `${prev},${value}` : value;
  }
  if (problems.length) throw new AnswerInputError(problems);
  return coerceAnswers(fields, raw, files);
}

/** A JSON object of answers (or `{ "answers": {...} }`), with string values coerced like --field values. */
export function coerceAnswers(
  fields: FormField[],
  raw: Record<string, unknown>,
  files: FileReader = diskReader,
): Record<string, AnswerValue> {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const answers: Record<string, AnswerValue> = {};
  const problems: { field: string; message: string }[] = [];
  for (const [name, value] of Object.entries(raw)) {
    const field = byName.get(name);
    if (!field) {
      problems.push({ field: name, message: `not a field on this page (fields: ${fields.map((f) => f.name).join(', ') || 'none'})` });
      continue;
    }
    try {
      answers[name] = coerceValue(field, value, files);
    } catch (err) {
      if (err instanceof AnswerInputError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length) throw new AnswerInputError(problems);
  return answers;
}

export function parseAnswersFile(text: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text);
  const obj = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  const answers = obj && typeof obj.answers === 'object' && obj.answers !== null && !Array.isArray(obj.answers) ? obj.answers : obj;
  if (!answers) throw new AnswerInputError([{ field: '--file', message: 'expected a JSON object of { "<field name>": value }' }]);
  return answers as Record<string, unknown>;
}

function renderField(f: FormField): string[] {
  const facts = [f.type, f.required ? 'required' : 'optional'];
  if (f.max_length) facts.push(`max ${f.max_length} chars`);
  if (f.accept?.length) facts.push(`accepts ${f.accept.join(', ')}`);
  const lines = [`  ${f.required ? '*' : ' '} ${f.label}  [${f.name}]  (${facts.join(', ')})`];
  if (f.description) lines.push(`      ${f.description}`);
  if (f.options?.length) {
    const opts = f.options.map((o) => (o.label === o.value ? o.value : `${o.value} = ${o.label}`));
    if (f.type === 'multi_select') opts.push('(comma-separated)');
    // Wrapped so a 50-state list stays readable in a terminal.
    const rows: string[][] = [[]];
    for (const o of opts) {
      const row = rows[rows.length - 1];
      if (row.length && [...row, o].join(' | ').length > 85) rows.push([o]);
      else row.push(o);
    }
    lines.push(...rows.map((r, i) => `${i === 0 ? '      options: ' : '               '}${r.join(' | ')}`));
  }
  return lines;
}

export function renderSessionView(workflowId: string, v: SessionView): string {
  const provider = v.provider_name ? `${v.provider_name} (${v.provider_id})` : (v.provider_id ?? 'not detected yet');
  const lines = [
    `Session ${workflowId}`,
    `  job:       ${v.job_url}`,
    `  provider:  ${provider}`,
    `  status:    ${v.status}${v.is_terminal ? ' (finished' + (v.outcome ? `: ${v.outcome}` : '') + ')' : ''}`,
    `  progress:  page ${v.page}, ${v.pages_answered} page(s) answered, ${v.hops} redirect hop(s)`,
  ];
  if (v.current_url) lines.push(`  at:        ${v.current_url}`);
  if (v.error) lines.push(`  error:     ${v.error}`);
  if (v.validation_errors.length) {
    lines.push('', 'Problems with the last answers:', ...v.validation_errors.map((p) => `  - ${problemText(p)}`));
  }
  if (!v.is_terminal && v.fields.length) {
    lines.push('', `Fields on this page (* = required):`, ...v.fields.flatMap(renderField));
    lines.push(
      '',
      `Answer with: applyflow interactive-session answer ${workflowId} --field ${v.fields[0].name}=... (or --file answers.json)`,
    );
  }
  return lines.join('\n');
}

function renderResult(workflowId: string, r: InteractiveSessionResult): string {
  return `Session ${workflowId} finished: ${r.outcome} (status ${r.status})${r.detail ? ` — ${r.detail}` : ''}`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function withSessions<T>(fn: (sessions: InteractiveSessionClient) => Promise<T>): Promise<T> {
  return withClient((client, config) => fn(InteractiveSessionClient.fromConfig(client, config)));
}

/** Typed errors become one readable line per field; runCli prints the message and exits with 1. */
async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (err instanceof InvalidSessionInputError || err instanceof AnswerInputError || err instanceof SessionAnswerError) {
      const title =
        err instanceof InvalidSessionInputError
          ? 'invalid session input'
          : err instanceof AnswerInputError
            ? 'invalid answers'
            : `answers refused (${err.type})`;
      const problems = err.problems.map((p) => `  - ${problemText(p)}`);
      throw new Error(problems.length ? [`${title}:`, ...problems].join('\n') : `${title}: ${err.message}`);
    }
    throw err;
  }
}

export function register(program: Command): void {
  const session = program.command('session').description('interactive application sessions (a person answers the form)');

  session
    .command('start <url>')
    .description('open a session for a job application URL and show its first page')
    .option('--idle-minutes <n>', 'minutes without answers before the session expires', Number)
    .option('--profile <id>', 'candidate profile id')
    .option('--id <suffix>', 'workflow id suffix (default: random)')
    .option('--json', 'print JSON')
    .action((url: string, o: { idleMinutes?: number; profile?: string; id?: string; json?: boolean }) =>
      run(() =>
        withSessions(async (sessions) => {
          const { workflowId } = await sessions.start(
            {
              jobUrl: url,
              ...(o.idleMinutes !== undefined ? { idleTimeoutMinutes: o.idleMinutes } : {}),
              ...(o.profile ? { profileId: o.profile } : {}),
            },
            { id: o.id },
          );
          const view = await sessions.waitForState(workflowId);
          console.log(o.json ? JSON.stringify({ workflowId, state: view }, null, 2) : renderSessionView(workflowId, view));
        }),
      ),
    );

  session
    .command('show <workflowId>')
    .description("show a session's state and the current page's fields")
    .option('--json', 'print JSON')
    .action((id: string, o: { json?: boolean }) =>
      run(() =>
        withSessions(async (sessions) => {
          const view = await sessions.state(id);
          console.log(o.json ? JSON.stringify(view, null, 2) : renderSessionView(id, view));
        }),
      ),
    );

  session
    .command('answer <workflowId>')
    .description('answer the current page and show the next one')
    .option('--field <name=value>', 'an answer (repeatable); @path for files, commas for multi_select', collect, [])
    .option('--file <answers.json>', 'a JSON object of answers keyed by field name')
    .option('--json', 'print JSON')
    .action((id: string, o: { field: string[]; file?: string; json?: boolean }) =>
      run(() =>
        withSessions(async (sessions) => {
          if (!o.field.length && !o.file)
            throw new AnswerInputError([{ field: '--field', message: 'give --field name=value (repeatable) or --file answers.json' }]);
          const current = await sessions.state(id);
          const answers = {
            ...(o.file ? coerceAnswers(current.fields, parseAnswersFile(readFileSync(o.file, 'utf8'))) : {}),
            ...answersFromPairs(current.fields, o.field),
          };
          // The page guard makes answers typed against a page that has since moved on fail instead of landing on the next.
          const next = await sessions.answer(id, answers, { page: current.page });
          console.log(o.json ? JSON.stringify(next, null, 2) : renderSessionView(id, next));
        }),
      ),
    );

  session
    .command('end <workflowId>')
    .description('end the session (the upstream session is closed) and print the result')
    .option('--reason <text>', 'why, shown in the result')
    .action((id: string, o: { reason?: string }) =>
      run(() =>
        withSessions(async (sessions) => {
          await sessions.end(id, o.reason);
          console.log(renderResult(id, await sessions.result(id)));
        }),
      ),
    );
}
