// A valid Config for tests without reading the developer's environment; override what the test needs.
import { loadConfig, type Config } from '../../src/config';

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig(env);
}
