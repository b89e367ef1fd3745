/**
 * The investigation's paths that need no engineer: blip, alert resolved, heartbeat-path failure, healthy
 * service, faults on a check, and repeat alerts. Time-skipping server, production default durations.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { livenessInvestigation } from '../../workflows/investigation';
import { alertFiredSignal, alertResolvedSignal, INVESTIGATION_WORKFLOW, statusQuery } from '../../workflows/messages';
import type { Alert } from '../../workflows/types';
import { awsOutage, gcpOutage } from '../support/fixtures';
import { advanceUntil, closeIfRunning, scriptedInvestigation, useTimeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
useTimeSkippingEnv((e) => (env = e));

/** Heartbeats stopped 3 minutes before the alert; `resume` seconds after it they come back (if given). */
function heartbeatsStopped(resume?: number) {
  return [{ from: -3600, to: -180, everySec: 10 }, ...(resume === undefined ? [] : [{ from: resume, everySec: 10 }])];
}

/** Pollers keep picking up jobs: `run_job` traces never stop. */
const POLLERS_RUNNING = [{ from: -3600, everySec: 20 }];

/** ECS at full strength: the runbook's "healthy" service. */
const HEALTHY_ECS = { platform: 'ecs' as const, desired: 2, running: 2, pending: 0, rolloutState: 'COMPLETED' as const, stoppedTasks: [] };

describe('step 1: blip or ongoing', () => {
  test('a blip: heartbeats come back during the wait, transient, nothing restarted', async () => {
    const inv = await scriptedInvestigation(env, awsOutage({ heartbeats: heartbeatsStopped(45) }));
    const result = await inv.run();
    expect(result.verdict).toBe('transient');
    expect(result.outcome).toBe('resolved-on-its-own');
    expect(result.restarts).toBe(0);
    expect(result.rootCause.category).toBe('none');
    // Rechecks at +30 s (still missing) and +60 s (the heartbeat of +50 s is in the window).
    expect(result.evidence.blipWait).toMatchObject({ recovered: true, checks: 2 });
    expect(result.evidence.pollers).toBeUndefined();
    expect(result.evidence.logs).toBeUndefined();
    expect(inv.world.restarts).toHaveLength(0);
    expect(inv.world.callCount('ecs')).toBe(0);
    expect(result.timeline.map((t) => t.text)).toContain('heartbeats resumed during the wait');
    expect(result.reportMarkdown).toContain('Verdict:** transient');
    expect(inv.sent.map((n) => n.kind)).toEqual(['final-report']);
  });

  test('heartbeats present at the first check: transient without waiting', async () => {
    const inv = await scriptedInvestigation(env, awsOutage({ heartbeats: [{ from: -3600, everySec: 10 }] }));
    const result = await inv.run();
    expect(result.verdict).toBe('transient');
    expect(result.evidence.blipWait).toBeUndefined();
    expect(result.evidence.heartbeats).toMatchObject({ status: 'ok', present: true });
    expect(inv.world.callCount('axiom', 'heartbeats')).toBe(1);
  });

  test('the monitor resolves the alert during the wait: transient, documented, no further checks', async () => {
    const inv = await scriptedInvestigation(env, awsOutage());
    const result = await inv.run(async (handle) => {
      const status = await advanceUntil(env, handle, 'waiting-for-blip');
      expect(status?.step).toBe('waiting-for-blip');
      await handle.signal(alertResolvedSignal, { source: 'axiom' });
      return handle.result();
    });
    expect(result.verdict).toBe('transient');
    expect(result.outcome).toBe('resolved-on-its-own');
    expect(result.evidence.blipWait!.recovered).toBe(false);
    // It left before the window was over (4 rechecks) and never assessed impact.
    expect(result.evidence.blipWait!.checks).toBeLessThan(4);
    expect(result.evidence.pollers).toBeUndefined();
    expect(inv.world.callCount('axiom', 'jobTraces')).toBe(0);
    const texts = result.timeline.map((t) => t.text);
    expect(texts).toContain('monitor reported the alert resolved (axiom)');
    expect(texts).toContain('the monitor closed the alert during the wait');
  });
});

