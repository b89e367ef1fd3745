/**
 * Crash survival on the dev server with a SQLite file: the product's worker process is SIGKILLed while the
 * investigation waits, the server is SIGKILLed and restarted on the same file, and a worker dies right after
 * the restart call. Real time runs here, so the region's waits are shortened in its config (not in code).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { fireAlert } from '../../client/investigations';
import { startSimulatedWorld, type SimulatedWorld } from '../../sim/run-world';
import { freePort, startDevServer, type DevServer } from '../../worker/dev-server';
import { approveRestartSignal, statusQuery, type InvestigationStatus } from '../../workflows/messages';
import type { InvestigationResult, Step } from '../../workflows/types';
import { awsOutage } from '../support/fixtures';
import { spawnWorker, writeConfig, type WorkerProcess } from '../support/processes';

jest.setTimeout(240_000);

const FAST = {
  recheckIntervalSec: 2,
  blipWindowSec: 6,
  gateRecheckIntervalSec: 5,
  approvalTimeoutSec: 600,
  reminderIntervalSec: 300,
  recoveryRecheckIntervalSec: 2,
  recoveryWindowSec: 60,
};
const SIM_ENV = { AXIOM_TOKEN: 'sim-axiom-token', AWS_ACCESS_KEY_ID: 'sim', AWS_SECRET_ACCESS_KEY: 'sim' };

let dir: string;
let server: DevServer;
let port: number;
let sim: SimulatedWorld;
let connection: Connection;
let client: Client;
const workers: WorkerProcess[] = [];

async function connect(): Promise<void> {
  connection = await Connection.connect({ address: `127.0.0.1:${port}` });
  client = new Client({ connection });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'liveness-crash-'));
  port = await freePort();
  server = await startDevServer({ dbFile: join(dir, 'temporal.sqlite'), port });
  await connect();
  sim = await startSimulatedWorld(awsOutage({ restart: { recoversAfterSec: 3 } }), new Date(), {
    taskQueue: `crash-${Date.now()}`,
    thresholds: FAST,
  });
});

afterEach(async () => {
  for (const w of workers.splice(0)) await w.kill();
  await connection?.close();
  await sim?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function worker(): Promise<WorkerProcess> {
  const w = await spawnWorker(writeConfig(dir, sim.config), `127.0.0.1:${port}`, SIM_ENV);
  workers.push(w);
  return w;
}

async function waitForStep(workflowId: string, step: Step, timeoutMs = 90_000): Promise<InvestigationStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  while (Date.now() < deadline) {
    try {
      const s = await client.workflow.getHandle(workflowId).query(statusQuery);
      if (s.step === step) return s;
      if (s.step === 'done') {
        throw new Error(`investigation finished before ${step}: ${s.verdict}/${s.outcome}\n${s.timeline.map((t) => t.text).join('\n')}\n${JSON.stringify(s.evidence)}`);
      }
      last = s.step;
    } catch (err) {
      if ((err as Error).message.startsWith('investigation finished')) throw err;
      last = (err as Error).message; // no worker yet to answer the query
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`investigation did not reach ${step} (last: ${last})`);
}

async function fire(): Promise<string> {
  const { workflowId } = await fireAlert(client, sim.config, { region: 'eu-west-1', firedAt: new Date().toISOString(), source: 'crash-test' });
  return workflowId;
}

test('a worker killed during the recheck wait and again at the approval gate: the next worker carries on to the same verdict', async () => {
  const w1 = await worker();
  const id = await fire();
  await waitForStep(id, 'waiting-for-blip');
  await w1.kill();

  const w2 = await worker();
  const gate = await waitForStep(id, 'awaiting-approval');
  expect(gate.evidence.blipWait).toMatchObject({ recovered: false });
  await w2.kill();

  await worker();
  await client.workflow.getHandle(id).signal(approveRestartSignal, { approver: 'alice', reason: 'crash test' });
  const result = (await client.workflow.getHandle(id).result()) as InvestigationResult;
  expect(result).toMatchObject({ verdict: 'service-down', outcome: 'restarted-and-recovered', restarts: 1, approvedBy: 'alice' });
  expect(sim.world.restarts).toHaveLength(1);
});

test('the server SIGKILLed at the approval gate and restarted on the same SQLite file: the investigation continues', async () => {
  const w1 = await worker();
  const id = await fire();
  const before = await waitForStep(id, 'awaiting-approval');
  await w1.kill();
  await connection.close();
  await server.kill();

  server = await startDevServer({ dbFile: join(dir, 'temporal.sqlite'), port });
  await connect();
  await worker();
  const after = await waitForStep(id, 'awaiting-approval');
  expect(after.proposal?.proposedAt).toBe(before.proposal?.proposedAt);
  expect(after.evidence.service).toEqual(before.evidence.service);

  await client.workflow.getHandle(id).signal(approveRestartSignal, { approver: 'bob' });
  const result = (await client.workflow.getHandle(id).result()) as InvestigationResult;
  expect(result).toMatchObject({ verdict: 'service-down', outcome: 'restarted-and-recovered', restarts: 1, approvedBy: 'bob' });
  expect(sim.world.restarts).toHaveLength(1);
});

test('a worker killed right after the restart call: the retried activity finds the restart, exactly one happens', async () => {
  const w1 = await worker();
  let killed: Promise<void> | undefined;
  // The world kills the worker after recording the restart and before answering it.
  sim.world.onRestart = () => {
    killed = w1.kill();
  };
  const id = await fire();
  await waitForStep(id, 'awaiting-approval');
  await client.workflow.getHandle(id).signal(approveRestartSignal, { approver: 'alice' });
  const deadline = Date.now() + 60_000;
  while (!killed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(killed).toBeDefined();
  await killed;

  await worker();
  const result = (await client.workflow.getHandle(id).result()) as InvestigationResult;
  expect(result).toMatchObject({ verdict: 'service-down', outcome: 'restarted-and-recovered', restarts: 1 });
  expect(result.evidence.restart).toMatchObject({ status: 'ok', alreadyApplied: true });
  expect(sim.world.restarts).toHaveLength(1);
});
