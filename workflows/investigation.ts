import { ApplicationFailure, setHandler, workflowInfo } from '@temporalio/workflow';
import * as act from './activities';
import { ApprovalGate } from './approval-gate';
import { assess, isOk } from './assess';
import { FailureType } from './failure-types';
import { Journal } from './journal';
import {
  alertFiredSignal,
  alertResolvedSignal,
  approveRestartSignal,
  rejectRestartSignal,
  statusQuery,
} from './messages';
import { waitAndRecheck } from './recheck';
import { buildReport } from './report';
import { deriveRootCause } from './root-cause';
import type { Alert, Assessed, HeartbeatEvidence, InvestigationResult, Outcome, RegionPlan, Verdict } from './types';

/**
 * The liveness runbook for one region, from alert to report. Each step below is the runbook's step of
 * the same number; every check is an activity "as of" workflow time, every wait a durable timer.
 */
export async function livenessInvestigation(alert: Alert): Promise<InvestigationResult> {
  validateAlert(alert);
  const { workflowId } = workflowInfo();
  const gate = new ApprovalGate();
  const j = new Journal(workflowId, alert, () => ({ proposal: gate.proposal, decisions: gate.decisions }));
  let restarts = 0;

  // Handlers first: signals that arrive before their moment are recorded, never lost.
  setHandler(statusQuery, () => j.snapshot());
  setHandler(approveRestartSignal, (input) => {
    gate.receive('approveRestart', input);
    j.publish();
  });
  setHandler(rejectRestartSignal, (input) => {
    gate.receive('rejectRestart', input);
    j.publish();
  });
  setHandler(alertFiredSignal, (a) => {
    j.alertFired(a);
    j.publish();
  });
  setHandler(alertResolvedSignal, (r) => {
    j.resolvedByMonitor = true;
    j.note(`monitor reported the alert resolved${r?.source ? ` (${r.source})` : ''}`);
    gate.wake();
  });

  j.note(`alert from ${alert.source} fired at ${alert.firedAt}`);
  const plan = await act.describeRegion(alert.region);
  j.planned(plan);
  const t = plan.thresholds;
  const heartbeatsNow = () =>
    assess('heartbeats', () => act.checkHeartbeats({ region: alert.region, asOf: now(), windowSec: t.heartbeatWindowSec }));

  const finish = async (verdict: Verdict, outcome: Outcome): Promise<InvestigationResult> => {
    j.verdict = verdict;
    j.outcome = outcome;
    if (verdict !== 'transient') {
      // Step 5: logs over the incident window, whatever the path.
      j.enter('examining-logs', 'reading logs over the incident window');
      const from = new Date(Date.parse(alert.firedAt) - t.logLookbackSec * 1000).toISOString();
      j.evidence.logs = await assess('logs', () => act.examineLogs({ region: alert.region, from, to: now() }));
    }
    j.enter('reporting', `verdict ${verdict}, outcome ${outcome}`);
    const decision = gate.decision;
    const partial = {
      workflowId,
      region: alert.region,
      cloud: plan.cloud,
      alert,
      verdict,
      outcome,
      restarts,
      approvedBy: decision?.signal === 'approveRestart' ? decision.approver : undefined,
      rejectedBy: decision?.signal === 'rejectRestart' ? decision.approver : undefined,
      rootCause: deriveRootCause(verdict, j.evidence),
      evidence: j.evidence,
      decisions: gate.decisions,
      repeatAlerts: j.repeatAlerts,
      timeline: j.timeline,
    };
    const result: InvestigationResult = { ...partial, reportMarkdown: buildReport(partial) };
    await tell(j, 'final-report', `${verdict} / ${outcome} in ${alert.region}`, result.reportMarkdown);
    j.step = 'done';
    j.publish();
    return result;
  };

  // Step 1: momentary or ongoing?
  j.enter('checking-heartbeats', 'checking heartbeats as of now');
  j.evidence.heartbeats = await heartbeatsNow();
  if (isOk(j.evidence.heartbeats) && j.evidence.heartbeats.present) {
    j.note('heartbeats are present: they resumed on their own');
    return finish('transient', 'resolved-on-its-own');
  }
  j.enter('waiting-for-blip', `heartbeats missing; rechecking every ${t.recheckIntervalSec}s for up to ${t.blipWindowSec}s`);
  j.evidence.blipWait = await waitAndRecheck({
    intervalSec: t.recheckIntervalSec,
    windowSec: t.blipWindowSec,
    check: heartbeatsNow,
    stop: () => j.resolvedByMonitor,
  });
  if (j.evidence.blipWait.recovered || j.resolvedByMonitor) {
    j.note(j.resolvedByMonitor ? 'the monitor closed the alert during the wait' : 'heartbeats resumed during the wait');
    return finish('transient', 'resolved-on-its-own');
  }

  // Step 2: impact — are pollers running, are queue readers healthy?
  j.enter('assessing-impact', 'heartbeats still missing: looking for run_job traces and queue health');
  const asOf = now();
  // Only traces since the alert show pollers running *while* heartbeats are missing; older ones predate
  // the outage. The window is at least 30 s and at most pollerWindowSec.
  const sinceAlertSec = Math.floor((Date.parse(asOf) - Date.parse(alert.firedAt)) / 1000);
  const pollerWindowSec = Math.min(t.pollerWindowSec, Math.max(30, sinceAlertSec));
  [j.evidence.pollers, j.evidence.queues] = await Promise.all([
    assess('run_job traces', () => act.checkPollers({ region: alert.region, asOf, windowSec: pollerWindowSec })),
    assess('queues', () => act.checkQueues({ region: alert.region, asOf, lookbackSec: t.pollerWindowSec })),
  ]);

  // Step 3: pollers run but heartbeats do not — the heartbeat path, not the service.
  if (isOk(j.evidence.pollers) && j.evidence.pollers.present) {
    j.note('pollers are running while heartbeats are missing: heartbeat path failure (stalled event loop suspected); no restart offered');
    return finish('heartbeat-path-failure', 'escalated');
  }

  // Step 4: service health.
  j.enter('checking-service-health', isOk(j.evidence.pollers) ? 'no run_job traces: checking service health' : 'pollers could not be assessed: checking service health');
  const service = await assess('service health', () => act.checkServiceHealth({ region: alert.region, asOf: now() }));
  j.evidence.service = service;
  if (!isOk(service) || service.classification !== 'unhealthy') {
    j.note(`service is ${isOk(service) ? service.classification : 'not assessable'}: inconclusive, escalating without a restart`);
    return finish('inconclusive', 'escalated');
  }

  const outcome = await proposeAndRestart(plan, j, gate, heartbeatsNow, () => restarts++);
  return finish('service-down', outcome);
}

