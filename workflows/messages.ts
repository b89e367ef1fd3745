/**
 * The investigation's messages, defined once and imported by the workflow, the CLI, the receiver and the
 * tests. Inputs are plain JSON so an engineer can type them into the Web UI's "Send a Signal" box.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Alert, DecisionRecord, Evidence, RestartProposal, Step, TimelineEntry, Verdict, Outcome } from './types';

/** Input of `approveRestart` and `rejectRestart`, e.g. `{"approver": "alice", "reason": "OOM loop"}`. */
export interface ApprovalInput {
  approver: string;
  reason?: string;
}

/** Input of `alertResolved`: the monitor closed (heartbeats seen again by Axiom). */
export interface AlertResolvedInput {
  source?: string;
  at?: string;
}

export const approveRestartSignal = defineSignal<[ApprovalInput]>('approveRestart');
export const rejectRestartSignal = defineSignal<[ApprovalInput]>('rejectRestart');
/** Sent by signal-with-start for every alert, so a repeat alert joins the open investigation. */
export const alertFiredSignal = defineSignal<[Alert]>('alertFired');
export const alertResolvedSignal = defineSignal<[AlertResolvedInput]>('alertResolved');

export interface InvestigationStatus {
  workflowId: string;
  region: string;
  step: Step;
  alert: Alert;
  repeatAlerts: number;
  evidence: Evidence;
  proposal?: RestartProposal;
  decisions: DecisionRecord[];
  timeline: TimelineEntry[];
  verdict?: Verdict;
  outcome?: Outcome;
}

export const statusQuery = defineQuery<InvestigationStatus>('status');

/** One open investigation per region: the workflow ID is derived from the region alone. */
export function investigationId(region: string): string {
  return `liveness-${region}`;
}

export const INVESTIGATION_WORKFLOW = 'livenessInvestigation';
