/**
 * Names the test files that never reported an end. When a worker process dies (a native crash, a signal,
 * the kernel's OOM killer), vitest names the file and the exit code or signal in an error, and its summary
 * counts that file as neither passed nor failed. This reporter adds the test that had started last and how
 * many had ended, so a failure seen once in CI says where to look.
 */
import type { Reporter, TestCase, TestModule, TestRunEndReason } from 'vitest/node';

export default class UnfinishedFilesReporter implements Reporter {
  private readonly lastStarted = new Map<string, string>();

  onTestCaseReady(test: TestCase): void {
    this.lastStarted.set(test.module.moduleId, test.fullName);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, _errors: unknown, reason: TestRunEndReason): void {
    // An interrupted run (Ctrl+C, --bail) leaves files unrun on purpose.
    if (reason === 'interrupted') return;
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
