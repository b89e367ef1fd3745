/**
 * Step 4's approval gate and restart, on the time-skipping server with production default durations:
 * approved (recovered or not), rejected, timed out with reminders, refused approvals, early approvals,
 * recovery while waiting, and the status query an engineer reads before approving.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { livenessInvestigation } from '../../workflows/investigation';
import { approveRestartSignal, rejectRestartSignal, statusQuery, type ApprovalInput } from '../../workflows/messages';
import { awsOutage, gcpOutage } from '../support/fixtures';
import { advanceUntil, scriptedInvestigation, useTimeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
useTimeSkippingEnv((e) => (env = e));

type Handle = WorkflowHandle<typeof livenessInvestigation>;

/** Waits for the gate, sends the given signals in order, then awaits the result. */
function answerAtGate(...signals: ['approve' | 'reject', unknown][]) {
  return async (handle: Handle) => {
    const status = await advanceUntil(env, handle, 'awaiting-approval');
    expect(status?.proposal).toBeDefined();
    for (const [kind, input] of signals) {
      await handle.signal(kind === 'approve' ? approveRestartSignal : rejectRestartSignal, input as ApprovalInput);
    }
    return handle.result();
  };
}

const kinds = (sent: { kind: string }[]) => sent.map((n) => n.kind);

