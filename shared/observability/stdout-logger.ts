import { Logger, type LogItem, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { writeStdoutLine } from './stdout-lines.ts';

/**
 * The Powertools logger whose stdout lines (INFO and below) go through writeStdoutLine, so that an API
 * request's log line can leave in the same write as its metric and audit lines. The line is the one
 * Powertools prints (same formatter, same JSON replacer, no indentation); warnings and errors still go to
 * stderr through the logger's own console, and with POWERTOOLS_DEV set (the global console, indented JSON)
 * everything is left to Powertools.
 */
export class StdoutLogger extends Logger {
  /** No replacer of the caller's: a line of plain values then serialises the same without Powertools'. */
  readonly #ownReplacerOnly: boolean;

  constructor(options?: ConstructorOptions) {
    super(options);
    this.#ownReplacerOnly = !options?.jsonReplacerFn;
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    // Read per line, not kept in a field: Powertools prints lines logged during its constructor from there.
    const ownConsole = (this as unknown as { console: Console }).console !== console;
    if (logLevel > LogLevelThreshold.INFO || !ownConsole) {
      super.printLog(logLevel, log);
      return;
    }
    log.prepareForPrint();
    const attributes = log.getAttributes();
    // Powertools' replacer only changes errors, bigints, other objects (circular references) and what a
    // caller's replacer changes. The request line holds none, so it skips building and calling one per value.
    writeStdoutLine(
      this.#ownReplacerOnly && plainValues(attributes)
        ? JSON.stringify(attributes)
        : JSON.stringify(attributes, this.getJsonReplacer()),
    );
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new StdoutLogger(options);
  }
}

/** Whether every value is a string, number, boolean, null or undefined. */
function plainValues(attributes: Record<string, unknown>): boolean {
  for (const key in attributes) {
    const value = attributes[key];
    const type = typeof value;
    if (
      value !== null &&
      type !== 'string' &&
      type !== 'number' &&
      type !== 'boolean' &&
      type !== 'undefined'
    )
      return false;
  }
  return true;
}
