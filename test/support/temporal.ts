/**
 * Test harness: real Temporal servers (the project's own binaries), a worker per test with its own task
 * queue, and the workflow bundle built once by global setup.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { testServerPath } from '../../worker/servers';
import { statusQuery, type InvestigationStatus } from '../../workflows/messages';
import type { Step } from '../../workflows/types';

let runtimeInstalled = false;
/** Keeps worker logs to warnings so test output stays readable. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed by an earlier call in this process.
  }
}

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath() } },
  });
}

export function workflowBundle(): { codePath: string } | undefined {
  const codePath = process.env.LIVENESS_TEST_WORKFLOW_BUNDLE;
  return codePath ? { codePath } : undefined;
}

export function uniqueQueue(name: string): string {
  return `test-${name}-${randomUUID().slice(0, 8)}`;
}

export async function createTestWorker(env: TestWorkflowEnvironment, taskQueue: string, activities: object): Promise<Worker> {
  const bundle = workflowBundle();
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities,
    ...(bundle ? { workflowBundle: bundle } : { workflowsPath: require.resolve('../../workflows') }),
  });
}

/**
 * Advances time-skipping time in small steps until the investigation reaches `step` or closes.
 * Returns the last status seen, or undefined when the workflow closed first.
 */
export async function advanceUntil(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle,
  step: Step,
  { stepMs = 10_000, maxMs = 60 * 60_000 } = {},
): Promise<InvestigationStatus | undefined> {
  for (let waited = 0; waited <= maxMs; waited += stepMs) {
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') return undefined;
    const s = await handle.query(statusQuery);
    if (s.step === step) return s;
    await env.sleep(stepMs);
  }
  throw new Error(`investigation did not reach step ${step} within ${maxMs} ms of workflow time`);
}
