/**
 * Names the test files that never reported an end. When a worker process dies (a native crash, a signal,
 * the kernel's OOM killer), vitest says only "Worker exited unexpectedly", and its summary counts the file
 * it was running as neither passed nor failed. This reporter prints that file, its project, the test that
 * had started last and the ones that had ended, so a failure seen once in CI says where to look.
 */
import type { Reporter, TestCase, TestModule } from 'vitest/node';

export default class UnfinishedFilesReporter implements Reporter {
  private readonly lastStarted = new Map<string, string>();

  onTestCaseReady(test: TestCase): void {
    this.lastStarted.set(test.module.moduleId, test.fullName);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const unfinished = modules.filter((m) => m.state() === 'queued' || m.state() === 'pending');
    if (!unfinished.length) return;
    const lines = ['', `${unfinished.length} test file(s) never reported an end (their worker died?):`];
    for (const m of unfinished) {
      const ended = [...m.children.allTests()].filter((t) => t.result().state !== 'pending').length;
      lines.push(
        `  ${m.relativeModuleId} [${m.project.name}]: ${ended} test(s) ended; ` +
          `last started: ${this.lastStarted.get(m.moduleId) ?? '(none)'}`,
      );
    }
    process.stderr.write(`${lines.join('\n')}\n`);
  }
}
