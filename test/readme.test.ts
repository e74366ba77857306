/**
 * Keeps the README and docs/ true: the README stays short, every relative link (and its #anchor) resolves,
 * every `npm run X` shown exists and every npm script is documented, every path named under src/ (and the
 * other top-level folders) exists, the configuration table lists exactly the variables src/config.ts reads,
 * every UPPER_CASE name shown exists in the code, every dependency has a reason, and .ci/run runs exactly the
 * Quickstart's test command. The walk-through itself is test/walkthrough.test.ts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CONFIG_VARIABLES } from '../src/config';

const root = resolve(__dirname, '..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');
const docFiles = [
  'README.md',
  ...readdirSync(resolve(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const docs = new Map(docFiles.map((f) => [f, read(f)] as const));
const allText = [...docs.values()].join('\n');
const readme = docs.get('README.md')!;
const pkg = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Text outside fenced code blocks. */
function prose(md: string): string {
  return md.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(md).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

it('keeps the README under 200 lines', () => {
  expect(readme.split('\n').length).toBeLessThanOrEqual(200);
});

it('resolves every relative link in the README and docs/, anchors included', () => {
  const broken: string[] = [];
  for (const [file, md] of docs) {
    for (const m of prose(md).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/i.test(target)) continue; // http(s), mailto
      const [path, anchor] = target.split('#');
      const abs = path ? resolve(root, dirname(file), path) : resolve(root, file);
      if (!existsSync(abs)) {
        broken.push(`${file}: ${target} (no such file)`);
        continue;
      }
      if (anchor !== undefined && abs.endsWith('.md') && !anchors(readFileSync(abs, 'utf8')).has(anchor)) {
        broken.push(`${file}: ${target} (no such heading in ${relative(root, abs)})`);
      }
    }
  }
  expect(broken).toEqual([]);
});

it('documents every npm script, and every `npm run X` shown exists', () => {
  const undocumented = Object.keys(pkg.scripts).filter((s) => !allText.includes(`npm run ${s}`) && !['start', 'test'].includes(s));
  expect(undocumented).toEqual([]);
  const shown = [...allText.matchAll(/npm run (?:-s )?([a-z][a-z:-]*)/g)].map((m) => m[1]);
  expect(shown.length).toBeGreaterThan(5);
  expect([...new Set(shown.filter((s) => !(s in pkg.scripts)))]).toEqual([]);
});

it('names only paths that exist (src/, sandbox/, bench/, scripts/, test/)', () => {
  const missing: string[] = [];
  for (const [file, md] of docs) {
    for (const m of md.matchAll(/(?<![\w./-])(?:\.\/)?((?:src|sandbox|bench|scripts|test)\/[\w./<>*-]*)/g)) {
      let path = m[1].replace(/[.,:;]+$/, '');
      if (/[<>*]/.test(path)) continue; // a pattern such as src/<capability>/workflow.ts
      if (path.startsWith('test/')) {
        // test names are given as prefixes: `npx jest test/feedSync.e2e`, test/ledger.*
        const dir = resolve(root, dirname(path));
        const prefix = path.slice(path.lastIndexOf('/') + 1);
        if (existsSync(resolve(root, path)) || (existsSync(dir) && readdirSync(dir).some((f) => f.startsWith(prefix)))) continue;
        missing.push(`${file}: ${path}`);
        continue;
      }
      path = path.replace(/\/$/, '');
      const candidates = [path, `${path}.ts`, join(path, 'index.ts')];
      if (!candidates.some((c) => existsSync(resolve(root, c)))) missing.push(`${file}: ${path}`);
    }
  }
  expect(missing).toEqual([]);
});

it('lists in docs/configuration.md exactly the variables src/config.ts reads', () => {
  const config = docs.get('docs/configuration.md')!;
  const table = [...config.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
  expect([...table].sort()).toEqual([...CONFIG_VARIABLES].sort());
  // Any other variable named there (test-only ones) is read somewhere in the tests or benches.
  const others = [...new Set([...config.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g)].map((m) => m[1]))].filter(
    (v) => !(CONFIG_VARIABLES as string[]).includes(v),
  );
  const sources = ['test/support', 'bench']
    .flatMap((d) => walk(resolve(root, d)))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  expect(others.filter((v) => !sources.includes(v))).toEqual([]);
});

it('names only variables and constants the code has (no stale names anywhere in the docs)', () => {
  const named = new Set([...allText.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)(?:=[^`]*)?`/g)].map((m) => m[1]));
  const code = ['src', 'sandbox', 'bench', 'test', 'scripts', '.ci']
    .flatMap((d) => walk(resolve(root, d)))
    .filter((f) => !f.includes('/fixtures/') && !f.includes('/histories/') && !f.endsWith('readme.test.ts'))
    .concat(['docker-compose.yml', 'Dockerfile', 'eslint.config.mjs', 'package.json'].map((f) => resolve(root, f)))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  expect([...named].filter((n) => !code.includes(n))).toEqual([]);
});

it('gives a reason for every dependency', () => {
  const all = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)];
  const contributing = docs.get('docs/contributing.md')!;
  const deps = contributing.slice(contributing.indexOf('## Dependencies'));
  expect(all.filter((d) => !deps.includes(`\`${d}\``))).toEqual([]);
});

it('has two Quickstart commands, and .ci/run runs the test one', () => {
  const start = readme.indexOf('## Quickstart');
  const quick = readme.slice(start, readme.indexOf('\n## ', start + 5));
  const commands = [...quick.matchAll(/^(scripts\/\S+)/gm)].map((m) => m[1]);
  expect(commands).toEqual(['scripts/start', 'scripts/test']);
  const ci = read('.ci/run');
  expect(ci).toMatch(/^exec scripts\/test$/m);
});

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
