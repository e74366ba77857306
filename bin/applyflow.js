#!/usr/bin/env node
// `npx applyflow …` / an installed `applyflow`: the CLI from its TypeScript sources, transpiled on load
// (no type check, as `npm run cli` does), so the command works in a checkout without a build step.
'use strict';
const { resolve } = require('node:path');

const root = resolve(__dirname, '..');
require('ts-node').register({ transpileOnly: true, project: resolve(root, 'tsconfig.json') });
const { runCli } = require(resolve(root, 'src', 'cli', 'index.ts'));

runCli(process.argv, { mainState: true }).then((code) => {
  process.exitCode = code;
});
