/**
 * `npm run sandbox`: the Jobo sandbox on its own, configured from the environment (SANDBOX_HOST,
 * SANDBOX_PORT, SANDBOX_SEED, SANDBOX_JOBS, SANDBOX_CHURN_INTERVAL_MS, JOBO_API_KEY). The simulated clock
 * follows real time so a running demo keeps seeing new, edited and expired jobs.
 */
import { ConfigError, loadConfig } from '../src/config';
import { DEMO_PROFILES } from './demoProfiles';
import { startSandbox } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const { host, port, seed, jobs, churnIntervalMs } = config.sandbox;
  const sandbox = await startSandbox({ host, port, seed, jobs, apiKey: config.jobo.apiKey, churnIntervalMs, demoProfiles: true });
  console.log(`Jobo sandbox listening on ${sandbox.url} (seed ${seed}, ${jobs} jobs)`);
  console.log(`  API key: ${config.jobo.apiKey ? '(JOBO_API_KEY)' : sandbox.apiKey}`);
  console.log(
    `  try: curl -s -X POST ${sandbox.url}/api/jobs/feed -H 'X-Api-Key: ${config.jobo.apiKey ? '$JOBO_API_KEY' : sandbox.apiKey}' -H 'Content-Type: application/json' -d '{"batch_size":2}'`,
  );
  for (const d of DEMO_PROFILES)
    console.log(`  demo profile ${d.id}  ${d.body.contact.first_name} ${d.body.contact.last_name} (${d.summary})`);
  console.log(`  admin: ${sandbox.url}/__admin/health, /__admin/ground-truth/jobs, /__admin/faults, /__admin/stats`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await sandbox.close();
    process.exit(0);
  };
  // A failed close still ends the process, with its reason on stderr.
  const onSignal = () => {
    stop().catch((err) => {
      console.error(err);
      process.exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
