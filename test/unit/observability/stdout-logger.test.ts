/**
 * The API's logger writes its INFO lines through writeStdoutLine: each must be the line Powertools itself
 * prints for the same call, whether it holds plain values only (serialised without Powertools' replacer)
 * or errors, bigints, nested and circular objects, or meets a replacer the caller configured.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { StdoutLogger } from '#shared/observability/stdout-logger.ts';

let writes: string[];

beforeEach(() => {
  writes = [];
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string) => {
    writes.push(String(chunk));
    return true;
  }) as typeof process.stdout.write);
  vi.useFakeTimers({ now: new Date('2026-11-28T03:00:00.456Z'), toFake: ['Date'] });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** What Powertools prints for `log` with the same options, and what StdoutLogger writes. */
function both(options: ConstructorOptions, log: (l: Logger) => void): { powertools: string; ours: string } {
  const plain = new Logger(options);
  const printed: string[] = [];
  vi.spyOn((plain as unknown as { console: Console }).console, 'info').mockImplementation((line: string) => {
    printed.push(line);
  });
  log(plain);
  log(new StdoutLogger(options));
  expect(printed).toHaveLength(1);
  expect(writes).toHaveLength(1);
  return { powertools: `${printed[0]}\n`, ours: writes[0]! };
}

const OPTIONS = { serviceName: 'ai-video-api', logLevel: 'INFO' } as const;

it('writes the line Powertools prints for plain values', () => {
  const { powertools, ours } = both(OPTIONS, (l) =>
    l.info('request', {
      correlationId: 'r-1',
      status: 200,
      ok: true,
      gone: null,
      skipped: undefined,
      n: NaN,
    }),
  );
  expect(ours).toBe(powertools);
});

it('writes the line Powertools prints for errors, bigints, nested and circular objects', () => {
  const circular: Record<string, unknown> = { name: 'loop' };
  circular.self = circular;
  const error = new Error('boom');
  const { powertools, ours } = both(OPTIONS, (l) =>
    l.info('odd values', { error, big: 12n, nested: { a: [1, { b: 2n }] }, circular }),
  );
  expect(ours).toBe(powertools);
  expect(JSON.parse(ours)).toMatchObject({
    big: '12',
    nested: { a: [1, { b: '2' }] },
    circular: { name: 'loop' },
  });
});

it('applies a replacer the caller configured, also to plain values', () => {
  const options = {
    ...OPTIONS,
    jsonReplacerFn: (key: string, value: unknown) => (key === 'secret' ? '***' : value),
  };
  const { powertools, ours } = both(options, (l) => l.info('request', { secret: 'hunter2', status: 200 }));
  expect(ours).toBe(powertools);
  expect(JSON.parse(ours).secret).toBe('***');
});

it('builds no replacer for a line of plain values', () => {
  const logger = new StdoutLogger(OPTIONS);
  const replacer = vi.spyOn(logger as unknown as { getJsonReplacer(): unknown }, 'getJsonReplacer');
  logger.info('request', { correlationId: 'r-2', status: 200 });
  expect(replacer).not.toHaveBeenCalled();
  logger.info('request', { nested: { status: 200 } });
  expect(replacer).toHaveBeenCalledTimes(1);
  expect(writes).toHaveLength(2);
});
