/**
 * `liveness-runbook simulate`: one scenario, end to end, on the time-skipping test server — the real
 * worker, the real adapters and the simulated world — so production durations pass in seconds.
 */
import { readFileSync } from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerOptions } from '@temporalio/worker';
import { createCloudPorts } from '../activities/adapters';
import { parseScenario, ScenarioError, type Scenario } from '../sim/scenario';
import { startSimulatedWorld, SIM_APPROVERS } from '../sim/run-world';
import { testServerPath } from '../worker/servers';
import { createInvestigationWorker } from '../worker';
import { installStderrRuntime } from '../worker/runtime';
import { approveRestartSignal, rejectRestartSignal, statusQuery, type InvestigationStatus } from '../workflows/messages';
import type { InvestigationResult, Step } from '../workflows/types';
import { fireAlert } from './investigations';

export type Answer = 'approve' | 'reject' | 'none';

export interface SimulateOptions {
  answer: Answer;
  approver?: string;
  reason?: string;
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Reuse a running time-skipping environment (tests); otherwise one is started and torn down. */
  env?: TestWorkflowEnvironment;
  pubsubEmulatorHost?: string;
  /** Send notifications to this Slack-compatible webhook instead of collecting them. */
  slackWebhookUrl?: string;
}

export interface SimulateOutput extends InvestigationResult {
  scenario: string;
  answer: Answer;
  /** Calls the simulated world received, per API and operation. */
  apiCalls: Record<string, number>;
  apiCallsTotal: number;
  historyEvents: number;
  worldRestarts: number;
  /** Notifications the investigation sent, one line each. */
  notifications: string[];
}

/** Reads and validates a scenario file; errors name the file and the bad field. */
export function readScenario(file: string): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ScenarioError(`${file}: ${(err as Error).message}`);
  }
  try {
    return parseScenario(raw);
  } catch (err) {
    if (err instanceof ScenarioError) throw new ScenarioError(`${file}: ${err.message}`);
    throw err;
  }
}

/**
 * Advances time-skipping time in small steps until the investigation reaches `step` or closes.
 * Returns the status seen at that step, or undefined when the workflow closed first.
 */
export async function advanceUntil(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle,
  step: Step,
  { stepMs = 10_000, maxMs = 2 * 60 * 60_000 } = {},
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


export async function simulate(scenario: Scenario, opts: SimulateOptions): Promise<SimulateOutput> {
  installStderrRuntime();
  const ownEnv = !opts.env;
  const env =
    opts.env ?? (await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServerPath() } } }));
  try {
    const alertAt = new Date(await env.currentTimeMs());
    const taskQueue = `simulate-${scenario.name}-${alertAt.getTime()}`;
    const sim = await startSimulatedWorld(scenario, alertAt, {
      taskQueue,
      pubsubEmulatorHost: opts.pubsubEmulatorHost,
      slackWebhookUrl: opts.slackWebhookUrl,
    });
    try {
      // No webhook in the simulated world: notifications are collected into the output instead.
      const notifications: string[] = [];
      const ports = createCloudPorts(sim.config, { ...sim.portOptions, log: (l) => notifications.push(l) });
      const worker = await createInvestigationWorker({
        connection: env.nativeConnection,
        namespace: env.namespace,
        config: sim.config,
        ports,
        workflowBundle: opts.workflowBundle,
      });
      const result = await worker.runUntil(async () => {
        const alert = { region: scenario.region, firedAt: alertAt.toISOString(), source: 'simulate', alertId: `sim-${alertAt.getTime()}` };
        const started = await fireAlert(env.client, sim.config, alert);
        const handle = env.client.workflow.getHandle(started.workflowId, started.runId);
        if (opts.answer !== 'none') {
          const gate = await advanceUntil(env, handle, 'awaiting-approval');
          if (gate) {
            const signal = opts.answer === 'approve' ? approveRestartSignal : rejectRestartSignal;
            await handle.signal(signal, { approver: opts.approver ?? SIM_APPROVERS[0], reason: opts.reason ?? `simulate --answer ${opts.answer}` });
          }
        }
        const r = (await handle.result()) as InvestigationResult;
        const history = await handle.fetchHistory();
        return { r, historyEvents: history.events?.length ?? 0 };
      }).finally(() => ports.close());
      const apiCalls: Record<string, number> = {};
      for (const c of sim.world.calls) apiCalls[`${c.api}.${c.op}`] = (apiCalls[`${c.api}.${c.op}`] ?? 0) + 1;
      return {
        scenario: scenario.name,
        answer: opts.answer,
        ...result.r,
        apiCalls,
        apiCallsTotal: sim.world.calls.length,
        historyEvents: result.historyEvents,
        worldRestarts: sim.world.restarts.length,
        notifications,
      };
    } finally {
      await sim.close();
    }
  } finally {
    if (ownEnv) await env.teardown();
  }
}
