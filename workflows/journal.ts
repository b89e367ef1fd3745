import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { buildCurrentDetails } from './details';
import type { InvestigationStatus } from './messages';
import { CloudKey, OutcomeKey, RegionKey, StepKey, VerdictKey } from './search-attributes';
import type { Alert, DecisionRecord, Evidence, Outcome, RegionPlan, RestartProposal, Step, TimelineEntry, Verdict } from './types';

/** What the approval gate shows, read whenever the journal publishes. */
export type GateView = () => { proposal?: RestartProposal; decisions: DecisionRecord[] };

/** Most repeat alerts recorded one by one in the timeline; beyond this they are only counted. */
const MAX_REPEAT_ENTRIES = 20;

/** The investigation's running record: current step, evidence and timeline, read by the status query. */
export class Journal {
  step: Step = 'resolving-region';
  readonly evidence: Evidence = {};
  readonly timeline: TimelineEntry[] = [];
  repeatAlerts = 0;
  resolvedByMonitor = false;
  verdict?: Verdict;
  outcome?: Outcome;
  private plan?: RegionPlan;
  private published: { step?: Step; verdict?: Verdict; outcome?: Outcome } = {};

  constructor(
    readonly workflowId: string,
    readonly alert: Alert,
    private readonly gate: GateView,
  ) {}

  /** Once the region is known: search attributes become possible and the cloud is shown. */
  planned(plan: RegionPlan): void {
    this.plan = plan;
    if (plan.searchAttributes) {
      upsertSearchAttributes([
        { key: RegionKey, value: plan.region },
        { key: CloudKey, value: plan.cloud },
      ]);
    }
    this.publish();
  }

  enter(step: Step, text: string): void {
    this.step = step;
    this.note(text);
    this.publish();
  }

  /**
   * Refreshes what the Web UI shows: the current details always (no history event), and the step,
   * verdict and outcome search attributes when they changed and the server has them registered.
   */
  publish(): void {
    const { proposal, decisions } = this.gate();
    setCurrentDetails(
      buildCurrentDetails({
        alert: this.alert,
        cloud: this.plan?.cloud,
        step: this.step,
        last: this.timeline[this.timeline.length - 1],
        evidence: this.evidence,
        proposal,
        decisions,
        repeatAlerts: this.repeatAlerts,
      }),
    );
    if (!this.plan?.searchAttributes) return;
    const p = this.published;
    const changes = [
      ...(p.step !== this.step ? [{ key: StepKey, value: this.step }] : []),
      ...(this.verdict && p.verdict !== this.verdict ? [{ key: VerdictKey, value: this.verdict }] : []),
      ...(this.outcome && p.outcome !== this.outcome ? [{ key: OutcomeKey, value: this.outcome }] : []),
    ];
    if (changes.length) upsertSearchAttributes(changes);
    this.published = { step: this.step, verdict: this.verdict, outcome: this.outcome };
  }

  note(text: string): void {
    this.timeline.push({ at: new Date().toISOString(), step: this.step, text });
  }

  /** A repeat alert for the region joins this investigation; the start's own signal is not a repeat. */
  alertFired(a: Alert): void {
    // Signals can be typed by hand in the Web UI: a malformed one is noted, never allowed to fail the task.
    if (typeof a !== 'object' || a === null || typeof a.firedAt !== 'string' || typeof a.source !== 'string') {
      this.note(`ignored an alertFired signal without "firedAt" and "source": ${JSON.stringify(a)?.slice(0, 200)}`);
      return;
    }
    const same = a.alertId !== undefined ? a.alertId === this.alert.alertId : a.firedAt === this.alert.firedAt && a.source === this.alert.source;
    if (same) return;
    this.repeatAlerts++;
    if (this.repeatAlerts <= MAX_REPEAT_ENTRIES) this.note(`repeat alert from ${a.source} (fired ${a.firedAt}) joined this investigation`);
  }

  snapshot(): InvestigationStatus {
    const { proposal, decisions } = this.gate();
    return {
      proposal,
      decisions,
      workflowId: this.workflowId,
      region: this.alert.region,
      step: this.step,
      alert: this.alert,
      repeatAlerts: this.repeatAlerts,
      evidence: this.evidence,
      timeline: this.timeline,
      verdict: this.verdict,
      outcome: this.outcome,
    };
  }
}