describe('approved', () => {
  test('service down, approved, recovered: exactly one restart, approvedBy set, root cause OOM', async () => {
    const inv = await scriptedInvestigation(env, awsOutage());
    const result = await inv.run(answerAtGate(['approve', { approver: 'alice', reason: 'OOM loop' }]));
    expect(result.verdict).toBe('service-down');
    expect(result.outcome).toBe('restarted-and-recovered');
    expect(result.restarts).toBe(1);
    expect(result.approvedBy).toBe('alice');
    expect(result.rejectedBy).toBeUndefined();
    expect(result.rootCause.category).toBe('oom');
    expect(inv.world.restarts).toHaveLength(1);
    expect(inv.world.callCount('ecs', 'restart')).toBe(1);
    expect(result.evidence.restart).toMatchObject({ status: 'ok', action: 'ECS force-new-deployment', reference: inv.world.restarts[0].reference, alreadyApplied: false });
    // The world recovers 60 s after the restart; rechecks every 30 s see it at the second or third look.
    expect(result.evidence.recovery).toMatchObject({ recovered: true });
    expect(result.evidence.recovery!.checks).toBeLessThanOrEqual(3);
    expect(result.decisions).toEqual([expect.objectContaining({ signal: 'approveRestart', approver: 'alice', reason: 'OOM loop', accepted: true })]);
    expect(result.timeline.map((t) => t.step)).toEqual(expect.arrayContaining(['awaiting-approval', 'restarting', 'verifying-recovery', 'examining-logs', 'reporting']));
    expect(kinds(inv.sent)).toEqual(['approval-needed', 'final-report']);
    expect(result.reportMarkdown).toContain('approved by alice');
    expect(result.reportMarkdown).toContain(inv.world.restarts[0].reference);
  });

  test('Cloud Run: approved restart makes a new revision, recovered', async () => {
    const inv = await scriptedInvestigation(env, gcpOutage());
    const result = await inv.run(answerAtGate(['approve', { approver: 'Bob' }]));
    expect(result.cloud).toBe('gcp');
    expect(result.outcome).toBe('restarted-and-recovered');
    expect(result.approvedBy).toBe('Bob');
    expect(inv.world.restarts).toHaveLength(1);
    expect(inv.world.callCount('run', 'restart')).toBe(1);
    expect(result.evidence.restart).toMatchObject({ status: 'ok', action: 'Cloud Run new revision', reference: 'backend-00044-rst' });
    expect(result.rootCause.category).toBe('connectivity');
  });

  test('an approval sent the moment the "approval needed" notification arrives is accepted', async () => {
    // The notifier holds the approval-needed notification until the test has approved, so the signal
    // reaches the workflow while it is still telling on-call about the proposal.
    let notified!: () => void;
    const needed = new Promise<void>((r) => (notified = r));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const inv = await scriptedInvestigation(env, awsOutage(), {
      ports: (p) => ({
        ...p,
        notifier: {
          async send(n) {
            await p.notifier.send(n);
            if (n.kind === 'approval-needed') {
              notified();
              await held;
            }
          },
        },
      }),
    });
    const result = await inv.run(async (handle) => {
      const done = handle.result();
      try {
        await needed;
        const status = await handle.query(statusQuery);
        expect(status.step).toBe('awaiting-approval');
        expect(status.proposal?.howToApprove).toContain('approveRestart');
        await handle.signal(approveRestartSignal, { approver: 'alice' });
      } finally {
        // Never leave the activity held: the worker could not shut down.
        release();
      }
      return done;
    });
    expect(result.decisions).toEqual([expect.objectContaining({ approver: 'alice', accepted: true })]);
    expect(result.outcome).toBe('restarted-and-recovered');
    expect(inv.world.restarts).toHaveLength(1);
    expect(kinds(inv.sent)).toEqual(['approval-needed', 'final-report']);
  });

  test('approved but not recovered: one restart, heartbeats still missing after the 10-minute window', async () => {
    const inv = await scriptedInvestigation(env, awsOutage({ restart: { recoversAfterSec: null } }));
    const result = await inv.run(answerAtGate(['approve', { approver: 'bob' }]));
    expect(result.verdict).toBe('service-down');
    expect(result.outcome).toBe('restarted-not-recovered');
    expect(result.restarts).toBe(1);
    expect(inv.world.restarts).toHaveLength(1);
    // 600 s window / 30 s interval: every recheck was made and none saw a heartbeat.
    expect(result.evidence.recovery).toMatchObject({ recovered: false, checks: 20 });
    const restartedAt = Date.parse((result.evidence.restart as { at: string }).at);
    const verifiedUntil = Date.parse(result.timeline.find((t) => t.step === 'examining-logs')!.at);
    expect(verifiedUntil - restartedAt).toBeGreaterThanOrEqual(600_000);
  });

  test('approval arrives just after heartbeats came back: withdrawn, never restarted', async () => {
    // The gate opens ~120 s after the alert and rechecks every 60 s; heartbeats return at 125 s and the
    // approval lands at ~135–145 s, before the gate's next recheck would have noticed.
    const inv = await scriptedInvestigation(env, awsOutage({ heartbeats: [{ from: -3600, to: -180, everySec: 10 }, { from: 125, everySec: 10 }] }));
    const result = await inv.run(async (handle) => {
      await advanceUntil(env, handle, 'awaiting-approval');
      await env.sleep(15_000);
      expect((await handle.query(statusQuery)).step).toBe('awaiting-approval');
      await handle.signal(approveRestartSignal, { approver: 'alice' });
      return handle.result();
    });
    expect(result.verdict).toBe('service-down');
    expect(result.outcome).toBe('resolved-on-its-own');
    expect(result.restarts).toBe(0);
    expect(inv.world.restarts).toHaveLength(0);
    expect(inv.world.callCount('ecs', 'restart')).toBe(0);
    expect(result.timeline.map((t) => t.text)).toContain('heartbeats are back: approved restart withdrawn, nothing restarted');
  });
});

