import type { InvestigationStatus } from './messages';
import type { Alert, Evidence, Outcome, Step, TimelineEntry, Verdict } from './types';

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

  constructor(
    readonly workflowId: string,
    readonly alert: Alert,
  ) {}

  enter(step: Step, text: string): void {
    this.step = step;
    this.note(text);
  }

  note(text: string): void {
    this.timeline.push({ at: new Date().toISOString(), step: this.step, text });
  }

  /** A repeat alert for the region joins this investigation; the start's own signal is not a repeat. */
  alertFired(a: Alert): void {
    const same = a.alertId !== undefined ? a.alertId === this.alert.alertId : a.firedAt === this.alert.firedAt && a.source === this.alert.source;
    if (same) return;
    this.repeatAlerts++;
    if (this.repeatAlerts <= MAX_REPEAT_ENTRIES) this.note(`repeat alert from ${a.source} (fired ${a.firedAt}) joined this investigation`);
  }

  snapshot(extra: Pick<InvestigationStatus, 'proposal' | 'decisions'>): InvestigationStatus {
    return {
      workflowId: this.workflowId,
      region: this.alert.region,
      step: this.step,
      alert: this.alert,
      repeatAlerts: this.repeatAlerts,
      evidence: this.evidence,
      timeline: this.timeline,
      verdict: this.verdict,
      outcome: this.outcome,
      ...extra,
    };
  }
}