/** Step 4's action: propose a restart, wait for an engineer, restart once, verify recovery. */
async function proposeAndRestart(
  plan: RegionPlan,
  j: Journal,
  gate: ApprovalGate,
  heartbeatsNow: () => Promise<Assessed<HeartbeatEvidence>>,
  countRestart: () => void,
): Promise<Outcome> {
  const t = plan.thresholds;
  const region = plan.region;
  const deadline = new Date(Date.now() + t.approvalTimeoutSec * 1000).toISOString();
  const proposal = {
    proposedAt: now(),
    target: plan.serviceTarget,
    method: plan.restartMethod,
    approvers: plan.approvers,
    deadline,
    howToApprove:
      `Send signal "approveRestart" (or "rejectRestart") to workflow ${j.workflowId} with input {"approver": "<your name>", "reason": "<why>"}; ` +
      `or run: liveness-runbook approve ${region} --as <your name>. Allowed approvers: ${plan.approvers.join(', ')}. Deadline ${deadline}.`,
  };
  gate.propose(proposal, plan.approvers);
  j.enter('awaiting-approval', `restart proposed: ${plan.serviceTarget}; waiting up to ${t.approvalTimeoutSec}s for approval`);
  await tell(j, 'approval-needed', `Approve restart of ${plan.serviceTarget}?`, approvalText(j, proposal.howToApprove));

  const recovered = async () => {
    const hb = await heartbeatsNow();
    return isOk(hb) && hb.present;
  };
  const result = await gate.open(proposal, plan.approvers, {
    timeoutSec: t.approvalTimeoutSec,
    reminderIntervalSec: t.reminderIntervalSec,
    recheckIntervalSec: t.gateRecheckIntervalSec,
    recovered,
    remind: (n, remaining) =>
      tell(j, 'approval-reminder', `Reminder ${n}: restart of ${plan.serviceTarget} awaits approval (${remaining}s left)`, proposal.howToApprove),
  });

  if (result === 'recovered') {
    j.note('heartbeats came back while awaiting approval: proposal withdrawn, nothing restarted');
    return 'resolved-on-its-own';
  }
  if (result === 'timed-out') {
    j.note(`no decision within ${t.approvalTimeoutSec}s: no restart`);
    await tell(j, 'approval-timed-out', `No approval for ${plan.serviceTarget}: not restarted`, 'The investigation continues to its report without a restart.');
    return 'approval-timed-out';
  }
  const decision = gate.decision!;
  if (result === 'rejected') {
    j.note(`restart rejected by ${decision.approver}${decision.reason ? `: ${decision.reason}` : ''}`);
    return 'restart-rejected';
  }
  j.note(`restart approved by ${decision.approver}${decision.reason ? `: ${decision.reason}` : ''}`);

  // A recovered service is never restarted, even when the approval has just arrived.
  if (await recovered()) {
    j.note('heartbeats are back: approved restart withdrawn, nothing restarted');
    return 'resolved-on-its-own';
  }

  j.enter('restarting', `restarting ${plan.serviceTarget}`);
  const restart = await assess('restart', () =>
    act.restartService({ region, token: `${j.workflowId}/${workflowInfo().runId}/restart`, approvedAt: decision.at }),
  );
  j.evidence.restart = restart;
  if (!isOk(restart)) {
    j.note(`restart failed: ${restart.reason}`);
    return 'escalated';
  }
  countRestart();

  j.enter('verifying-recovery', `waiting up to ${t.recoveryWindowSec}s for heartbeats`);
  j.evidence.recovery = await waitAndRecheck({
    intervalSec: t.recoveryRecheckIntervalSec,
    windowSec: t.recoveryWindowSec,
    check: heartbeatsNow,
  });
  return j.evidence.recovery.recovered ? 'restarted-and-recovered' : 'restarted-not-recovered';
}

