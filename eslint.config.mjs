// ESLint flat config: type-aware typescript-eslint over everything tsconfig.json includes, the recommended
// sets, and import fences that keep the deterministic workflow bundle free of I/O. Formatting is Prettier's
// job (eslint-config-prettier turns off every rule that would fight it).
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import ts from 'typescript';

// Files the worker bundles with webpack and runs in the deterministic workflow sandbox: the entry, every
// workflow and messages file, shared helpers, and whatever else they import by value, followed from
// src/workflows.ts at load time so a new state class or helper is fenced without editing this list
// (`import type` is erased, so it is not followed and stays allowed). test/lint.config.test.ts checks it.
const WORKFLOW_BUNDLE_GLOBS = ['src/workflows.ts', 'src/*/workflow.ts', 'src/*/messages.ts', 'src/shared/**/*.ts'];

function valueImportClosure(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
    for (const st of source.statements) {
      const typeOnly =
        (ts.isImportDeclaration(st) && (st.importClause?.isTypeOnly || onlyTypes(st.importClause?.name, st.importClause?.namedBindings))) ||
        (ts.isExportDeclaration(st) && (st.isTypeOnly || onlyTypes(undefined, st.exportClause)));
      const spec =
        (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)
          ? st.moduleSpecifier.text
          : '';
      if (typeOnly || !spec.startsWith('.')) continue;
      const base = resolve(dirname(file), spec);
      const found = [`${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f));
      if (found) visit(found);
    }
  };
  visit(resolve(projectRoot, entry));
  return [...seen].map((f) => relative(projectRoot, f));
}

/** `{ type A, type B }` imports only types; `{ a, type B }`, a default, a namespace or a bare import bring code. */
function onlyTypes(defaultName, bindings) {
  if (defaultName) return false;
  const elements = bindings && (ts.isNamedImports(bindings) || ts.isNamedExports(bindings)) ? bindings.elements : undefined;
  return !!elements && elements.length > 0 && elements.every((e) => e.isTypeOnly);
}

const projectRoot = import.meta.dirname;
export const WORKFLOW_BUNDLE_FILES = [...new Set([...WORKFLOW_BUNDLE_GLOBS, ...valueImportClosure('src/workflows.ts')])];

const bundleWhy = 'is bundled into the deterministic workflow sandbox';
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));

const workflowImportFence = {
  paths: [
    ...nodeBuiltins.map((name) => ({
      name,
      message: `Node built-ins do I/O or are nondeterministic; this file ${bundleWhy}. Do it in an activity.`,
    })),
    ...['zod', 'undici', 'fastify', 'pg', 'better-sqlite3', '@temporalio/activity', '@temporalio/client', '@temporalio/worker'].map(
      (name) => ({
        name,
        message: `${name} does I/O or is too heavy for workflow code; this file ${bundleWhy}. Validate at the edges, do I/O in activities.`,
        allowTypeImports: true,
      }),
    ),
  ],
  patterns: [
    {
      group: ['node:*'],
      message: `Node built-ins do I/O or are nondeterministic; this file ${bundleWhy}. Do it in an activity.`,
    },
    {
      group: ['@fastify/*', 'fastify-*', 'zod/*', 'undici/*', 'pg-*'],
      message: `Server, HTTP and validation libraries stay out of workflow code; this file ${bundleWhy}.`,
      allowTypeImports: true,
    },
    {
      group: [
        '**/store',
        '**/store/*',
        '**/jobo/http',
        '**/jobo/client',
        '**/jobo/schemas',
        '**/codec',
        '**/codec/*',
        '**/config',
        '**/logging',
      ],
      message: `Stores, the upstream client, the codec, config and logging do I/O; this file ${bundleWhy}. Call an activity.`,
      allowTypeImports: true,
    },
    {
      group: ['**/activities', '**/*/activities'],
      message: `Activities run on the worker, not in the workflow sandbox; import their types only (import type) and call them through proxyActivities.`,
      allowTypeImports: true,
    },
  ],
};

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'coverage/', '.tools/', '.data/', '**/*.py'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: projectRoot,
      },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // `_`-prefixed names are the convention for a deliberately unused parameter or destructured rest.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // An `async` method without `await` is how this code implements Promise-returning interfaces (stores,
      // activities, handlers); the rule's fix (drop `async`) would turn a throw into a synchronous exception.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests read JSON and YAML from real servers, files and child processes, whose honest type is `any`;
    // the assertions are the check. Support code keeps the full set; a declared `any` still needs its
    // eslint-disable comment.
    files: ['test/**/*.ts'],
    ignores: ['test/support/**'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Tests hand activity functions to MockActivityEnvironment.run unbound, exactly as the worker registers
    // them; activity objects never use `this`.
    files: ['test/**/*.test.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    files: WORKFLOW_BUNDLE_FILES,
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', workflowImportFence],
    },
  },
  {
    // Plain JavaScript (bin, scripts, jest config and reporter) is outside the TypeScript program.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
