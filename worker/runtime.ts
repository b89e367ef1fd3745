/**
 * The Temporal runtime's logging for command-line tools and tests: every log line (the native core's too)
 * goes through one logger to stderr, so stdout stays free for results such as `simulate --json`.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

let installed = false;

export function installStderrRuntime(level: LogLevel = 'WARN'): void {
  if (installed) return;
  installed = true;
  try {
    Runtime.install({
      logger: new DefaultLogger(level, (e) => process.stderr.write(`[temporal ${e.level}] ${e.message}\n`)),
      // The time-skipping server lacks some capabilities core warns about on every start; errors still show.
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
  } catch {
    // A runtime is already installed in this process (e.g. by a test harness).
  }
}