function approvalText(j: Journal, howToApprove: string): string {
  const s = j.evidence.service;
  const health = isOk(s) ? `${s.classification}: ${s.reasons.join('; ')}` : 'not assessed';
  return `Heartbeats missing in ${j.alert.region} since before ${j.alert.firedAt}; no run_job traces. Service ${health}.\n${howToApprove}`;
}

/** Notifications are best effort: a failing notifier never blocks or fails the investigation. */
async function tell(j: Journal, kind: Parameters<typeof act.notify>[0]['kind'], title: string, text: string): Promise<void> {
  try {
    await act.notify({ kind, region: j.alert.region, workflowId: j.workflowId, title, text });
  } catch (err) {
    j.note(`notification "${kind}" could not be sent: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function now(): string {
  return new Date().toISOString();
}

function validateAlert(alert: Alert): void {
  const bad = (what: string) => ApplicationFailure.create({ type: FailureType.BadAlert, message: `invalid alert: ${what}`, nonRetryable: true });
  if (typeof alert !== 'object' || alert === null) throw bad('input must be an object {region, firedAt, source}');
  if (typeof alert.region !== 'string' || !alert.region) throw bad('"region" is required');
  if (typeof alert.firedAt !== 'string' || Number.isNaN(Date.parse(alert.firedAt))) throw bad('"firedAt" must be an RFC 3339 time');
  if (typeof alert.source !== 'string' || !alert.source) throw bad('"source" is required');
}