describe('not approved', () => {
  test('rejected: no restart, rejectedBy set', async () => {
    const inv = await scriptedInvestigation(env, awsOutage());
    const result = await inv.run(answerAtGate(['reject', { approver: 'bob', reason: 'deploy in progress' }]));
    expect(result.verdict).toBe('service-down');
    expect(result.outcome).toBe('restart-rejected');
    expect(result.restarts).toBe(0);
    expect(result.rejectedBy).toBe('bob');
    expect(result.approvedBy).toBeUndefined();
    expect(inv.world.restarts).toHaveLength(0);
    expect(result.decisions).toEqual([expect.objectContaining({ signal: 'rejectRestart', approver: 'bob', accepted: true })]);
    expect(result.timeline.map((t) => t.text)).toContain('restart rejected by bob: deploy in progress');
    expect(result.reportMarkdown).toContain('rejected by bob');
  });

  test('approval timeout: 30 minutes, reminders every 10, no restart', async () => {
    const inv = await scriptedInvestigation(env, awsOutage());
    const result = await inv.run();
    expect(result.verdict).toBe('service-down');
    expect(result.outcome).toBe('approval-timed-out');
    expect(result.restarts).toBe(0);
    expect(inv.world.restarts).toHaveLength(0);
    expect(kinds(inv.sent)).toEqual(['approval-needed', 'approval-reminder', 'approval-reminder', 'approval-timed-out', 'final-report']);
    expect(inv.sent[1].title).toMatch(/^Reminder 1: .*\(1200s left\)$/);
    expect(inv.sent[2].title).toMatch(/^Reminder 2: .*\(600s left\)$/);
    expect(inv.sent[1].text).toContain('approveRestart');
    const gate = result.timeline.find((t) => t.step === 'awaiting-approval')!;
    const closed = result.timeline.find((t) => t.text === 'no decision within 1800s: no restart')!;
    expect(Date.parse(closed.at) - Date.parse(gate.at)).toBeGreaterThanOrEqual(1_800_000);
    expect(result.decisions).toEqual([]);
  });

  test('heartbeats come back while the gate is open: proposal withdrawn, resolved on its own, no restart', async () => {
    const inv = await scriptedInvestigation(env, awsOutage({ heartbeats: [{ from: -3600, to: -180, everySec: 10 }, { from: 600, everySec: 10 }] }));
    const result = await inv.run();
    expect(result.verdict).toBe('service-down');
    expect(result.outcome).toBe('resolved-on-its-own');
    expect(result.restarts).toBe(0);
    expect(inv.world.restarts).toHaveLength(0);
    expect(inv.world.callCount('ecs', 'restart')).toBe(0);
    const withdrawn = result.timeline.find((t) => t.text.startsWith('heartbeats came back while awaiting approval'))!;
    expect(withdrawn).toBeDefined();
    // Noticed at the first gate recheck after 600 s, i.e. within a minute of the heartbeats' return.
    const sinceAlert = (Date.parse(withdrawn.at) - Date.parse(inv.alert.firedAt)) / 1000;
    expect(sinceAlert).toBeGreaterThanOrEqual(600);
    expect(sinceAlert).toBeLessThan(670);
    expect(kinds(inv.sent)).not.toContain('approval-timed-out');
  });
});

