/** Real processes for end-to-end tests: the product's own worker, started through its CLI entry point. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../../config/schema';

const BIN = join(__dirname, '..', '..', 'bin', 'liveness-runbook.js');

export interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  kill(): Promise<void>;
}

/** Writes the config as the operator's JSON file would be. */
export function writeConfig(dir: string, config: AppConfig): string {
  const file = join(dir, 'regions.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Starts `liveness-runbook worker` and resolves once it polls its task queue. */
export async function spawnWorker(configFile: string, temporalAddress: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [BIN, 'worker'], {
    env: {
      ...process.env,
      LIVENESS_CONFIG: configFile,
      TEMPORAL_ADDRESS: temporalAddress,
      LIVENESS_WORKFLOW_BUNDLE: process.env.LIVENESS_TEST_WORKFLOW_BUNDLE ?? '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output.push(String(d));
      if (String(d).includes('[worker] task queue')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => output.push(String(d)));
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${output.join('')}`)));
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`worker not ready after 60 s:\n${output.join('')}`)), 60_000).unref());
  await Promise.race([ready, timeout]);
  return {
    child,
    output,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
