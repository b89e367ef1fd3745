/**
 * Records the histories the replay test replays: a few finished investigations, one per kind of path,
 * run on the time-skipping server against the scripted world and saved as the JSON that `temporal
 * workflow show --output json` writes.
 *
 * Run it after a deliberate, versioned change of the workflow (never to make a failing replay pass):
 *   RECORD_HISTORIES=1 npx jest test/replay
 * then review and commit test/replay/histories/*.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Scenario } from '../../sim/scenario';
import type { livenessInvestigation } from '../../workflows/investigation';
import { alertFiredSignal, approveRestartSignal, investigationId } from '../../workflows/messages';
import { awsOutage } from '../support/fixtures';
import { advanceUntil, scriptedInvestigation, timeSkippingEnv } from '../support/temporal';
import { historyToJsonText } from './history-json';

export const HISTORY_DIR = join(__dirname, 'histories');

/** Every recorded investigation uses the product's own workflow ID; replay needs it passed back in. */
export const RECORDED_REGION = 'eu-west-1';
export const RECORDED_WORKFLOW_ID = investigationId(RECORDED_REGION);

type Handle = WorkflowHandle<typeof livenessInvestigation>;

interface Recording {
  name: string;
  scenario: Scenario;
  /** Drives the run to its end (signals at the right moments); the default just awaits the result. */
  drive?: (env: TestWorkflowEnvironment, handle: Handle) => Promise<unknown>;
}

const RECORDINGS: Recording[] = [
  { name: 'transient-blip', scenario: awsOutage({ heartbeats: [{ from: -3600, to: -180, everySec: 10 }, { from: 45, everySec: 10 }] }) },
  {
    name: 'heartbeat-path-failure-with-repeat-alert',
    scenario: awsOutage({ jobTraces: [{ from: -3600, everySec: 20 }] }),
    drive: async (env, handle) => {
      await advanceUntil(env, handle, 'waiting-for-blip');
      await handle.signal(alertFiredSignal, { region: RECORDED_REGION, firedAt: new Date(await env.currentTimeMs()).toISOString(), source: 'axiom' });
      return handle.result();
    },
  },
  {
    name: 'service-down-refused-then-approved-recovered',
    scenario: awsOutage(),
    drive: async (env, handle) => {
      await advanceUntil(env, handle, 'awaiting-approval');
      await handle.signal(approveRestartSignal, { approver: 'mallory' });
      await env.sleep(90_000);
      await handle.signal(approveRestartSignal, { approver: 'alice', reason: 'OOM loop' });
      return handle.result();
    },
  },
  { name: 'service-down-approval-timed-out', scenario: awsOutage() },
];

/** Runs every recording and writes `<name>.json`; returns the files written. */
export async function recordHistories(dir = HISTORY_DIR): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const env = await timeSkippingEnv();
  const written: string[] = [];
  try {
    for (const r of RECORDINGS) {
      const inv = await scriptedInvestigation(env, r.scenario, { workflowId: RECORDED_WORKFLOW_ID });
      const history = await inv.run(async (handle) => {
        await (r.drive ? r.drive(env, handle) : handle.result());
        return handle.fetchHistory();
      });
      const file = join(dir, `${r.name}.json`);
      writeFileSync(file, historyToJsonText(history));
      written.push(file);
    }
  } finally {
    await env.teardown();
  }
  return written;
}
