/**
 * The activities' pure judgement, without Temporal or any cloud: log analysis, service health
 * classification and queue assessment. These are what turn facts from the ports into evidence.
 */
import { analyzeLogs, signatureOf } from '../../activities/logs';
import type { LogLine } from '../../activities/ports';
import { assessQueue } from '../../activities/queues';
import { classifyHealth } from '../../activities/service';
import type { CloudRunHealth, EcsHealth, StoppedTask } from '../../workflows/types';

const line = (message: string, at = '2026-01-01T00:00:00Z'): LogLine => ({ at, message });

describe('signatureOf', () => {
  test('masks ids, addresses, hex and numbers so repeats group', () => {
    expect(signatureOf('job 123e4567-e89b-12d3-a456-426614174000 failed at 10.0.0.5:5432 ptr 0xdeadBEEF after 42 tries')).toBe(
      'job <id> failed at <addr> ptr <hex> after <n> tries',
    );
    expect(signatureOf('TypeError: x is undefined (line 12)')).toBe(signatureOf('TypeError: x is undefined (line 977)'));
  });

  test('keeps only the first line, trimmed and bounded', () => {
    expect(signatureOf('  RangeError: too deep\n    at f (a.js:1:2)\n    at g (b.js:3:4)')).toBe('RangeError: too deep');
    expect(signatureOf('x'.repeat(500))).toHaveLength(160);
  });
});

describe('analyzeLogs', () => {
  const from = '2026-01-01T00:00:00Z';
  const to = '2026-01-01T00:30:00Z';

  test('counts OOM kills, crash loops, connectivity errors and exception signatures', () => {
    const lines = [
      line('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'),
      line('OutOfMemoryError: Container killed due to memory usage'),
      line('Essential container in task exited'),
      line('Back-off restarting failed container'),
      line('Error: connect ECONNREFUSED 10.0.0.5:5432'),
      line('Error: connect ECONNREFUSED 10.0.0.6:5432'),
      line('getaddrinfo EAI_AGAIN db.internal'),
      line('TypeError: Cannot read properties of undefined (reading 7)'),
      line('TypeError: Cannot read properties of undefined (reading 8)'),
      line('TypeError: Cannot read properties of undefined (reading 9)'),
      line('NullPointerException in Worker.run'),
      line('INFO all good'),
    ];
    const ev = analyzeLogs(lines, from, to);
    expect(ev).toMatchObject({ status: 'ok', from, to, scanned: 12, crashLoops: 2 });
    // "OutOfMemoryError" is both an OOM kill and an exception class name.
    expect(ev.oomKills).toBe(2);
    expect(ev.connectivityErrors).toEqual([
      { signature: 'Error: connect ECONNREFUSED <addr>', count: 2, sample: 'Error: connect ECONNREFUSED 10.0.0.5:5432' },
      { signature: 'getaddrinfo EAI_AGAIN db.internal', count: 1, sample: 'getaddrinfo EAI_AGAIN db.internal' },
    ]);
    // Most frequent first; connectivity lines are not double-counted as exceptions.
    expect(ev.exceptions[0]).toMatchObject({ signature: 'TypeError: Cannot read properties of undefined (reading <n>)', count: 3 });
    expect(ev.exceptions.map((e) => e.signature)).toEqual(expect.arrayContaining(['NullPointerException in Worker.run']));
    expect(ev.exceptions.some((e) => e.signature.includes('ECONNREFUSED'))).toBe(false);
  });

  test('an empty window is an empty, valid reading', () => {
    expect(analyzeLogs([], from, to)).toEqual({ status: 'ok', from, to, scanned: 0, exceptions: [], oomKills: 0, crashLoops: 0, connectivityErrors: [] });
  });

  test('at most 8 signatures, samples bounded to 300 characters', () => {
    const lines = Array.from({ length: 12 }, (_, i) => line(`${'Abc'.repeat(i + 1)}Error: ${'z'.repeat(400)}`));
    const ev = analyzeLogs(lines, from, to);
    expect(ev.exceptions).toHaveLength(8);
    expect(Math.max(...ev.exceptions.map((e) => e.sample.length))).toBe(300);
  });
});

