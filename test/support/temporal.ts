/**
 * Test harness: real Temporal servers (the project's own binaries), a worker per test with its own task
 * queue, and the workflow bundle built once by global setup.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { advanceUntil } from '../../client/simulate';
import { installStderrRuntime } from '../../worker/runtime';
import type { WorkflowHandle } from '@temporalio/client';
import { testServerPath } from '../../worker/servers';
import { createActivities } from '../../activities';
import type { Notification, Ports } from '../../activities/ports';
import type { AppConfig } from '../../config/schema';
import type { Scenario } from '../../sim/scenario';
import { World } from '../../sim/world';
import type { livenessInvestigation } from '../../workflows/investigation';
import { INVESTIGATION_WORKFLOW, investigationId, statusQuery, type InvestigationStatus } from '../../workflows/messages';
import type { Alert, InvestigationResult, Step } from '../../workflows/types';
import { configFor } from './fixtures';
import { memoryPorts } from './memory-ports';

/** Worker and core logs go to stderr, core below ERROR filtered, so test output stays readable. */
export function quietRuntime(): void {
  installStderrRuntime('WARN');
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

export { advanceUntil };

/** One investigation against a scripted world: the world, the notifications sent, and how to drive it. */
export interface ScriptedInvestigation {
  world: World;
  sent: Notification[];
  alert: Alert;
  workflowId: string;
  taskQueue: string;
  worker: Worker;
  /**
   * Starts the workflow and runs `drive` with its handle while the worker runs; resolves with what `drive`
   * returns. The default drive just awaits the result (time skips while the result is awaited).
   */
  run<T = InvestigationResult>(drive?: (handle: WorkflowHandle<typeof livenessInvestigation>) => Promise<T>): Promise<T>;
}

/**
 * Prepares an investigation of `scenario`, with the alert firing at the test server's current time (so the
 * world and the workflow share one clock) and production default thresholds unless `config` says otherwise.
 */
export async function scriptedInvestigation(
  env: TestWorkflowEnvironment,
  scenario: Scenario,
  {
    config,
    workflowId,
    ports = (p) => p,
  }: {
    config?: AppConfig;
    workflowId?: string;
    /** Wraps the scripted ports, e.g. to hold a notification until the test has sent a signal. */
    ports?: (scripted: Ports) => Ports;
  } = {},
): Promise<ScriptedInvestigation> {
  const firedAt = new Date(await env.currentTimeMs());
  const world = new World(scenario, firedAt);
  const sent: Notification[] = [];
  const taskQueue = uniqueQueue(scenario.name);
  const activities = createActivities(config ?? configFor(scenario.region, scenario.cloud), ports(memoryPorts(world, sent)));
  const worker = await createTestWorker(env, taskQueue, activities);
  const alert: Alert = { region: scenario.region, firedAt: firedAt.toISOString(), source: 'test' };
  const id = workflowId ?? `${investigationId(scenario.region)}-${taskQueue}`;
  return {
    world,
    sent,
    alert,
    workflowId: id,
    taskQueue,
    worker,
    run: (drive = (h) => h.result() as Promise<never>) =>
      worker.runUntil(async () => {
        const handle = await env.client.workflow.start<typeof livenessInvestigation>(INVESTIGATION_WORKFLOW, {
          taskQueue,
          workflowId: id,
          args: [alert],
        });
        try {
          return await drive(handle);
        } finally {
          // A run left open (a failed assertion mid-drive) would keep a workflow task pending with no
          // worker to take it, and the time-skipping server would never skip time again for later tests.
          await closeIfRunning(handle);
        }
      }),
  };
}

/** Terminates the workflow if it is still running; a finished one is left as it is. */
export async function closeIfRunning(handle: WorkflowHandle): Promise<void> {
  try {
    if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('test finished');
  } catch {
    // Already closed between describe and terminate.
  }
}

/**
 * One time-skipping environment for a test file, handed to `use` before the tests run and torn down after.
 * Workflow tests take about a second each there; a hang is infrastructure, not a verdict, so each test
 * fails fast and is tried once more, with the first failure logged.
 */
export function useTimeSkippingEnv(use: (env: TestWorkflowEnvironment) => void): void {
  jest.setTimeout(60_000);
  jest.retryTimes(1, { logErrorsBeforeRetry: true });
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await timeSkippingEnv();
    use(env);
  });
  afterAll(async () => {
    await env?.teardown();
  });
}
