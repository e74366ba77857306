/**
 * The lint fence that keeps I/O out of the workflow bundle: it covers every file the bundle really imports
 * (the import closure of src/workflows.ts, read with the TypeScript parser), and it refuses what it should.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(__dirname, '..');
const FENCE = '@typescript-eslint/no-restricted-imports';

/** Files reached from `entry` through imports and re-exports that stay in the emitted JavaScript. */
function valueImportClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const st of source.statements) {
      let spec: string | undefined;
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
        const clause = st.importClause;
        const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
        const typeOnly = clause?.isTypeOnly || (clause && !clause.name && named && named.length > 0 && named.every((e) => e.isTypeOnly));
        if (!typeOnly) spec = st.moduleSpecifier.text;
      } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
        const named = st.exportClause && ts.isNamedExports(st.exportClause) ? st.exportClause.elements : undefined;
        if (!st.isTypeOnly && !(named && named.every((e) => e.isTypeOnly))) spec = st.moduleSpecifier.text;
      }
      if (!spec?.startsWith('.')) continue;
      const base = resolve(dirname(file), spec);
      const found = [`${base}.ts`, resolve(base, 'index.ts')].find((c) => existsSync(c));
      if (found) visit(found);
    }
  };
  visit(resolve(root, entry));
  return [...seen].map((f) => relative(root, f)).sort();
}

const CASES: Record<string, string> = {
  nodeScheme: "import { readFileSync } from 'node:fs';",
  bareBuiltin: "import * as path from 'path';",
  crypto: "import { randomUUID } from 'crypto';",
  zod: "import { z } from 'zod';",
  undici: "import { request } from 'undici';",
  fastify: "import Fastify from 'fastify';",
  pg: "import { Pool } from 'pg';",
  sqlite: "import Database from 'better-sqlite3';",
  store: "import { ledgerFor } from '../store/ledger';",
  joboClient: "import { JoboClient } from '../jobo/client';",
  activitiesValue: "import { feedSyncActivities } from './activities';",
  typeOnlyZod: "import type { z } from 'zod';",
  typeOnlyStore: "import type { LedgerRow } from '../store/ledger';",
  typeOnlyActivities: "import type { FeedSyncActivities } from './activities';",
  sdk: "import { proxyActivities } from '@temporalio/workflow';",
  pureHelper: "import { applicationFailureIn } from '../shared/failures';",
};

interface Answers {
  /** The fence's severity per bundled file, from the config ESLint computes for it (2 = error). */
  severities: Record<string, unknown>;
  /** The rules each case breaks, linted as `path`. */
  linted: Record<string, Record<string, string[]>>;
}

/** ESLint's own answers, from a child process: its config is an ES module, which jest's module sandbox cannot load. */
function askEslint(files: string[], lintAs: string[]): Answers {
  const script = `
    import { ESLint } from 'eslint';
    import tseslint from 'typescript-eslint';
    const { files, lintAs, cases } = JSON.parse(process.argv[1]);
    const severities = {};
    const configured = new ESLint();
    for (const f of files) severities[f] = ((await configured.calculateConfigForFile(f)).rules ?? {})[${JSON.stringify(FENCE)}]?.[0] ?? null;
    // Syntax only: the fence needs no type information, and the snippets are not in the TypeScript program.
    const eslint = new ESLint({ overrideConfig: [tseslint.configs.disableTypeChecked, { rules: { '@typescript-eslint/no-unused-vars': 'off' } }] });
    const linted = {};
    for (const filePath of lintAs) {
      linted[filePath] = {};
      for (const [name, code] of Object.entries(cases)) {
        const [result] = await eslint.lintText(code + '\\n', { filePath });
        linted[filePath][name] = result.messages.map((m) => m.ruleId);
      }
    }
    console.log(JSON.stringify({ severities, linted }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify({ files, lintAs, cases: CASES })], {
    cwd: root,
    encoding: 'utf8',
  });
  return JSON.parse(out) as Answers;
}

describe('lint: the workflow bundle fence', () => {
  const bundled = valueImportClosure('src/workflows.ts');
  let answers: Answers;
  beforeAll(() => {
    answers = askEslint(bundled, ['src/feedSync/workflow.ts', 'src/feedSync/activities.ts']);
  });

  test('covers every file the workflow bundle imports', () => {
    expect(bundled).toEqual(expect.arrayContaining(['src/workflows.ts', 'src/feedSync/workflow.ts', 'src/shared/failures.ts']));
    // A file missing here would let Node or I/O code into the bundle unnoticed.
    expect(answers.severities).toEqual(Object.fromEntries(bundled.map((f) => [f, 2])));
  });

  test('refuses Node built-ins, zod, undici, fastify, pg, better-sqlite3 and store code; allows type imports and the SDK', () => {
    const refused = Object.keys(CASES).filter((k) => !/^(typeOnly|sdk|pureHelper)/.test(k));
    const inWorkflow = answers.linted['src/feedSync/workflow.ts'];
    expect(Object.keys(inWorkflow).filter((k) => inWorkflow[k].includes(FENCE))).toEqual(refused);
    // The same imports are fine where I/O belongs.
    expect(Object.values(answers.linted['src/feedSync/activities.ts']).flat()).not.toContain(FENCE);
  });
});
