/**
 * Keeps the README true: every configuration variable, npm script and dependency is documented, every
 * `npm run X` it shows exists, and .ci/run runs exactly the Quickstart's test command.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_VARIABLES } from '../src/config';

const root = resolve(__dirname, '..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

it('documents every configuration variable', () => {
  const missing = CONFIG_VARIABLES.filter((v) => !readme.includes(`\`${v}\``));
  expect(missing).toEqual([]);
});

it('documents every npm script, and every `npm run X` it shows exists', () => {
  const undocumented = Object.keys(pkg.scripts).filter(
    (s) => !readme.includes(`npm run ${s}`) && !['start', 'test'].includes(s),
  );
  expect(undocumented).toEqual([]);
  const shown = [...readme.matchAll(/npm run (?:-s )?([a-z][a-z:-]*)/g)].map((m) => m[1]);
  expect(shown.length).toBeGreaterThan(5);
  expect(shown.filter((s) => !(s in pkg.scripts))).toEqual([]);
});

it('gives a reason for every dependency', () => {
  const all = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)];
  const deps = readme.slice(readme.indexOf('## Dependencies'));
  expect(all.filter((d) => !deps.includes(`\`${d}\``))).toEqual([]);
});

it('has two Quickstart commands, and .ci/run runs the test one', () => {
  const quick = readme.slice(readme.indexOf('## Quickstart'), readme.indexOf('\n## ', readme.indexOf('## Quickstart') + 5));
  const commands = [...quick.matchAll(/^(scripts\/\S+)/gm)].map((m) => m[1]);
  expect(commands).toEqual(['scripts/start', 'scripts/test']);
  const ci = readFileSync(resolve(root, '.ci/run'), 'utf8');
  expect(ci).toMatch(/^exec scripts\/test$/m);
});
