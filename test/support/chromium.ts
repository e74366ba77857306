/**
 * Debian's headless Chromium for the UI test: installed from apt when missing (like PostgreSQL in
 * postgres.ts); never skips: if it cannot be installed, the caller's set-up fails with the reason.
 * Driven over the DevTools protocol (undici's WebSocket), because the Temporal UI keeps long polls open
 * and a `--dump-dom` run would never see the page settle.
 */
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { WebSocket } from 'undici';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function ensureChromium(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  }
  const installed = CANDIDATES.find((p) => existsSync(p));
  if (!installed) throw new Error('chromium installed but no chromium binary found');
  return installed;
}

export interface PageText {
  /** The page's visible text once `until` held (or at the deadline). */
  text: string;
  /** A PNG of the page at that moment. */
  screenshot: Buffer;
}

/** Opens `url` and polls the page's visible text until `until(text)` or `timeoutMs`. */
export async function loadPage(chromium: string, url: string, until: (text: string) => boolean, timeoutMs = 60_000): Promise<PageText> {
  const profile = mkdtempSync(join(tmpdir(), 'applyflow-chromium-'));
  const proc = spawn(
    chromium,
    [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--window-size=1400,1000',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    // Its own process group, so its helper processes (renderer, GPU, ...) end with it.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let page: PageText;
  try {
    page = await drivePage(proc, url, until, timeoutMs);
  } catch (err) {
    // The page's failure is the one to report; a profile that also resists removal would only hide it.
    await stopChromium(proc, profile).catch(() => undefined);
    throw err;
  }
  await stopChromium(proc, profile);
  return page;
}

async function drivePage(
  proc: ChildProcessByStdio<null, null, Readable>,
  url: string,
  until: (text: string) => boolean,
  timeoutMs: number,
): Promise<PageText> {
  const browserWs = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${err}`)), 30_000);
    proc.stderr.on('data', (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => reject(new Error(`chromium exited (${code}):\n${err}`)));
  });
  const { host } = new URL(browserWs);
  const targets = (await (await fetch(`http://${host}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(targets.find((t) => t.type === 'page')!.webSocketDebuggerUrl);
  await new Promise((res, rej) => ((ws.onopen = res), (ws.onerror = rej)));
  let nextId = 0;
  const pending = new Map<number, (v: any) => void>(); // eslint-disable-line @typescript-eslint/no-explicit-any
  ws.onmessage = (ev) => {
    const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  };
  const send = <T>(method: string, params: Record<string, unknown> = {}) =>
    new Promise<T>((res) => {
      const id = ++nextId;
      pending.set(id, res as (v: unknown) => void);
      ws.send(JSON.stringify({ id, method, params }));
    });
  try {
    await send('Page.navigate', { url });
    const deadline = Date.now() + timeoutMs;
    let text = '';
    for (;;) {
      const r = await send<{ result: { value?: string } }>('Runtime.evaluate', {
        expression: 'document.body ? document.body.innerText : ""',
        returnByValue: true,
      });
      text = r.result.value ?? '';
      if (until(text) || Date.now() > deadline) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    const shot = await send<{ data: string }>('Page.captureScreenshot', { format: 'png' });
    return { text, screenshot: Buffer.from(shot.data, 'base64') };
  } finally {
    ws.close();
  }
}

/** Kills the browser's process group and removes its profile directory. */
async function stopChromium(proc: ChildProcessByStdio<null, null, Readable>, profile: string): Promise<void> {
  const exited = new Promise((res) => (proc.exitCode !== null || proc.signalCode !== null ? res(null) : proc.once('exit', res)));
  try {
    process.kill(-proc.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
  await exited;
  // Helpers may still be writing the profile for a moment after the group was killed.
  for (let i = 0; ; i++) {
    try {
      rmSync(profile, { recursive: true, force: true });
      break;
    } catch (err) {
      if (i >= 20) throw err;
      await new Promise((res) => setTimeout(res, 250));
    }
  }
}
