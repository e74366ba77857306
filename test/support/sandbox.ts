// Tests start the real sandbox in-process on a free port: `const sb = await startSandbox({ seed: 1 })`,
// then `await sb.close()` in afterAll.
export { startSandbox } from '../../sandbox/server';
