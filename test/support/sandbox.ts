// Tests start the real sandbox in-process on a free port: `const sb = await startSandbox({ seed: 1 })`,
// then `await sb.close()` in afterAll.
import { startSandbox as start, type SandboxOptions } from '../../sandbox/server';

/** SANDBOX_FORMS=v3 runs a suite against the published 3.0.0 form-field shape (see sandbox/shapes.ts). */
export function startSandbox(opts: SandboxOptions = {}) {
  const forms = process.env.SANDBOX_FORMS;
  if (forms !== 'v3' && forms !== 'applyflow') return start(opts);
  return start({ ...opts, shapes: { forms, ...opts.shapes } });
}