/** Waits (in real time, bounded) until the workflow has recorded `n` approval/rejection signals. */
async function decisionsRecorded(handle: Handle, n: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await handle.query(statusQuery)).decisions.length >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the workflow did not record ${n} decision(s)`);
}

describe('the gate refuses what it must', () => {
  test('an approver off the allowlist is refused and recorded; the gate stays open; an allowed approval then works', async () => {
    const inv = await scriptedInvestigation(env, awsOutage());
    const result = await inv.run(async (handle) => {
      await advanceUntil(env, handle, 'awaiting-approval');
      await handle.signal(approveRestartSignal, { approver: 'mallory', reason: 'trust me' });
      // Let the worker record the signal before time is skipped: env.sleep() right after a signal, with
      // its workflow task still outstanding, was seen to hang the time-skipping test server.
      await decisionsRecorded(handle, 1);
      await env.sleep(120_000);
      const status = await handle.query(statusQuery);
      expect(status.step).toBe('awaiting-approval');
      expect(status.proposal).toBeDefined();
      expect(inv.world.restarts).toHaveLength(0);
      await handle.signal(approveRestartSignal, { approver: 'alice' });
      return handle.result();
    });
    expect(result.decisions).toHaveLength(2);
    expect(result.decisions[0]).toMatchObject({ approver: 'mallory', reason: 'trust me', accepted: false });
    expect(result.decisions[0].note).toContain('not on this region');
    expect(result.decisions[0].note).toContain('alice, bob');
    expect(result.decisions[1]).toMatchObject({ approver: 'alice', accepted: true });
    expect(result.approvedBy).toBe('alice');
    expect(result.outcome).toBe('restarted-and-recovered');
    expect(inv.world.restarts).toHaveLength(1);
    expect(result.reportMarkdown).toContain('from **mallory**');
  });

  test('an approval before any proposal is recorded as ignored and not acted on later', async () => {
    const inv = await scriptedInvestigation(env, awsOutage());
    const result = await inv.run(async (handle) => {
      await advanceUntil(env, handle, 'waiting-for-blip');
      await handle.signal(approveRestartSignal, { approver: 'alice', reason: 'just do it' });
      const atGate = await advanceUntil(env, handle, 'awaiting-approval');
      expect(atGate?.decisions).toEqual([expect.objectContaining({ approver: 'alice', accepted: false })]);
      // Five minutes at the gate: the early approval does not count, nothing is restarted.
      await env.sleep(300_000);
      expect((await handle.query(statusQuery)).step).toBe('awaiting-approval');
      expect(inv.world.restarts).toHaveLength(0);
      await handle.signal(approveRestartSignal, { approver: 'bob' });
      return handle.result();
    });
    expect(result.decisions[0].note).toContain('no restart is proposed');
    expect(result.decisions[1]).toMatchObject({ approver: 'bob', accepted: true });
    expect(result.approvedBy).toBe('bob');
    expect(inv.world.restarts).toHaveLength(1);
    // The restart followed bob's approval, not alice's early one.
    expect(inv.world.restarts[0].at.getTime()).toBeGreaterThanOrEqual(Date.parse(result.decisions[1].at));
  });

  test('malformed approval inputs are refused with a reason; the gate stays open', async () => {
    const inv = await scriptedInvestigation(env, awsOutage());
    const result = await inv.run(answerAtGate(['approve', {}], ['approve', { approver: 5 }], ['approve', 'alice'], ['reject', { approver: 'alice', reason: 7 }], ['reject', { approver: 'alice' }]));
    expect(result.decisions.map((d) => d.accepted)).toEqual([false, false, false, false, true]);
    expect(result.decisions[0]).toMatchObject({ approver: '(invalid input)' });
    expect(result.decisions[0].note).toContain('"approver" is required');
    expect(result.decisions[1].note).toContain('"approver" is required');
    expect(result.decisions[2].note).toContain('must be a JSON object');
    expect(result.decisions[3].note).toContain('"reason" must be a string');
    expect(result.outcome).toBe('restart-rejected');
    expect(result.rejectedBy).toBe('alice');
    expect(inv.world.restarts).toHaveLength(0);
  });

  test('a second answer after the decision is recorded as ignored', async () => {
    const inv = await scriptedInvestigation(env, awsOutage());
    // After an approval the workflow waits on the recovery timer, so the late rejection always finds it running.
    const result = await inv.run(answerAtGate(['approve', { approver: 'alice' }], ['reject', { approver: 'bob', reason: 'wait' }]));
    expect(result.outcome).toBe('restarted-and-recovered');
    expect(result.approvedBy).toBe('alice');
    expect(result.rejectedBy).toBeUndefined();
    expect(inv.world.restarts).toHaveLength(1);
    expect(result.decisions).toHaveLength(2);
    expect(result.decisions[1]).toMatchObject({ signal: 'rejectRestart', approver: 'bob', accepted: false });
    expect(result.decisions[1].note).toContain('already approved by alice');
  });
});

test('status query at the gate: step, evidence so far, and exactly how to approve', async () => {
  const inv = await scriptedInvestigation(env, awsOutage());
  const status = await inv.run(async (handle) => {
    const s = await advanceUntil(env, handle, 'awaiting-approval');
    await handle.signal(rejectRestartSignal, { approver: 'alice' });
    await handle.result();
    return s!;
  });
  expect(status.step).toBe('awaiting-approval');
  expect(status.region).toBe('eu-west-1');
  expect(status.workflowId).toBe(inv.workflowId);
  expect(status.evidence.heartbeats).toMatchObject({ status: 'ok', present: false });
  expect(status.evidence.pollers).toMatchObject({ status: 'ok', present: false });
  expect(status.evidence.queues).toMatchObject({ status: 'ok', flagged: true });
  expect(status.evidence.service).toMatchObject({ status: 'ok', classification: 'unhealthy' });
  expect(status.evidence.restart).toBeUndefined();
  expect(status.verdict).toBeUndefined();
  const p = status.proposal!;
  expect(p.target).toContain('backend-background');
  expect(p.target).toContain('eu-west-1');
  expect(p.method).toContain('forceNewDeployment');
  expect(p.approvers).toEqual(['alice', 'bob']);
  expect(p.howToApprove).toContain('approveRestart');
  expect(p.howToApprove).toContain('eu-west-1');
  expect(p.howToApprove).toContain(inv.workflowId);
  expect(Date.parse(p.deadline) - Date.parse(p.proposedAt)).toBe(1_800_000);
});
