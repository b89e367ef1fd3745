/**
 * `npm start`: the whole flow on this machine. A Temporal dev server with its Web UI and a SQLite file,
 * the simulated cloud for a scenario, the worker, and one alert; then it waits for an engineer's answer
 * and prints the report. Ctrl-C stops everything it started.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createCloudPorts } from '../activities/adapters';
import { startSimulatedWorld } from '../sim/run-world';
import { createInvestigationWorker } from '../worker';
import { startDevServer } from '../worker/dev-server';
import { PROJECT_ROOT } from '../worker/servers';
import { approveRestartSignal, rejectRestartSignal, statusQuery } from '../workflows/messages';
import { SEARCH_ATTRIBUTE_TYPES } from '../workflows/search-attributes';
import type { InvestigationResult } from '../workflows/types';
import { installStderrRuntime } from '../worker/runtime';
import { createReceiver, DEFAULT_SECRET_HEADER, listen } from './receiver';
import { readScenario } from './simulate';

/** Shortened waits so the demo shows every step in a few minutes; production defaults are in config/. */
export const DEMO_THRESHOLDS = {
  recheckIntervalSec: 10,
  blipWindowSec: 30,
  gateRecheckIntervalSec: 15,
  approvalTimeoutSec: 900,
  reminderIntervalSec: 120,
  recoveryRecheckIntervalSec: 10,
  recoveryWindowSec: 180,
};

export interface DemoOptions {
  scenario?: string;
  port?: number;
  uiPort?: number;
  /** Answer the gate automatically after a few seconds (for unattended runs). */
  autoAnswer?: 'approve' | 'reject';
  approver?: string;
  /** Exit after the report instead of keeping the Web UI up until Ctrl-C. */
  exitWhenDone?: boolean;
  /** Stops the demo (like Ctrl-C) when aborted, for callers that embed it. */
  signal?: AbortSignal;
  out?: (line: string) => void;
  /** The dev server's SQLite file (deleted first); defaults to .data/demo/temporal.sqlite. Lets a test keep its own. */
  dbFile?: string;
}

/** An Axiom monitor webhook as Axiom sends it: Go time.String() timestamps, the region as a group value. */
function axiomOpenBody(region: string, at: Date) {
  const goTime = (d: Date) => `${d.toISOString().replace('T', ' ').replace('Z', '')} +0000 UTC`;
  return {
    action: 'Open',
    event: {
      monitorID: 'demo-backend-background-liveness',
      title: `No heartbeats from backend-background in ${region}`,
      body: 'No heartbeats in the last 2 minutes',
      description: 'Background backend liveness',
      queryStartTime: goTime(new Date(at.getTime() - 120_000)),
      queryEndTime: goTime(at),
      timestamp: goTime(at),
      value: 0,
      matchedEvent: null,
      groupKeys: ['region'],
      groupValues: [region],
    },
  };
}

function scenarioFile(name: string): string {
  return name.endsWith('.json') ? name : join(PROJECT_ROOT, 'test', 'scenarios', `${name}.json`);
}

