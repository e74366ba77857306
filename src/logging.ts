/**
 * Quiet by default: the SDK's own INFO lines (webpack's bundle report, worker state changes) are demoted
 * to DEBUG, so at the default LOG_LEVEL=INFO a terminal shows the main job's lines and our workflows' and
 * activities' logs; LOG_LEVEL=DEBUG (or TRACE) shows everything again. Warnings and errors always show.
 */
import { DefaultLogger, type LogEntry, type LogLevel, type LogMetadata, type Logger } from '@temporalio/worker';

const CHATTY_COMPONENTS = new Set(['worker', 'core']);

export class QuietSdkLogger implements Logger {
  private readonly inner: DefaultLogger;

  /** `sink`: where entries go (default: the SDK's console format). */
  constructor(level: LogLevel, sink?: (entry: LogEntry) => void) {
    this.inner = sink ? new DefaultLogger(level, sink) : new DefaultLogger(level);
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const component: unknown = meta?.sdkComponent;
    const demoted = level === 'INFO' && typeof component === 'string' && CHATTY_COMPONENTS.has(component);
    this.inner.log(demoted ? 'DEBUG' : level, message, meta);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
