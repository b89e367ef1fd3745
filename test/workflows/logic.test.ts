/**
 * The workflow's pure pieces, without a server: validating an approval typed by a person, deriving the
 * root cause from evidence, and writing the report.
 */
import { parseApproval } from '../../workflows/approval-gate';
import { buildReport } from '../../workflows/report';
import { deriveRootCause } from '../../workflows/root-cause';
import type { Evidence, InvestigationResult, LogEvidence, ServiceHealthEvidence } from '../../workflows/types';

describe('parseApproval', () => {
  test('accepts {approver, reason?} and trims the approver', () => {
    expect(parseApproval({ approver: ' alice ', reason: 'OOM loop' })).toEqual({ approver: 'alice', reason: 'OOM loop' });
    expect(parseApproval({ approver: 'bob' })).toEqual({ approver: 'bob', reason: undefined });
  });

  test.each([
    [undefined, 'must be a JSON object'],
    [null, 'must be a JSON object'],
    ['alice', 'must be a JSON object'],
    [['alice'], 'must be a JSON object'],
    [{}, '"approver" is required'],
    [{ approver: 5 }, '"approver" is required'],
    [{ approver: '   ' }, '"approver" is required'],
    [{ approver: 'alice', reason: 7 }, '"reason" must be a string'],
  ])('refuses %j with a reason', (input, reason) => {
    const r = parseApproval(input);
    expect(typeof r).toBe('string');
    expect(r).toMatch(/^refused: /);
    expect(r).toContain(reason);
  });
});

const logs = (over: Partial<LogEvidence> = {}): LogEvidence => ({
  status: 'ok',
  from: '2026-01-01T00:00:00.000Z',
  to: '2026-01-01T00:40:00.000Z',
  scanned: 10,
  exceptions: [],
  oomKills: 0,
  crashLoops: 0,
  connectivityErrors: [],
  ...over,
});

const ecsDown = (oom: boolean): ServiceHealthEvidence => ({
  status: 'ok',
  asOf: '2026-01-01T00:02:00.000Z',
  classification: 'unhealthy',
  reasons: ['no running tasks (desired 2, pending 0)'],
  details: {
    platform: 'ecs',
    desired: 2,
    running: 0,
    pending: 0,
    deployments: 1,
    recentEvents: [],
    stoppedTasks: [{ taskId: 't1', stoppedReason: 'Essential container in task exited', exitCode: oom ? 137 : 1, oom }],
  },
});

const sig = (signature: string, count: number) => ({ signature, count, sample: signature });
const denied = { status: 'could-not-assess' as const, check: 'logs', type: 'AccessDenied', reason: 'logs: access denied' };

describe('deriveRootCause', () => {
  test('transient: none', () => {
    expect(deriveRootCause('transient', { logs: logs({ oomKills: 3 }) }).category).toBe('none');
  });

  test('heartbeat-path failure: stalled event loop, mentioning the top exception', () => {
    const rc = deriveRootCause('heartbeat-path-failure', { logs: logs({ exceptions: [sig('TypeError: x', 4)] }) });
    expect(rc.category).toBe('stalled-event-loop');
    expect(rc.summary).toContain('TypeError: x (4x)');
  });

  test('OOM explains everything else, from the logs or from stopped tasks alone', () => {
    const everything = logs({ oomKills: 1, crashLoops: 5, connectivityErrors: [sig('ECONNREFUSED', 9)], exceptions: [sig('E', 2)] });
    expect(deriveRootCause('service-down', { logs: everything }).category).toBe('oom');
    const fromTasks = deriveRootCause('service-down', { logs: denied, service: ecsDown(true) });
    expect(fromTasks.category).toBe('oom');
    expect(fromTasks.summary).toContain('1 stopped task(s) with OOM');
    expect(fromTasks.summary).toContain('Logs could not be read');
  });

  test('then connectivity, then crash loop, then exceptions, then unknown', () => {
    const ev = (l: Partial<LogEvidence>): Evidence => ({ logs: logs(l), service: ecsDown(false) });
    expect(deriveRootCause('service-down', ev({ crashLoops: 2, connectivityErrors: [sig('ECONNREFUSED <addr>', 3)] }))).toMatchObject({
      category: 'connectivity',
      summary: expect.stringContaining('3x "ECONNREFUSED <addr>"'),
    });
    expect(deriveRootCause('service-down', ev({ crashLoops: 2, exceptions: [sig('E', 1)] })).category).toBe('crash-loop');
    expect(deriveRootCause('inconclusive', ev({ exceptions: [sig('RangeError: too deep', 6)] }))).toMatchObject({
      category: 'exception',
      summary: expect.stringContaining('RangeError: too deep'),
    });
    expect(deriveRootCause('inconclusive', ev({})).category).toBe('unknown');
  });

  test('unknown says so when logs could not be read', () => {
    const rc = deriveRootCause('inconclusive', { logs: denied });
    expect(rc.category).toBe('unknown');
    expect(rc.summary).toContain('Logs could not be read');
  });
});