export async function runDemo(o: DemoOptions = {}): Promise<InvestigationResult> {
  const say = o.out ?? ((l: string) => console.log(l));
  const scenario = readScenario(scenarioFile(o.scenario ?? 'aws-oom-approved'));
  const port = o.port ?? 7233;
  const uiPort = o.uiPort ?? 8233;
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  const onSignal = () => {
    say('\nstopping everything the demo started…');
    void stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    installStderrRuntime('WARN');
    // A fresh database per demo run: an investigation left open by an earlier, interrupted demo would
    // otherwise be joined by this run's alert.
    const dbFile = o.dbFile ?? join(PROJECT_ROOT, '.data', 'demo', 'temporal.sqlite');
    rmSync(dbFile, { force: true });
    say(`[demo] starting the Temporal dev server on 127.0.0.1:${port} (Web UI ${uiPort}, data in ${dbFile})`);
    const server = await startDevServer({ dbFile, port, uiPort, searchAttributes: SEARCH_ATTRIBUTE_TYPES }).catch((err: Error) => {
      throw new Error(`${err.message} (is port ${port} or ${uiPort} already in use? pick others with --port and --ui-port)`);
    });
    stops.push(() => server.stop());
    const alertAt = new Date();
    say(`[demo] starting the simulated cloud for scenario ${scenario.name}: ${scenario.description}`);
    const sim = await startSimulatedWorld(scenario, alertAt, { thresholds: DEMO_THRESHOLDS, searchAttributes: true });
    stops.push(() => sim.close());
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    const ports = createCloudPorts(sim.config, { ...sim.portOptions, log: (l) => say(`[worker] ${l}`) });
    const worker = await createInvestigationWorker({ connection: nativeConnection, config: sim.config, ports });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
      await ports.close();
      await nativeConnection.close();
    });
    const connection = await Connection.connect({ address: server.address });
    stops.push(() => connection.close());
    const client = new Client({ connection });

    // The alert arrives as Axiom would send it: a webhook to the receiver, with the shared secret.
    const secret = randomBytes(16).toString('hex');
    const receiver = createReceiver({ client, config: sim.config, secret, log: (e) => say(`[receiver] ${JSON.stringify(e)}`) });
    const receiverUrl = await listen(receiver, 0);
    stops.push(() => new Promise((r) => receiver.close(r)));
    const webhook = await fetch(`${receiverUrl}/alerts/axiom`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [DEFAULT_SECRET_HEADER]: secret },
      body: JSON.stringify(axiomOpenBody(scenario.region, alertAt)),
    });
    const accepted = (await webhook.json()) as { workflowId?: string; error?: string };
    if (webhook.status !== 202 || !accepted.workflowId) throw new Error(`the receiver refused the demo alert: ${webhook.status} ${accepted.error}`);
    const workflowId = accepted.workflowId;
    const handle = client.workflow.getHandle(workflowId);
    say(`[demo] Axiom-style alert for ${scenario.region} accepted by the receiver (${receiverUrl}): investigation ${workflowId}`);
    say(`[demo] Web UI: ${server.uiUrl}/namespaces/default/workflows/${workflowId}`);

    let lastStep = '';
    let answered = false;
    // One status query at a time, and none left in flight when the result is in: the connection is
    // closed right after, and a query still retrying then would fail on a closed channel.
    let finished = false;
    const outcome = handle.result().finally(() => {
      finished = true;
    });
    const watch = async () => {
      while (!finished) {
        try {
          const s = await handle.query(statusQuery);
          if (s.step !== lastStep) {
            lastStep = s.step;
            say(`[demo] step: ${s.step} — ${s.timeline[s.timeline.length - 1]?.text ?? ''}`);
            if (s.step === 'awaiting-approval' && s.proposal) {
              say(
                [
                  '',
                  `  A restart is proposed: ${s.proposal.target}`,
                  `  Approve in the Web UI: open the workflow, "Send a Signal", name approveRestart, input {"approver": "alice"}`,
                  `  or from a shell:       TEMPORAL_ADDRESS=${server.address} npx liveness-runbook approve ${scenario.region} --as alice`,
                  `  (reject likewise with rejectRestart / liveness-runbook reject). Allowed: ${s.proposal.approvers.join(', ')}.`,
                  '',
                ].join('\n'),
              );
              if (o.autoAnswer && !answered) {
                answered = true;
                const signal = o.autoAnswer === 'approve' ? approveRestartSignal : rejectRestartSignal;
                await handle.signal(signal, { approver: o.approver ?? 'alice', reason: 'demo --auto-answer' });
                say(`[demo] auto-answered: ${o.autoAnswer} as ${o.approver ?? 'alice'}`);
              }
            }
          }
        } catch {
          // The workflow may have just closed; result() settles the outcome.
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    const watching = watch();
    const result = (await outcome) as InvestigationResult;
    await watching;
    say(`\n${result.reportMarkdown}`);
    say(`[demo] restarts seen by the simulated cloud: ${sim.world.restarts.length}`);
    if (!o.exitWhenDone) {
      say(`[demo] the Web UI stays up at ${server.uiUrl}; press Ctrl-C to stop everything.`);
      await new Promise<void>((resolve) => o.signal?.addEventListener('abort', () => resolve(), { once: true }));
    }
    return result;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAll();
  }
}
