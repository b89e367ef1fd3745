import { condition } from '@temporalio/workflow';
import type { ApprovalInput } from './messages';
import type { DecisionRecord, RestartProposal } from './types';

export type GateOutcome = 'approved' | 'rejected' | 'timed-out' | 'recovered';

export interface GateOptions {
  timeoutSec: number;
  reminderIntervalSec: number;
  recheckIntervalSec: number;
  /** Checks heartbeats; true means the service recovered and the proposal must be withdrawn. */
  recovered: () => Promise<boolean>;
  remind: (n: number, remainingSec: number) => Promise<void>;
}

type SignalName = DecisionRecord['signal'];

/**
 * The approval gate. Every approveRestart / rejectRestart is recorded, accepted or not: an approval
 * before any proposal, after the decision, from someone off the allowlist, or with a malformed input is
 * refused with its reason and leaves the gate as it was. No restart happens without an accepted approval.
 */
export class ApprovalGate {
  readonly decisions: DecisionRecord[] = [];
  proposal?: RestartProposal;
  private approvers: string[] = [];
  private decided?: DecisionRecord;
  private closedReason?: string;
  private poke = false;

  /** Handles a signal; safe to call at any time, including before a proposal exists. */
  receive(signal: SignalName, input: unknown): void {
    const at = new Date().toISOString();
    const parsed = parseApproval(input);
    if (typeof parsed === 'string') {
      this.record({ at, signal, approver: '(invalid input)', accepted: false, note: parsed });
      return;
    }
    const { approver, reason } = parsed;
    const refuse = (note: string) => this.record({ at, signal, approver, reason, accepted: false, note });
    if (!this.proposal) return refuse(this.closedReason ?? 'ignored: no restart is proposed at this point of the investigation');
    if (this.decided) return refuse(`ignored: the proposal was already ${this.decided.signal === 'approveRestart' ? 'approved' : 'rejected'} by ${this.decided.approver}`);
    const allowed = this.approvers.find((a) => a.toLowerCase() === approver.toLowerCase());
    if (!allowed) {
      return refuse(`refused: ${approver} is not on this region's approver allowlist (${this.approvers.join(', ')}); the gate stays open`);
    }
    this.decided = { at, signal, approver, reason, accepted: true, note: signal === 'approveRestart' ? 'restart approved' : 'restart rejected' };
    this.decisions.push(this.decided);
  }

  /** Wakes the gate so it rechecks heartbeats now (the monitor reported the alert resolved). */
  wake(): void {
    this.poke = true;
  }

  get decision(): DecisionRecord | undefined {
    return this.decided;
  }

  /**
   * Makes the proposal answerable. Called before anyone is told about it: an approval sent the moment the
   * "approval needed" notification arrives must find the proposal, not be refused as premature.
   */
  propose(proposal: RestartProposal, approvers: string[]): void {
    this.proposal = proposal;
    this.approvers = approvers;
  }

  /** Opens the gate and waits for a decision, a timeout, or recovery, sending reminders on the way. */
  async open(proposal: RestartProposal, approvers: string[], opts: GateOptions): Promise<GateOutcome> {
    this.propose(proposal, approvers);
    const start = Date.now();
    const deadline = start + opts.timeoutSec * 1000;
    let nextReminder = start + opts.reminderIntervalSec * 1000;
    let nextRecheck = start + opts.recheckIntervalSec * 1000;
    let reminders = 0;
    try {
      for (;;) {
        if (this.decided) return this.decided.signal === 'approveRestart' ? 'approved' : 'rejected';
        const now = Date.now();
        if (now >= deadline) return 'timed-out';
        if (this.poke || now >= nextRecheck) {
          this.poke = false;
          if (await opts.recovered()) return 'recovered';
          nextRecheck = Date.now() + opts.recheckIntervalSec * 1000;
          continue;
        }
        if (now >= nextReminder) {
          reminders++;
          await opts.remind(reminders, Math.round((deadline - now) / 1000));
          nextReminder += opts.reminderIntervalSec * 1000;
          continue;
        }
        const wait = Math.min(deadline, nextReminder, nextRecheck) - now;
        await condition(() => this.decided !== undefined || this.poke, wait);
      }
    } finally {
      this.closedReason = this.decided ? undefined : 'ignored: the approval gate is closed (timed out or proposal withdrawn)';
      if (!this.decided) this.proposal = undefined;
    }
  }

  private record(d: DecisionRecord): void {
    this.decisions.push(d);
  }
}

/** Validates a signal input typed by a person; returns the reason when it is unusable. */
export function parseApproval(input: unknown): ApprovalInput | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return 'refused: input must be a JSON object like {"approver": "alice", "reason": "..."}';
  }
  const { approver, reason } = input as Record<string, unknown>;
  if (typeof approver !== 'string' || approver.trim() === '') {
    return 'refused: "approver" is required, a non-empty string naming who approves';
  }
  if (reason !== undefined && typeof reason !== 'string') return 'refused: "reason" must be a string when given';
  return { approver: approver.trim(), reason };
}