describe('buildReport', () => {
  const base: Omit<InvestigationResult, 'reportMarkdown'> = {
    workflowId: 'liveness-eu-west-1',
    region: 'eu-west-1',
    cloud: 'aws',
    alert: { region: 'eu-west-1', firedAt: '2026-01-01T00:00:00.000Z', source: 'axiom', monitorId: 'mon-7' },
    verdict: 'service-down',
    outcome: 'restarted-and-recovered',
    restarts: 1,
    approvedBy: 'alice',
    rootCause: { category: 'oom', summary: 'Out-of-memory kills.', followUp: 'Open a ticket: memory profile.' },
    evidence: {
      heartbeats: { status: 'ok', asOf: '2026-01-01T00:00:00.000Z', windowStart: '2025-12-31T23:58:00.000Z', count: 0, present: false },
      blipWait: { checks: 4, recovered: false },
      pollers: { status: 'ok', asOf: '2026-01-01T00:02:00.000Z', windowStart: '2025-12-31T23:57:00.000Z', count: 0, present: false },
      queues: {
        status: 'ok',
        asOf: '2026-01-01T00:02:00.000Z',
        flagged: true,
        queues: [{ name: 'jobs-eu-west-1', kind: 'sqs', backlog: 580, inFlight: 0, backlogDelta: 200, consumed: 0, flagged: true, note: 'backlog grew by 200 with no consumer activity' }],
      },
      service: ecsDown(true),
      restart: { status: 'ok', at: '2026-01-01T00:05:00.000Z', action: 'ECS force-new-deployment', reference: 'ecs-svc/1', alreadyApplied: false },
      recovery: { checks: 3, recovered: true, recoveredAt: '2026-01-01T00:06:10.000Z' },
      logs: denied,
    },
    decisions: [
      { at: '2026-01-01T00:03:00.000Z', signal: 'approveRestart', approver: 'mallory', accepted: false, note: 'refused: mallory is not on this region\'s approver allowlist' },
      { at: '2026-01-01T00:04:00.000Z', signal: 'approveRestart', approver: 'alice', reason: 'OOM loop', accepted: true, note: 'restart approved' },
    ],
    repeatAlerts: 2,
    timeline: [
      { at: '2026-01-01T00:00:00.000Z', step: 'resolving-region', text: 'alert from axiom fired at 2026-01-01T00:00:00.000Z' },
      { at: '2026-01-01T00:02:10.000Z', step: 'awaiting-approval', text: 'restart proposed' },
    ],
  };

  test('a restarted investigation: header, timeline, evidence per step, decisions, action, root cause, follow-up', () => {
    const md = buildReport(base);
    expect(md).toMatch(/^# Liveness incident — backend-background, eu-west-1 \(AWS\)\n/);
    for (const s of ['## Timeline', '## Evidence', '## Decisions', '## Actions', '## Root cause', '## Follow-up']) expect(md).toContain(s);
    expect(md).toContain('- **Restarts:** 1, approved by alice');
    expect(md).toContain('monitor mon-7; 2 repeat alert(s) joined');
    expect(md).toContain('- 2026-01-01T00:02:10.000Z [awaiting-approval] restart proposed');
    expect(md).toContain('| jobs-eu-west-1 | 580 | 0 | – | 0 | 200 | ⚠ backlog grew by 200 with no consumer activity |');
    expect(md).toContain('stopped task t1: Essential container in task exited (exit 137) **OOM**');
    expect(md).toContain('**Step 5 — logs.** could not assess (AccessDenied): logs: access denied.');
    expect(md).toContain('heartbeats back after 3 recheck(s), last seen 2026-01-01T00:06:10.000Z');
    expect(md).toContain("`approveRestart` from **mallory**: refused: mallory is not on this region's approver allowlist");
    expect(md).toContain('`approveRestart` from **alice** ("OOM loop"): accepted');
    expect(md).toContain('- ECS force-new-deployment (ecs-svc/1) at 2026-01-01T00:05:00.000Z, approved by alice');
    expect(md).toContain('- Open a ticket: memory profile.');
  });

  test('no restart, no decisions, a step not reached', () => {
    const md = buildReport({
      ...base,
      outcome: 'escalated',
      verdict: 'inconclusive',
      restarts: 0,
      approvedBy: undefined,
      decisions: [],
      repeatAlerts: 0,
      evidence: { heartbeats: base.evidence.heartbeats, service: { status: 'could-not-assess', check: 'service health', type: 'AccessDenied', reason: 'ecs describe: access denied' } },
    });
    expect(md).toContain('- no restart was performed');
    expect(md).toContain('- none: no approval or rejection was received');
    expect(md).toContain('**Step 4 — service health.** could not assess (AccessDenied)');
    expect(md).not.toContain('Step 2a');
    expect(md).not.toContain('repeat alert');
  });
});