describe('steps 2–3: impact and the heartbeat path', () => {
  test('pollers present while heartbeats are missing: heartbeat-path failure, escalated, no restart offered', async () => {
    const inv = await scriptedInvestigation(
      env,
      awsOutage({ jobTraces: POLLERS_RUNNING, logs: [{ at: -100, message: 'TypeError: cannot read properties of undefined (reading id)' }] }),
    );
    const result = await inv.run();
    expect(result.verdict).toBe('heartbeat-path-failure');
    expect(result.outcome).toBe('escalated');
    expect(result.restarts).toBe(0);
    expect(result.rootCause.category).toBe('stalled-event-loop');
    expect(result.rootCause.summary).toContain('TypeError');
    expect(result.evidence.blipWait).toMatchObject({ recovered: false, checks: 4 });
    expect(result.evidence.pollers).toMatchObject({ status: 'ok', present: true });
    expect(result.evidence.queues).toMatchObject({ status: 'ok', flagged: true });
    // Step 4 is skipped: the service is never described, and nobody is asked to approve anything.
    expect(result.evidence.service).toBeUndefined();
    expect(inv.world.callCount('ecs')).toBe(0);
    expect(inv.sent.map((n) => n.kind)).toEqual(['final-report']);
    expect(result.evidence.logs).toMatchObject({ status: 'ok', scanned: 1 });
  });

  test('no pollers and a healthy service: inconclusive, escalated, no restart', async () => {
    const inv = await scriptedInvestigation(env, awsOutage({ service: HEALTHY_ECS, logs: [] }));
    const result = await inv.run();
    expect(result.verdict).toBe('inconclusive');
    expect(result.outcome).toBe('escalated');
    expect(result.restarts).toBe(0);
    expect(result.evidence.service).toMatchObject({ status: 'ok', classification: 'healthy' });
    expect(result.rootCause.category).toBe('unknown');
    expect(inv.world.callCount('ecs', 'restart')).toBe(0);
    expect(inv.sent.map((n) => n.kind)).toEqual(['final-report']);
    expect(result.timeline.map((t) => t.text)).toContain('service is healthy: inconclusive, escalating without a restart');
  });

  test('no pollers and a Cloud Run service that looks healthy: inconclusive as well', async () => {
    const inv = await scriptedInvestigation(
      env,
      gcpOutage({
        service: { platform: 'cloud-run', ready: true, latestReadyRevision: 'backend-00042-abc', latestCreatedRevision: 'backend-00042-abc', instanceCount: 1, errors: [] },
      }),
    );
    const result = await inv.run();
    expect(result.cloud).toBe('gcp');
    expect(result.verdict).toBe('inconclusive');
    expect(result.evidence.service).toMatchObject({ status: 'ok', classification: 'healthy', details: { platform: 'cloud-run' } });
    expect(inv.world.callCount('run', 'describe')).toBe(1);
  });
});

