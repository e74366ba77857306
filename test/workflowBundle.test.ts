/**
 * The workflow bundle stays deterministic and small: no zod, HTTP, database or Node I/O code may be pulled
 * into it through an import chain (the bundle is loaded per cached workflow context).
 */
import { bundleWorkflowCode } from '@temporalio/worker';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

it('bundles only workflow code, pure helpers and the SDK', async () => {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../src/workflows'),
    logger: quiet,
  });
  const modules = [...code.matchAll(/\/\*\*\*\/ "\.\/([^"]+)"/g)].map((m) => m[1]);
  expect(modules).toContain('src/campaign/workflow.ts');
  const forbidden = modules.filter((m) =>
    /node_modules\/(zod|undici|pg|better-sqlite3|fastify|commander)\/|src\/(jobo\/(client|http|schemas|failures)|store|api|cli|codec)\b|src\/([^/]+\/)?activities\.ts|sandbox\//.test(
      m,
    ),
  );
  expect(forbidden).toEqual([]);
  expect(code.length).toBeLessThan(3_000_000);
});
