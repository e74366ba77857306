// The pure parts of interactive sessions: input checks, workflow ids, CLI answer coercion and rendering.
import { JOB_URL_MAX } from '../src/jobo/schemas';
import { JobUrl } from '../src/jobo/schemas';
import type { FormField } from '../src/jobo/schemas';
import { sessionWorkflowId, validateSessionInput } from '../src/interactiveSession/input';
import { JOB_URL_MAX_LENGTH, jobUrlProblem, shortHash } from '../src/shared/input';
import { AnswerInputError, answersFromPairs, coerceAnswers, parseAnswersFile, renderSessionView } from '../src/cli/interactiveSession';
import type { SessionView } from '../src/interactiveSession/messages';

const f = (name: string, type: FormField['type'], extra: Partial<FormField> = {}): FormField => ({
  name,
  label: name.toUpperCase(),
  type,
  required: true,
  options: null,
  description: null,
  max_length: null,
  accept: null,
  ...extra,
});

describe('job URL check', () => {
  test('matches the zod contract on a spread of URLs', () => {
    expect(JOB_URL_MAX_LENGTH).toBe(JOB_URL_MAX);
    const urls = [
      'https://boards.greenhouse.io/acme/jobs/1',
      'http://localhost:8080/x?y=1#z',
      'HTTPS://EXAMPLE.COM',
      'https://example.com/',
      'https://example.com:99999/',
      'https://user@host.example/a',
      'https://[::1]:8443/apply',
      'ftp://example.com/job',
      'mailto:a@b.c',
      'https://',
      '/relative/path',
      'https://exa mple.com/',
      'https://example.com/a b',
      'example.com/job',
      '',
      `https://example.com/${'a'.repeat(1980)}`,
      `https://example.com/${'a'.repeat(1981)}`,
    ];
    for (const url of urls)
      expect([url.slice(0, 40), jobUrlProblem(url) === null]).toEqual([url.slice(0, 40), JobUrl.safeParse(url).success]);
  });

  test('each problem names its field', () => {
    expect(validateSessionInput({ jobUrl: 'nope', idleTimeoutMinutes: -1, profileId: 'x', extra: 1 }).map((p) => p.field)).toEqual([
      'jobUrl',
      'idleTimeoutMinutes',
      'profileId',
      'extra',
    ]);
    expect(validateSessionInput(null)).toEqual([{ field: 'input', message: expect.any(String) }]);
    expect(validateSessionInput({ jobUrl: 'https://a.example/x', idleTimeoutMinutes: 0.5 })).toEqual([]);
  });

  test('workflow ids carry a stable short hash of the URL', () => {
    expect(shortHash('https://a.example/1')).toBe(shortHash('https://a.example/1'));
    expect(shortHash('https://a.example/1')).not.toBe(shortHash('https://a.example/2'));
    expect(sessionWorkflowId('https://a.example/1', 'mine')).toMatch(/^interactive-session\/[0-9a-f]{8}-mine$/);
  });
});

describe('CLI answers', () => {
  const fields = [
    f('name', 'text'),
    f('years', 'number'),
    f('remote', 'boolean'),
    f('langs', 'multi_select', {
      options: [
        { value: 'ts', label: 'TypeScript' },
        { value: 'go', label: 'Go' },
        { value: 'rs', label: 'Rust' },
      ],
    }),
    f('resume', 'file', { accept: ['application/pdf'] }),
  ];
  const files = { size: () => 9, read: () => Buffer.from('%PDF-1.4\n') };

  test('--field values are coerced by field type', () => {
    const answers = answersFromPairs(
      fields,
      ['name=Ada = Lovelace', 'years=7', 'remote=yes', 'langs=ts, go', 'langs=rs', 'resume=@/tmp/cv.pdf'],
      files,
    );
    expect(answers).toEqual({
      name: 'Ada = Lovelace',
      years: 7,
      remote: true,
      langs: ['ts', 'go', 'rs'],
      resume: {
        kind: 'upload',
        file_name: 'cv.pdf',
        content_type: 'application/pdf',
        content_base64: Buffer.from('%PDF-1.4\n').toString('base64'),
      },
    });
    expect(answersFromPairs(fields, ['resume=resume:6f1d2b3c-4a5e-4f60-9b7a-8c9d0e1f2a3b'], files)).toEqual({
      resume: { kind: 'profile_resume', profile_id: '6f1d2b3c-4a5e-4f60-9b7a-8c9d0e1f2a3b' },
    });
  });

  test('bad values and unknown fields are reported per field', () => {
    const err = (() => {
      try {
        answersFromPairs(fields, ['years=many', 'remote=perhaps', 'nope=1', 'resume=cv.pdf', 'broken'], files);
      } catch (e) {
        return e as AnswerInputError;
      }
    })();
    expect(err).toBeInstanceOf(AnswerInputError);
    expect(err!.problems.map((p) => p.field)).toEqual(['broken']);
    const err2 = (() => {
      try {
        answersFromPairs(fields, ['years=many', 'remote=perhaps', 'nope=1', 'resume=cv.pdf'], files);
      } catch (e) {
        return e as AnswerInputError;
      }
    })();
    expect(err2!.problems.map((p) => p.field)).toEqual(['years', 'remote', 'nope', 'resume']);
    const huge = { size: () => 5 * 1024 * 1024, read: () => Buffer.alloc(0) };
    expect(() => answersFromPairs(fields, ['resume=@big.pdf'], huge)).toThrow(/limited to/);
  });

  test('a JSON file may be bare or wrapped in { answers }, typed values pass through', () => {
    expect(coerceAnswers(fields, parseAnswersFile('{"answers":{"years":"3","remote":false}}'), files)).toEqual({ years: 3, remote: false });
    expect(coerceAnswers(fields, parseAnswersFile('{"langs":["go"]}'), files)).toEqual({ langs: ['go'] });
    expect(() => parseAnswersFile('[1]')).toThrow(AnswerInputError);
  });

  test('show renders label, name, type, required and options', () => {
    const view: SessionView = {
      job_url: 'https://jobs.lever.co/acme/1',
      session_id: '6f1d2b3c-4a5e-4f60-9b7a-8c9d0e1f2a3b',
      status: 'form_ready',
      is_terminal: false,
      provider_id: 'lever',
      provider_name: 'Lever',
      current_url: 'https://jobs.lever.co/acme/1/apply',
      fields: [fields[0], { ...fields[3], required: false }],
      validation_errors: [{ field: 'name', message: 'name (NAME) is required' }],
      error: null,
      page: 1,
      pages_answered: 0,
      hops: 0,
      outcome: null,
    };
    const text = renderSessionView('interactive-session/abc-1', view);
    expect(text).toContain('Lever (lever)');
    expect(text).toContain('* NAME  [name]  (text, required)');
    expect(text).toContain('LANGS  [langs]  (multi_select, optional)');
    expect(text).toContain('options: ts = TypeScript | go = Go | rs = Rust | (comma-separated)');
    expect(text).toContain('  - name (NAME) is required');
  });
});
