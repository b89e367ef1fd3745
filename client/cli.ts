/**
 * The `liveness-runbook` command. Every error is one line naming what was wrong; exit codes: 0 done,
 * 1 failed, 2 bad usage or bad input.
 */
import { parseArgs } from 'node:util';
import { configPath, isConfigError, loadConfig } from '../config';
import { ScenarioError } from '../sim/scenario';
import { answer, fireAlert, lastResult, listOpen, NoOpenInvestigationError, status, UnknownRegionError } from './investigations';
import { connectClient, TemporalUnreachableError } from './connection';
import { readScenario, simulate, type Answer } from './simulate';

const USAGE = `liveness-runbook — the backend-background liveness runbook, on Temporal

Usage:
  liveness-runbook worker                                  run the worker (config: $LIVENESS_CONFIG or config/regions.json)
  liveness-runbook fire <region> [--source NAME]           start (or join) the region's investigation
  liveness-runbook status <region> [--json]                current step, evidence, pending proposal
  liveness-runbook approve <region> --as NAME [--reason R] approve the proposed restart
  liveness-runbook reject <region> --as NAME [--reason R]  reject the proposed restart
  liveness-runbook list                                    open investigations and their current step
  liveness-runbook report <region|workflowId>              the Markdown report of the last investigation
  liveness-runbook simulate <scenario.json> --answer approve|reject|none [--approver NAME] [--json]
  liveness-runbook receiver                                the Axiom webhook receiver (RECEIVER_SECRET required; RECEIVER_PORT 8787)
  liveness-runbook demo [scenario-name|file.json] [--port 7233] [--ui-port 8233] [--auto-answer approve|reject] [--exit-when-done]

Temporal connection: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE, or a TEMPORAL_PROFILE.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined || v === '') throw new UsageError(`missing ${what}`);
  return v;
}

function portNumber(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${flag} must be a TCP port number (got ${v})`);
  return n;
}

async function withClient<T>(fn: (c: Awaited<ReturnType<typeof connectClient>>) => Promise<T>): Promise<T> {
  const c = await connectClient();
  try {
    return await fn(c);
  } finally {
    await c.connection.close();
  }
}

