/**
 * Quiet by default: through the logger the main job and `npm run worker` install, a real bundle of our
 * workflows (the SDK's webpack report) shows only from LOG_LEVEL=DEBUG; our own components' INFO lines and
 * everyone's warnings show at INFO.
 */
import { bundleWorkflowCode, type LogEntry, type LogLevel, type LogMetadata, type Logger } from '@temporalio/worker';
import { QuietSdkLogger } from '../src/logging';
import { WORKFLOWS_PATH } from '../src/worker';

/** The logger as Worker.create hands it to the bundler: every entry tagged with the worker component. */
function asWorker(logger: Logger): Logger {
  const tag = (meta?: LogMetadata) => ({ sdkComponent: 'worker', ...meta });
  return {
    log: (level, message, meta) => logger.log(level, message, tag(meta)),
    trace: (message, meta) => logger.trace(message, tag(meta)),
    debug: (message, meta) => logger.debug(message, tag(meta)),
    info: (message, meta) => logger.info(message, tag(meta)),
    warn: (message, meta) => logger.warn(message, tag(meta)),
    error: (message, meta) => logger.error(message, tag(meta)),
  };
}

async function bundleLog(level: LogLevel): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: asWorker(new QuietSdkLogger(level, (e) => entries.push(e))) });
  return entries;
}

test('the bundle report is hidden at INFO and shown at DEBUG', async () => {
  const atInfo = await bundleLog('INFO');
  expect(atInfo.filter((e) => /webpack|Workflow bundle created/.test(e.message))).toEqual([]);
  const atDebug = await bundleLog('DEBUG');
  expect(atDebug.some((e) => /webpack .* compiled/.test(e.message))).toBe(true);
  expect(atDebug.some((e) => e.message === 'Workflow bundle created' && e.level === 'DEBUG')).toBe(true);
}, 120_000);

test("our workflows' and activities' INFO lines and the SDK's warnings stay at INFO", () => {
  const entries: LogEntry[] = [];
  const logger = new QuietSdkLogger('INFO', (e) => entries.push(e));
  logger.info('feed sync done', { sdkComponent: 'workflow' });
  logger.info('page fetched', { sdkComponent: 'activity' });
  logger.info('Worker state changed', { sdkComponent: 'worker' });
  logger.warn('slow activation', { sdkComponent: 'worker' });
  logger.info('core says hi', { sdkComponent: 'core' });
  expect(entries.map((e) => [e.level, e.message])).toEqual([
    ['INFO', 'feed sync done'],
    ['INFO', 'page fetched'],
    ['WARN', 'slow activation'],
  ]);
});
