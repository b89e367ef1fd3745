/**
 * The operator's surface on the dev server, through `npm start`'s own code path (runDemo): the alert comes
 * in through the receiver, the Web UI data (summary, current details, search attributes) shows where the
 * investigation is and how to approve, and the CLI reads it, approves it and prints the report.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { runDemo } from '../../client/demo';
import { freePort } from '../../worker/dev-server';
import type { InvestigationResult } from '../../workflows/types';

jest.setTimeout(240_000);

const BIN = join(__dirname, '..', '..', 'bin', 'liveness-runbook.js');
const run = promisify(execFile);

function cli(args: string[], address: string) {
  return run(process.execPath, [BIN, ...args], { env: { ...process.env, TEMPORAL_ADDRESS: address } });
}

async function waitFor(lines: string[], text: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!lines.some((l) => l.includes(text))) {
    if (Date.now() > deadline) throw new Error(`demo never printed "${text}":\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('alert in through the receiver, Web UI data at the gate, CLI status/list/approve/report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liveness-operator-'));
  const [port, uiPort] = [await freePort(), await freePort()];
  const address = `127.0.0.1:${port}`;
  const lines: string[] = [];
  const stop = new AbortController();
  const demo = runDemo({ port, uiPort, signal: stop.signal, dbFile: join(dir, 'temporal.sqlite'), out: (l) => lines.push(l) });
  let result: InvestigationResult | undefined;
  const connection = await (async () => {
    await waitFor(lines, '[demo] step: awaiting-approval');
    return Connection.connect({ address });
  })();
  try {
    const client = new Client({ connection });
    expect(lines.some((l) => l.includes('[receiver]') && l.includes('"status":202'))).toBe(true);
    const handle = client.workflow.getHandle('liveness-eu-west-1');

    // What the Web UI shows: static summary, current details with the exact signal, search attributes.
    const d = await handle.describe();
    expect(await d.staticSummary()).toContain('no heartbeats from backend-background in eu-west-1');
    expect(d.searchAttributes).toMatchObject({ LivenessRegion: ['eu-west-1'], LivenessCloud: ['aws'], LivenessStep: ['awaiting-approval'] });
    const meta = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
    expect(meta.currentDetails).toContain('approveRestart');
    expect(meta.currentDetails).toContain('{"approver": "<your name>"');
    const listed: string[] = [];
    for await (const w of client.workflow.list({ query: `LivenessStep = 'awaiting-approval' AND LivenessRegion = 'eu-west-1'` })) listed.push(w.workflowId);
    expect(listed).toEqual(['liveness-eu-west-1']);

    // The CLI against the same server.
    const status = await cli(['status', 'eu-west-1'], address);
    expect(status.stdout).toContain('step awaiting-approval');
    expect(status.stdout).toContain('approveRestart');
    expect((await cli(['list'], address)).stdout).toMatch(/liveness-eu-west-1\teu-west-1\tawaiting-approval/);
    const refused = await cli(['approve', 'eu-west-1'], address).catch((e) => e);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--as NAME');
    const missing = await cli(['status', 'us-east-9'], address).catch((e) => e);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no open investigation for region us-east-9');
    const early = await cli(['report', 'eu-west-1'], address).catch((e) => e);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('is still running (step: awaiting-approval)');
    await cli(['approve', 'eu-west-1', '--as', 'mallory'], address);
    await cli(['approve', 'eu-west-1', '--as', 'bob', '--reason', 'OOM loop'], address);

    result = (await handle.result()) as InvestigationResult;
    expect(result).toMatchObject({ verdict: 'service-down', outcome: 'restarted-and-recovered', restarts: 1, approvedBy: 'bob' });
    expect(result.decisions.map((x) => [x.approver, x.accepted])).toEqual([
      ['mallory', false],
      ['bob', true],
    ]);
    expect((await handle.describe()).searchAttributes).toMatchObject({ LivenessVerdict: ['service-down'], LivenessOutcome: ['restarted-and-recovered'] });
    await waitFor(lines, '[demo] restarts seen by the simulated cloud: 1');
    const report = await cli(['report', 'eu-west-1'], address);
    expect(report.stdout).toContain('**Outcome:** restarted-and-recovered');
    expect(report.stdout).toContain('`approveRestart` from **mallory**');

    // Ctrl-C equivalent: the demo stops everything it started; the CLI then says the server is down.
    stop.abort();
    await demo;
    const down = await cli(['report', 'eu-west-1'], address).catch((e) => e);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach the Temporal server');
  } finally {
    stop.abort();
    if (!result) {
      await new Client({ connection }).workflow.getHandle('liveness-eu-west-1').signal('rejectRestart', { approver: 'alice', reason: 'test cleanup' }).catch(() => undefined);
      await demo.catch(() => undefined);
    }
    await connection.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