export async function main(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      as: { type: 'string' },
      reason: { type: 'string' },
      source: { type: 'string' },
      answer: { type: 'string' },
      approver: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      port: { type: 'string' },
      'ui-port': { type: 'string' },
      'auto-answer': { type: 'string' },
      'exit-when-done': { type: 'boolean' },
    },
  });
  const print = (s: string) => out.write(s.endsWith('\n') ? s : `${s}\n`);
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      print(USAGE);
      return 0;
    case 'worker': {
      const { runWorker } = await import('../worker/main');
      await runWorker();
      return 0;
    }
    case 'fire': {
      const region = need(positionals[0], 'region: liveness-runbook fire <region>');
      const config = loadConfig(configPath());
      const started = await withClient(({ client }) =>
        fireAlert(client, config, { region, firedAt: new Date().toISOString(), source: values.source ?? 'cli' }),
      );
      print(`investigation ${started.workflowId} (run ${started.runId}) started or joined for ${region}`);
      return 0;
    }
    case 'status': {
      const region = need(positionals[0], 'region: liveness-runbook status <region>');
      const s = await withClient(({ client }) => status(client, region));
      if (values.json) print(JSON.stringify(s, null, 2));
      else {
        print(`${s.workflowId}: step ${s.step}${s.verdict ? `, verdict ${s.verdict}` : ''}`);
        for (const t of s.timeline.slice(-8)) print(`  ${t.at} ${t.text}`);
        if (s.proposal) print(`\nProposed restart: ${s.proposal.target}\n${s.proposal.howToApprove}`);
      }
      return 0;
    }
    case 'approve':
    case 'reject': {
      const region = need(positionals[0], `region: liveness-runbook ${command} <region> --as NAME`);
      const approver = need(values.as, '--as NAME (who approves or rejects)');
      await withClient(({ client }) => answer(client, region, command, { approver, reason: values.reason }));
      print(`${command === 'approve' ? 'approveRestart' : 'rejectRestart'} sent to ${region} as ${approver}; check \`liveness-runbook status ${region}\` to see whether it was accepted`);
      return 0;
    }
    case 'list': {
      const open = await withClient(({ client }) => listOpen(client));
      if (!open.length) print('no open investigations');
      for (const o of open) print(`${o.workflowId}\t${o.region}\t${o.step}\tstarted ${o.startTime.toISOString()}`);
      return 0;
    }
    case 'report': {
      const target = need(positionals[0], 'region or workflow ID: liveness-runbook report <region|workflowId>');
      const r = await withClient(({ client }) => lastResult(client, target));
      print(values.json ? JSON.stringify(r, null, 2) : r.reportMarkdown);
      return 0;
    }
    case 'simulate': {
      const file = need(positionals[0], 'scenario file: liveness-runbook simulate <scenario.json> --answer approve|reject|none');
      const a = values.answer ?? 'none';
      if (!['approve', 'reject', 'none'].includes(a)) throw new UsageError(`--answer must be approve, reject or none (got ${a})`);
      const scenario = readScenario(file);
      const bundle = process.env.LIVENESS_WORKFLOW_BUNDLE;
      const result = await simulate(scenario, { answer: a as Answer, approver: values.approver, workflowBundle: bundle ? { codePath: bundle } : undefined });
      if (values.json) print(JSON.stringify(result));
      else print(`${result.reportMarkdown}\nAPI calls: ${JSON.stringify(result.apiCalls)}\nhistory events: ${result.historyEvents}`);
      return 0;
    }
    case 'receiver': {
      const secret = process.env.RECEIVER_SECRET;
      if (!secret) throw new UsageError('RECEIVER_SECRET is not set: the shared secret Axiom sends in the webhook header');
      const config = loadConfig(configPath());
      const { createReceiver, listen, DEFAULT_SECRET_HEADER } = await import('./receiver');
      const { lazyClient } = await import('./connection');
      const { client, address } = lazyClient();
      const header = process.env.RECEIVER_SECRET_HEADER ?? DEFAULT_SECRET_HEADER;
      const server = createReceiver({ client, config, secret, secretHeader: header });
      const port = portNumber(process.env.RECEIVER_PORT ?? '8787', 'RECEIVER_PORT');
      const url = await listen(server, port, process.env.RECEIVER_HOST ?? '127.0.0.1');
      print(`[receiver] POST ${url}/alerts/axiom (secret header ${header}), Temporal ${address}`);
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    }
    case 'demo': {
      const auto = values['auto-answer'];
      if (auto !== undefined && auto !== 'approve' && auto !== 'reject') throw new UsageError(`--auto-answer must be approve or reject (got ${auto})`);
      const { runDemo } = await import('./demo');
      await runDemo({
        scenario: positionals[0],
        port: values.port ? portNumber(values.port, '--port') : undefined,
        uiPort: values['ui-port'] ? portNumber(values['ui-port'], '--ui-port') : undefined,
        autoAnswer: auto,
        approver: values.approver,
        exitWhenDone: values['exit-when-done'],
        out: print,
      });
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  }
}

/** Maps known errors to one clear line and an exit code. */
export function explain(e: unknown): { code: number; message: string } {
  if (e instanceof UsageError || isConfigError(e) || e instanceof ScenarioError) return { code: 2, message: e.message };
  if ((e as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS')) return { code: 2, message: (e as Error).message };
  if (e instanceof UnknownRegionError || e instanceof NoOpenInvestigationError || e instanceof TemporalUnreachableError) {
    return { code: 1, message: e.message };
  }
  return { code: 1, message: e instanceof Error ? e.message : String(e) };
}