describe('classifyHealth: ECS', () => {
  const ecs = (over: Partial<EcsHealth> = {}): EcsHealth => ({
    platform: 'ecs',
    desired: 2,
    running: 2,
    pending: 0,
    rolloutState: 'COMPLETED',
    deployments: 1,
    recentEvents: [],
    stoppedTasks: [],
    ...over,
  });
  const oomTask: StoppedTask = { taskId: 't1', stoppedReason: 'OutOfMemoryError', exitCode: 137, oom: true };

  test('no running tasks is unhealthy, with the OOM kills named', () => {
    const c = classifyHealth(ecs({ running: 0, pending: 1, stoppedTasks: [oomTask], memoryPercent: 97 }));
    expect(c.classification).toBe('unhealthy');
    expect(c.reasons[0]).toBe('no running tasks (desired 2, pending 1)');
    expect(c.reasons).toEqual(expect.arrayContaining(['1 recently stopped task(s) were OOM-killed', 'memory utilization 97%']));
  });

  test('a failed rollout is unhealthy even with tasks running', () => {
    expect(classifyHealth(ecs({ rolloutState: 'FAILED' })).classification).toBe('unhealthy');
  });

  test('fewer tasks than desired while tasks keep failing is unhealthy', () => {
    const c = classifyHealth(ecs({ running: 1, stoppedTasks: [{ taskId: 't2', exitCode: 1, oom: false }] }));
    expect(c).toMatchObject({ classification: 'unhealthy', reasons: ['1/2 tasks running while tasks keep failing', '1 recently stopped task(s) exited abnormally'] });
  });

  test('all desired tasks running is healthy; a clean stop (exit 0) is not a failure', () => {
    const c = classifyHealth(ecs({ stoppedTasks: [{ taskId: 't3', exitCode: 0, oom: false }] }));
    expect(c).toEqual({ classification: 'healthy', reasons: ['2/2 tasks running'] });
  });

  test('scaled to zero is unknown: a restart would not help', () => {
    expect(classifyHealth(ecs({ desired: 0, running: 0 })).classification).toBe('unknown');
  });

  test('fewer tasks than desired with no failures seen is unknown', () => {
    expect(classifyHealth(ecs({ running: 1, pending: 1 })).classification).toBe('unknown');
  });
});

describe('classifyHealth: Cloud Run', () => {
  const run = (over: Partial<CloudRunHealth> = {}): CloudRunHealth => ({
    platform: 'cloud-run',
    ready: true,
    latestReadyRevision: 'backend-00042-abc',
    latestCreatedRevision: 'backend-00042-abc',
    reconciling: false,
    instanceCount: 1,
    recentErrors: [],
    ...over,
  });

  test('not Ready is unhealthy, with its message', () => {
    const c = classifyHealth(run({ ready: false, readyMessage: 'container failed to start' }));
    expect(c).toMatchObject({ classification: 'unhealthy', reasons: ['service not Ready: container failed to start'] });
  });

  test('a latest revision that never became ready is unhealthy, unless still reconciling', () => {
    expect(classifyHealth(run({ latestCreatedRevision: 'backend-00043-xyz' })).classification).toBe('unhealthy');
    expect(classifyHealth(run({ latestCreatedRevision: 'backend-00043-xyz', reconciling: true })).classification).toBe('healthy');
  });

  test('no instances with recent errors is unhealthy; no instances and no errors is unknown (scaled to zero)', () => {
    expect(classifyHealth(run({ instanceCount: 0, recentErrors: ['boom'] })).classification).toBe('unhealthy');
    expect(classifyHealth(run({ instanceCount: 0 })).classification).toBe('unknown');
  });

  test('Ready and serving is healthy; readiness unknown is unknown', () => {
    expect(classifyHealth(run()).classification).toBe('healthy');
    expect(classifyHealth(run({ ready: 'unknown' })).classification).toBe('unknown');
  });
});

describe('assessQueue', () => {
  const reading = { name: 'jobs', kind: 'sqs' as const, backlog: 500 };

  test('a growing backlog with no consumer activity is flagged', () => {
    expect(assessQueue({ ...reading, backlogDelta: 200, consumed: 0 })).toMatchObject({
      consumerActive: false,
      flagged: true,
      note: 'backlog grew by 200 with no consumer activity',
    });
  });

  test('a growing backlog that consumers still work on is noted, not flagged', () => {
    expect(assessQueue({ ...reading, backlogDelta: 50, consumed: 10 })).toMatchObject({ consumerActive: true, flagged: false, note: 'backlog grew by 50' });
  });

  test('an idle queue with no consumption is not flagged: nothing is waiting longer', () => {
    expect(assessQueue({ ...reading, backlogDelta: 0, consumed: 0 })).toMatchObject({ flagged: false, note: undefined });
  });

  test('unknown consumer activity is said so and never flagged', () => {
    expect(assessQueue({ ...reading, backlogDelta: 100 })).toMatchObject({ consumerActive: undefined, flagged: false, note: 'backlog grew by 100; consumer activity unknown' });
  });

  test('keeps the reading figures', () => {
    expect(assessQueue({ ...reading, inFlight: 3, oldestAgeSec: 90, backlogDelta: -20, consumed: 5 })).toMatchObject({ name: 'jobs', kind: 'sqs', backlog: 500, inFlight: 3, oldestAgeSec: 90 });
  });
});

test('a plain "Error: …" line counts as an exception; a connectivity error is not counted twice', () => {
  const e = analyzeLogs(
    [
      { at: '2026-12-04T10:00:00Z', message: 'Error: job 42 failed: invalid payload' },
      { at: '2026-12-04T10:00:01Z', message: 'Error: connect ECONNREFUSED 10.0.0.5:5432' },
    ],
    '2026-12-04T09:00:00Z',
    '2026-12-04T11:00:00Z',
  );
  expect(e.exceptions).toEqual([{ signature: 'Error: job <n> failed: invalid payload', count: 1, sample: 'Error: job 42 failed: invalid payload' }]);
  expect(e.connectivityErrors).toHaveLength(1);
});