describe('faults on a check', () => {
  test('access denied on ECS: service "could not assess", inconclusive, asked once, not stuck', async () => {
    const inv = await scriptedInvestigation(env, awsOutage({ faults: [{ api: 'ecs', kind: 'AccessDenied' }] }));
    const result = await inv.run();
    expect(result.evidence.service).toMatchObject({ status: 'could-not-assess', check: 'service health', type: 'AccessDenied' });
    expect(result.verdict).toBe('inconclusive');
    expect(result.outcome).toBe('escalated');
    expect(result.restarts).toBe(0);
    // Non-retryable: one call, no retry storm against a denied API.
    expect(inv.world.callCount('ecs', 'describe')).toBe(1);
    expect(inv.world.callCount('ecs', 'restart')).toBe(0);
    expect(result.reportMarkdown).toContain('could not assess (AccessDenied)');
    // The root cause still comes from the logs, which were readable.
    expect(result.rootCause.category).toBe('oom');
  });

  test('throttled twice on ECS: retried by Temporal, the third call succeeds and the restart is proposed', async () => {
    const inv = await scriptedInvestigation(env, awsOutage({ faults: [{ api: 'ecs', kind: 'Throttled', times: 2 }] }));
    // The harness terminates the run once the gate is reached: what matters here is getting there.
    const status = await inv.run((handle) => advanceUntil(env, handle, 'awaiting-approval'));
    expect(status?.evidence.service).toMatchObject({ status: 'ok', classification: 'unhealthy' });
    expect(inv.world.callCount('ecs', 'describe')).toBe(3);
    expect(status?.proposal).toBeDefined();
  });

  test('logs keep failing with a server error: retries exhausted, "could not assess", root cause from the service alone', async () => {
    const inv = await scriptedInvestigation(env, awsOutage({ service: HEALTHY_ECS, faults: [{ api: 'cloudwatch-logs', kind: 'ServerError' }] }));
    const result = await inv.run();
    expect(result.evidence.logs).toMatchObject({ status: 'could-not-assess', check: 'logs', type: 'RetriesExhausted' });
    // The long-query profile allows 3 attempts.
    expect(inv.world.callCount('cloudwatch-logs', 'read')).toBe(3);
    expect(result.verdict).toBe('inconclusive');
    expect(result.rootCause.summary).toContain('Logs could not be read');
  });

  test('Axiom denied: heartbeats and pollers "could not assess", the runbook still reaches service health', async () => {
    const inv = await scriptedInvestigation(env, awsOutage({ service: HEALTHY_ECS, faults: [{ api: 'axiom', kind: 'AccessDenied' }] }));
    const result = await inv.run();
    expect(result.evidence.heartbeats).toMatchObject({ status: 'could-not-assess', type: 'AccessDenied' });
    expect(result.evidence.pollers).toMatchObject({ status: 'could-not-assess', type: 'AccessDenied' });
    expect(result.evidence.service).toMatchObject({ status: 'ok', classification: 'healthy' });
    expect(result.verdict).toBe('inconclusive');
    expect(result.timeline.map((t) => t.text)).toContain('pollers could not be assessed: checking service health');
  });
});

describe('one open investigation per region', () => {
  test('a repeat alert joins the open investigation through signal-with-start and is recorded', async () => {
    // Started by signal-with-start below, as the alert receiver does, under the product's one-per-region ID.
    const inv = await scriptedInvestigation(env, awsOutage({ jobTraces: POLLERS_RUNNING }));
    const { workflowId, taskQueue, worker, sent } = inv;
    const firedAt = new Date(inv.alert.firedAt);
    const alertFired = (alert: Alert) =>
      env.client.workflow.signalWithStart<typeof livenessInvestigation, [Alert]>(INVESTIGATION_WORKFLOW, {
        workflowId,
        taskQueue,
        args: [alert],
        signal: alertFiredSignal,
        signalArgs: [alert],
      });
    const first: Alert = { region: inv.alert.region, firedAt: firedAt.toISOString(), source: 'axiom', monitorId: 'mon-1' };
    const repeat: Alert = { ...first, firedAt: new Date(firedAt.getTime() + 60_000).toISOString() };

    const { result, runs } = await worker.runUntil(async () => {
      const a = await alertFired(first);
      try {
        const b = await alertFired(repeat);
        const result = await a.result();
        // After it closed, the next alert opens a new investigation.
        const c = await alertFired({ ...first, firedAt: new Date(firedAt.getTime() + 3_600_000).toISOString() });
        return { result, runs: [a.signaledRunId, b.signaledRunId, c.signaledRunId] };
      } finally {
        await closeIfRunning(env.client.workflow.getHandle(workflowId));
      }
    });
    expect(runs[1]).toBe(runs[0]);
    expect(runs[2]).not.toBe(runs[0]);
    expect(result.repeatAlerts).toBe(1);
    expect(result.alert.firedAt).toBe(first.firedAt);
    expect(result.timeline.filter((t) => t.text.startsWith('repeat alert')).map((t) => t.text)).toEqual([
      `repeat alert from axiom (fired ${repeat.firedAt}) joined this investigation`,
    ]);
    expect(result.reportMarkdown).toContain('1 repeat alert(s) joined');
    // One investigation's worth of work: a single report for both alerts.
    expect(sent.filter((n) => n.kind === 'final-report')).toHaveLength(1);
  });
});
