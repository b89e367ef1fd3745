/**
 * Every shipped scenario, end to end through `simulate`: the time-skipping server with production
 * durations, the real worker and adapters, the simulated world on the wire (and the real Pub/Sub emulator
 * for GCP). Each scenario file carries the answer to give and what it must conclude.
 */
import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { simulate, type SimulateOutput } from '../client/simulate';
import { startPubsubEmulator } from '../sim/pubsub-emulator';
import { loadScenario, scenarioNames, SCENARIO_DIR } from './support/fixtures';
import { timeSkippingEnv, workflowBundle } from './support/temporal';

jest.setTimeout(180_000);

let env: TestWorkflowEnvironment;
let emulator: { host: string; close(): Promise<void> };
const outputs: Record<string, SimulateOutput> = {};

beforeAll(async () => {
  [env, emulator] = await Promise.all([timeSkippingEnv(), startPubsubEmulator()]);
});
afterAll(async () => {
  await emulator?.close();
  await env?.teardown();
  // The figures the closing note reports: API calls and history events per scenario.
  const rows = Object.entries(outputs).map(([n, o]) => `${n}: ${o.verdict}/${o.outcome}, restarts ${o.restarts}, API calls ${o.apiCallsTotal}, history events ${o.historyEvents}`);
  if (rows.length) console.log(`scenario figures\n${rows.join('\n')}`);
});

const REQUIRED = [
  'aws-blip', 'gcp-blip', 'aws-heartbeat-path', 'gcp-heartbeat-path', 'aws-oom-approved', 'gcp-crashloop-rejected',
  'aws-approval-timeout', 'gcp-restart-not-recovered', 'aws-recovers-while-awaiting-approval', 'aws-healthy-no-traces', 'aws-access-denied',
];

test('every scenario the runbook must handle is shipped', () => {
  expect(scenarioNames()).toEqual(expect.arrayContaining(REQUIRED));
});

test.each(scenarioNames())('scenario %s', async (name) => {
  const scenario = loadScenario(name);
  const expected = scenario.expect!;
  const out = await simulate(scenario, {
    answer: expected.answer ?? 'none',
    env,
    workflowBundle: workflowBundle(),
    pubsubEmulatorHost: emulator.host,
  });
  outputs[name] = out;
  expect(out.verdict).toBe(expected.verdict);
  expect(out.outcome).toBe(expected.outcome);
  expect(out.restarts).toBe(expected.restarts);
  // What the cloud saw agrees with what the workflow says it did.
  expect(out.worldRestarts).toBe(expected.restarts);
  if (expected.rootCause) expect(out.rootCause.category).toBe(expected.rootCause);
  if (expected.answer === 'approve' || expected.answer === 'reject') {
    expect(out[expected.answer === 'approve' ? 'approvedBy' : 'rejectedBy']).toBe('alice');
  }
  expect(out.apiCallsTotal).toBeGreaterThan(0);
  expect(out.reportMarkdown).toContain(`**Verdict:** ${expected.verdict}`);
});

describe('the CLI', () => {
  const bin = join(__dirname, '..', 'bin', 'liveness-runbook.js');
  const run = promisify(execFile);

  test('`simulate --json` prints the result as one JSON object and exits 0', async () => {
    const { stdout } = await run(process.execPath, [bin, 'simulate', join(SCENARIO_DIR, 'aws-heartbeat-path.json'), '--answer', 'none', '--json'], {
      env: { ...process.env, LIVENESS_WORKFLOW_BUNDLE: process.env.LIVENESS_TEST_WORKFLOW_BUNDLE ?? '' },
    });
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({ verdict: 'heartbeat-path-failure', outcome: 'escalated', restarts: 0, rootCause: { category: 'stalled-event-loop' } });
    expect(out.apiCalls['axiom.heartbeats']).toBeGreaterThan(0);
  });

  test('a malformed scenario exits 2 with a message naming the bad field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    const file = join(dir, 'bad.json');
    const bad = { ...loadScenario('aws-blip'), heartbeats: [{ from: -60, everySec: 0 }] };
    writeFileSync(file, JSON.stringify(bad));
    const err = await run(process.execPath, [bin, 'simulate', file, '--answer', 'none', '--json']).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('heartbeats[0].everySec');
  });

  test('a bad --answer exits 2 naming the flag', async () => {
    const err = await run(process.execPath, [bin, 'simulate', join(SCENARIO_DIR, 'aws-blip.json'), '--answer', 'maybe']).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('--answer must be approve, reject or none');
  });
});
