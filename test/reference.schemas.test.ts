/**
 * The reference documents are the contract: every example JSON they contain must parse with our zod
 * schemas, and every enum and JobDto field they list must exist in the schemas. The documents are read
 * from ../shared/reference (beside the clone, as on CI), never copied into the repo.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CreateProfileRequest,
  EmploymentType,
  ExperienceLevel,
  JobDto,
  KNOWN_FLOW_STATUSES,
  Profile,
  SessionMetadata,
  SessionMode,
  SessionState,
  WorkplaceType,
  ProfileStatus,
} from '../src/jobo/schemas';

const dir = process.env.APPLYFLOW_REFERENCE_DIR ?? resolve(__dirname, '../../shared/reference');

function doc(prefix: string): string {
  if (!existsSync(dir)) throw new Error(`reference documents not found at ${dir} (set APPLYFLOW_REFERENCE_DIR)`);
  const file = readdirSync(dir).find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`no reference document ${prefix}* in ${dir}`);
  return readFileSync(join(dir, file), 'utf8');
}

/** Every balanced top-level {...} in the text that is valid JSON. */
function jsonExamples(text: string): unknown[] {
  const found: unknown[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '{') continue;
    let depth = 0;
    let inString = false;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        try {
          found.push(JSON.parse(text.slice(i, j + 1)));
          i = j;
        } catch {
          // Not JSON (e.g. code in another language); keep scanning from the next brace.
        }
        break;
      }
    }
  }
  return found;
}

/** The comma-separated option list that follows a description line in the docs' "Available options:". */
function optionsAfter(text: string, marker: string): string[] {
  const at = text.indexOf(marker);
  expect(at).toBeGreaterThanOrEqual(0);
  const block = text.slice(at + marker.length).split(/\nExample:|\n\n/)[0];
  return block
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => /^[a-z_]+$/.test(s));
}

describe('reference 000: session metadata', () => {
  const text = doc('000_');
  it('parses the example response', () => {
    const examples = jsonExamples(text);
    expect(examples).toHaveLength(1);
    expect(SessionMetadata.parse(examples[0])).toMatchObject({ state: 'running', mode: 'interactive' });
  });
  it('lists exactly the state and mode enums of the schema', () => {
    expect(optionsAfter(text, 'Session lifecycle state.\n\nAvailable options:')).toEqual(SessionState.options);
    expect(text).toContain('interactive for sessions driven through the sessions API, automated');
    expect(SessionMode.options).toEqual(['interactive', 'automated']);
  });
});

describe('reference 001: live session state', () => {
  const text = doc('001_');
  it('lists exactly the flow status enum of the schema', () => {
    const line = text.split('\n').find((l) => l.startsWith('form_ready, next_available'));
    expect(line).toBeDefined();
    const listed = line!
      .replace(/"form_ready"$/, '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    expect(listed).toEqual([...KNOWN_FLOW_STATUSES]);
  });
  it('keeps the job URL limit of the document', () => {
    expect(text).toContain('Absolute http(s), max 2000 characters');
  });
});

describe('reference 003: profiles', () => {
  const text = doc('003_');
  const examples = jsonExamples(text);
  it('parses the example create body and the example response', () => {
    expect(examples).toHaveLength(2);
    expect(CreateProfileRequest.parse(examples[0]).contact.email).toBe('ada@example.com');
    const profile = Profile.parse(examples[1]);
    expect(profile.status).toBe('ready');
    expect(profile.resume?.file_name).toBe('ada-lovelace.pdf');
  });
  it('lists exactly the profile status enum', () => {
    expect(optionsAfter(text, 'Available options:')).toEqual(ProfileStatus.options);
  });
  it('rejects a create body without the required contact fields, naming them', () => {
    const body = structuredClone(examples[0]) as { contact: Record<string, unknown> };
    delete body.contact.email;
    const r = CreateProfileRequest.safeParse(body);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain('contact.email');
  });
});

describe('reference 004: JobDto', () => {
  const text = doc('004_');
  it('has every documented JobDto field in the schema, and no other', () => {
    const table = text.slice(text.indexOf('FieldTypeDescription'), text.indexOf('Company object'));
    const fields = table
      .split('\n')
      .slice(1)
      .map((l) => /^([a-z][a-z0-9_]*?)(string|object|boolean)/.exec(l)?.[1])
      .filter((f): f is string => Boolean(f));
    expect(fields.length).toBeGreaterThanOrEqual(24);
    expect(fields.sort()).toEqual(Object.keys(JobDto.shape).sort());
  });
  it('lists exactly the employment, workplace and experience enums', () => {
    const quoted = (field: string) => {
      const line = text.split('\n').find((l) => l.startsWith(field))!;
      return [...line.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
    };
    expect(quoted('employment_type')).toEqual(EmploymentType.options);
    expect(quoted('workplace_type')).toEqual(WorkplaceType.options);
    expect(quoted('experience_level')).toEqual(ExperienceLevel.options);
  });
});
