/**
 * What clients do with investigations: start or join one for an alert, answer its approval gate, read its
 * status and report. Shared by the CLI, the alert receiver, `simulate` and the demo.
 */
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { AppConfig } from '../config/schema';
import {
  alertFiredSignal,
  alertResolvedSignal,
  approveRestartSignal,
  investigationId,
  INVESTIGATION_WORKFLOW,
  rejectRestartSignal,
  statusQuery,
  type ApprovalInput,
  type InvestigationStatus,
} from '../workflows/messages';
import type { Alert, InvestigationResult } from '../workflows/types';

export class UnknownRegionError extends Error {
  constructor(region: string, config: AppConfig) {
    super(`unknown region ${JSON.stringify(region)}: configured regions are ${Object.keys(config.regions).join(', ')}`);
    this.name = 'UnknownRegionError';
  }
}

export class NoOpenInvestigationError extends Error {
  constructor(region: string) {
    super(`no open investigation for region ${region} (workflow ${investigationId(region)})`);
    this.name = 'NoOpenInvestigationError';
  }
}

export interface Started {
  workflowId: string;
  runId: string;
}

/**
 * Starts the region's investigation, or joins the open one: signal-with-start delivers `alertFired` to
 * the running workflow when there is one, and starts a new run otherwise.
 */
export async function fireAlert(client: Client, config: AppConfig, alert: Alert, taskQueue = config.taskQueue): Promise<Started> {
  if (!config.regions[alert.region]) throw new UnknownRegionError(alert.region, config);
  const workflowId = investigationId(alert.region);
  const profile = config.regions[alert.region];
  const handle = await client.workflow.signalWithStart(INVESTIGATION_WORKFLOW, {
    taskQueue,
    workflowId,
    args: [alert],
    signal: alertFiredSignal,
    signalArgs: [alert],
    memo: { region: alert.region, cloud: profile.cloud, alert },
    // Shown at the top of the workflow in the Web UI.
    staticSummary: `Liveness: no heartbeats from backend-background in ${alert.region} (${profile.cloud.toUpperCase()})`,
    staticDetails: [
      `**Region:** ${alert.region} · **cloud:** ${profile.cloud}`,
      `**Alert:** fired ${alert.firedAt} by ${alert.source}${alert.monitorId ? ` (monitor ${alert.monitorId})` : ''}`,
      `**Approvers:** ${profile.approvers.join(', ')} — answer with signal \`approveRestart\` or \`rejectRestart\`, input \`{"approver": "<name>"}\``,
    ].join('\n\n'),
  });
  return { workflowId, runId: handle.signaledRunId };
}

/** The open investigation of a region; throws NoOpenInvestigationError when there is none. */
async function openHandle(client: Client, region: string) {
  const handle = client.workflow.getHandle(investigationId(region));
  try {
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') throw new NoOpenInvestigationError(region);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new NoOpenInvestigationError(region);
    throw err;
  }
  return handle;
}

export async function status(client: Client, region: string): Promise<InvestigationStatus> {
  return (await openHandle(client, region)).query(statusQuery);
}

export async function answer(client: Client, region: string, decision: 'approve' | 'reject', input: ApprovalInput): Promise<void> {
  if (!input.approver?.trim()) throw new Error('an approver name is required (--as NAME)');
  const handle = await openHandle(client, region);
  await handle.signal(decision === 'approve' ? approveRestartSignal : rejectRestartSignal, input);
}

/** `Closed` from the monitor: tells the open investigation; false when none is open. */
export async function resolveAlert(client: Client, region: string, source: string): Promise<boolean> {
  try {
    const handle = await openHandle(client, region);
    await handle.signal(alertResolvedSignal, { source, at: new Date().toISOString() });
    return true;
  } catch (err) {
    if (err instanceof NoOpenInvestigationError) return false;
    throw err;
  }
}

export interface OpenInvestigation {
  workflowId: string;
  region: string;
  step: string;
  startTime: Date;
}

export async function listOpen(client: Client): Promise<OpenInvestigation[]> {
  const out: OpenInvestigation[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowType = '${INVESTIGATION_WORKFLOW}' AND ExecutionStatus = 'Running'` })) {
    let step = 'unknown';
    let region = w.workflowId.replace(/^liveness-/, '');
    try {
      const s = await client.workflow.getHandle(w.workflowId, w.runId).query(statusQuery);
      step = s.step;
      region = s.region;
    } catch {
      // A workflow whose worker is down cannot answer queries; list it anyway.
    }
    out.push({ workflowId: w.workflowId, region, step, startTime: w.startTime });
  }
  return out;
}

/** The result of the latest investigation of a region (or of a workflow ID), once it has finished. */
export async function lastResult(client: Client, regionOrWorkflowId: string): Promise<InvestigationResult> {
  const workflowId = regionOrWorkflowId.startsWith('liveness-') ? regionOrWorkflowId : investigationId(regionOrWorkflowId);
  const handle = client.workflow.getHandle(workflowId);
  try {
    const d = await handle.describe();
    if (d.status.name === 'RUNNING') throw new Error(`investigation ${workflowId} is still running (step: ${(await handle.query(statusQuery)).step})`);
    return (await handle.result()) as InvestigationResult;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new Error(`no investigation found for ${regionOrWorkflowId}`);
    throw err;
  }
}
