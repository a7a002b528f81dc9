/**
 * The local environment's warnings and errors, kept in memory while a test runs and printed only when it
 * fails: a job that ends FAILED in CI then shows why (its task's error), without every passing test's
 * expected failures filling the output.
 */
import { Logger, type LogItem, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';

const KEPT = 200;
const lines: string[] = [];

class KeepingLogger extends Logger {
  protected override printLog(logLevel: number, log: LogItem): void {
    // A test that lowered the level (to read the request lines on stdout) gets them printed as before.
    const level = this.getLevelName() as keyof typeof LogLevelThreshold;
    if (LogLevelThreshold[level] < LogLevelThreshold.WARN) super.printLog(logLevel, log);
    else log.prepareForPrint();
    if (logLevel < LogLevelThreshold.WARN) return;
    lines.push(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
    if (lines.length > KEPT) lines.shift();
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new KeepingLogger(options);
  }
}

/** A logger for a test's environment: WARN and above, kept for failureLogs. */
export const keepingLogger = () => new KeepingLogger({ serviceName: 'ai-video-local', logLevel: 'WARN' });

/** What the environments logged since the last call, oldest first; the store is emptied. */
export function takeFailureLogs(): string[] {
  return lines.splice(0);
}
