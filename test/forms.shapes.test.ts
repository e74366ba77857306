/**
 * Form fields in both shapes: the one chosen here (name, required, options { value, label }) and the one in
 * the published jobo-enterprise 3.0.0 models (field_id, is_required, options { value, text }, type names
 * such as text_area). The sandbox serves either behind its `forms` switch; the client normalizes both to
 * one FormField, so a session runs to "submitted" either way (ground truth: /__admin/submissions).
 * The 3.0.0 model itself (FormFieldInfo, run from .tools/py) must accept what the sandbox serves as v3.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { startSandbox } from '../sandbox/server';
import { JoboClient } from '../src/jobo/client';
import { FIELD_TYPE_FALLBACK, LiveSessionStateRead, type FormField } from '../src/jobo/schemas';
import { allValidAnswersFor } from './support/formAnswers';
import { apiClient } from './support/sandboxApi';

jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '..');
const PY3 = [join(ROOT, '.tools', 'py', 'jobo-enterprise-3.0.0'), join(ROOT, '.tools', 'py', 'jobo-enterprise-4.0.0')].join(':');

let sb: Awaited<ReturnType<typeof startSandbox>>;
let client: JoboClient;
let jobUrls: string[];

beforeAll(async () => {
  sb = await startSandbox({ seed: 303, jobs: 200 });
  client = new JoboClient({ baseUrl: sb.url, apiKey: sb.apiKey, timeoutMs: 5000 });
  // One job per ATS provider, so every form (and every field type) is walked.
  const page = await client.feed({ batch_size: 200 });
  const bySource = new Map(page.data.jobs.map((j) => [j.source, j.apply_url]));
  jobUrls = [...bySource.values()];
  expect(jobUrls.length).toBeGreaterThanOrEqual(4);
});
afterAll(async () => {
  await client?.close();
  await sb?.close();
});

/** Walks a session to its end with valid answers; returns the normalized fields of every page. */
async function walk(jobUrl: string): Promise<{ status: string; pages: FormField[][] }> {
  let live = await client.createSession({ job_url: jobUrl });
  const pages: FormField[][] = [];
  while (!live.is_terminal) {
    pages.push(live.fields);
    live = await client.submitAnswers(live.session_id, { answers: allValidAnswersFor(live.fields) });
    expect(live.validation_errors).toEqual([]);
  }
  return { status: live.status, pages };
}

test('a session runs to submitted on both form shapes, and both normalize to the same fields', async () => {
  const seen: Record<string, FormField[][][]> = { applyflow: [], v3: [] };
  for (const forms of ['applyflow', 'v3'] as const) {
    await sb.admin.setShapes({ forms });
    for (const url of jobUrls) {
      const r = await walk(url);
      expect([forms, url, r.status]).toEqual([forms, url, 'submitted']);
      seen[forms].push(r.pages);
    }
  }
  await sb.admin.setShapes({ forms: 'applyflow' });
  expect(seen.v3).toEqual(seen.applyflow);
  const submissions = (await sb.admin.submissions()).submissions;
  for (const url of jobUrls) expect(submissions.find((s) => s.job_url === url)?.count).toBe(2);
  const types = new Set(seen.v3.flat(2).map((f) => f.type));
  expect([...types].sort()).toEqual(expect.arrayContaining(['boolean', 'file', 'multi_select', 'select', 'text', 'textarea']));
});

test('the v3 wire shape is what the published 3.0.0 FormFieldInfo and ValidationError models accept', async () => {
  await sb.admin.setShapes({ forms: 'v3' });
  try {
    const api = apiClient(sb);
    const created = await api('POST', '/api/auto-apply/sessions', { json: { job_url: jobUrls[0] } });
    expect(created.body.fields[0]).toHaveProperty('field_id');
    expect(created.body.fields[0]).toHaveProperty('is_required');
    const invalid = await api('POST', `/api/auto-apply/sessions/${created.body.session_id}/answers`, { json: { answers: {} } });
    expect(invalid.body.validation_errors.length).toBeGreaterThan(0);
    const script = [
      'import json, sys',
      'from jobo_enterprise.models import FormFieldInfo, ValidationError',
      'data = json.load(sys.stdin)',
      'fields = [FormFieldInfo.model_validate(f) for f in data["fields"]]',
      'errors = [ValidationError.model_validate(e) for e in data["errors"]]',
      'print(json.dumps({"fields": len(fields), "errors": len(errors), "types": sorted({f.type for f in fields})}))',
    ].join('\n');
    const out = JSON.parse(
      execFileSync('python3', ['-c', script], {
        input: JSON.stringify({ fields: [...created.body.fields, ...invalid.body.fields], errors: invalid.body.validation_errors }),
        env: { ...process.env, PYTHONPATH: PY3, PYTHONDONTWRITEBYTECODE: '1' },
      }).toString(),
    ) as { fields: number; errors: number; types: string[] };
    expect(out.fields).toBe(created.body.fields.length + invalid.body.fields.length);
    expect(out.errors).toBe(invalid.body.validation_errors.length);
    // And the client reads the same body into the one internal shape.
    const read = LiveSessionStateRead.parse(invalid.body);
    expect(read.validation_errors.map((e) => e.field).sort()).toEqual(
      invalid.body.validation_errors.map((e: { field_id: string }) => e.field_id).sort(),
    );
  } finally {
    await sb.admin.setShapes({ forms: 'applyflow' });
  }
});

test('an unknown field type reads as the documented fallback; P3 option text becomes the label', () => {
  const state = LiveSessionStateRead.parse({
    session_id: '0190f6a2-7b3c-7d4e-8f5a-6b7c8d9e0f10',
    provider_display_name: 'Acme ATS',
    status: 'form_ready',
    fields: [
      { field_id: 'q1', type: 'signature_pad', label: 'Sign here', is_required: true, options: [] },
      { field_id: 'q2', type: 'radio', label: 'Pick', options: [{ value: '1', text: 'One' }] },
      { name: 'q3', label: 'Notes', type: 'Text-Area', required: false },
    ],
  });
  expect(state.provider_name).toBe('Acme ATS');
  expect(state.fields.map((f) => [f.name, f.type, f.required, f.options])).toEqual([
    ['q1', FIELD_TYPE_FALLBACK, true, null],
    ['q2', 'select', false, [{ value: '1', label: 'One' }]],
    ['q3', 'textarea', false, null],
  ]);
});
