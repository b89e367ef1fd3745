/**
 * The real AWS adapters (SDK v3 clients on the wire) against the simulated world's AWS server: ECS health
 * and the idempotent restart, SQS queue figures with CloudWatch metrics, CloudWatch Logs, and how faults
 * and timeouts surface.
 */
import { ECSClient, TagResourceCommand } from '@aws-sdk/client-ecs';
import { createAwsAdapters } from '../../activities/adapters/aws';
import { RESTART_TOKEN_TAG } from '../../activities/adapters/ecs';
import { isPermanentFault, PermanentFault } from '../../activities/errors';
import type { AppConfig } from '../../config/schema';
import type { EcsSim, Scenario } from '../../sim/scenario';
import { startAwsServer, type AwsServerOptions } from '../../sim/servers/aws';
import type { SimServer } from '../../sim/servers/types';
import { World } from '../../sim/world';
import type { EcsHealth } from '../../workflows/types';
import { awsOutage, configFor } from '../support/fixtures';
import { memoryPorts } from '../support/memory-ports';

const REGION = 'eu-west-1';
const ALERT = new Date('2026-03-02T09:00:00Z');
const at = (sec: number) => new Date(ALERT.getTime() + sec * 1000);
const CREDENTIALS = { accessKeyId: 'AKIASIMULATED0000000', secretAccessKey: 'sim-secret-never-shown' };

interface Env {
  world: World;
  server: SimServer;
  config: AppConfig;
  adapters: ReturnType<typeof createAwsAdapters>;
}

let env: Env | undefined;

async function start(scenario: Scenario, opts: { server?: AwsServerOptions; callTimeoutMs?: number; queues?: string[] } = {}): Promise<Env> {
  const world = new World(scenario, ALERT);
  const server = await startAwsServer(world, opts.server);
  const queueUrls = (opts.queues ?? scenario.queues.map((q) => q.name)).map((name) => `${server.url}/000000000000/${name}`);
  const config: AppConfig = {
    ...configFor(REGION, 'aws', { sqs: { queueUrls } }),
    endpoints: { ecs: server.url, sqs: server.url, cloudwatch: server.url, cloudwatchLogs: server.url },
    callTimeoutMs: opts.callTimeoutMs ?? 5000,
  };
  env = { world, server, config, adapters: createAwsAdapters(config, { credentials: CREDENTIALS }) };
  return env;
}

afterEach(async () => {
  await env?.server.close();
  env = undefined;
});

const profile = () => env!.config.regions[REGION];

/** Expects a PermanentFault of the given type whose message leaks no secret. */
async function expectFault(p: Promise<unknown>, type: string): Promise<PermanentFault> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isPermanentFault(err)).toBe(true);
  expect((err as PermanentFault).type).toBe(type);
  expect((err as Error).message).not.toContain(CREDENTIALS.secretAccessKey);
  return err as PermanentFault;
}

describe('ECS service port', () => {
  test('describe reads counts, rollout, events, OOM-killed tasks and memory', async () => {
    const { adapters, world } = await start(
      awsOutage({
        service: {
          ...(awsOutage().service as EcsSim),
          cpuPercent: 35,
          events: [
            { at: -600, message: '(service backend-background) has reached a steady state.' },
            { at: -190, message: '(service backend-background) has started 1 tasks: (task task-3).' },
          ],
          stoppedTasks: [
            { taskId: 'task-1', at: -200, stoppedReason: 'Essential container in task exited', exitCode: 137, containerReason: 'OutOfMemoryError: Container killed due to memory usage' },
            { taskId: 'task-2', at: -100, stoppedReason: 'Scaling activity initiated by deployment', stopCode: 'ServiceSchedulerInitiated', exitCode: 0 },
            { taskId: 'task-late', at: 300, stoppedReason: 'not stopped yet at the time asked' },
          ],
        },
      }),
    );
    // In the runbook the heartbeat check has already moved the world's clock to asOf.
    world.observe(ALERT);
    const health = (await adapters.service.describe(profile(), ALERT)) as EcsHealth;
    expect(health).toMatchObject({
      platform: 'ecs',
      desired: 2,
      running: 0,
      pending: 1,
      rolloutState: 'COMPLETED',
      deployments: 1,
      cpuPercent: 35,
      memoryPercent: 97,
    });
    expect(health.recentEvents).toEqual([
      '(service backend-background) has started 1 tasks: (task task-3).',
      '(service backend-background) has reached a steady state.',
    ]);
    expect(health.stoppedTasks).toEqual([
      expect.objectContaining({ taskId: 'task-2', oom: false, exitCode: 0, stopCode: 'ServiceSchedulerInitiated', stoppedAt: at(-100).toISOString() }),
      {
        taskId: 'task-1',
        stoppedAt: at(-200).toISOString(),
        stoppedReason: 'Essential container in task exited',
        stopCode: 'EssentialContainerExited',
        exitCode: 137,
        containerReason: 'OutOfMemoryError: Container killed due to memory usage',
        oom: true,
      },
    ]);
    expect(world.callCount('ecs', 'DescribeServices')).toBe(1);
    expect(world.callCount('ecs', 'DescribeTasks')).toBe(1);
    expect(world.callCount('cloudwatch', 'GetMetricData')).toBe(1);
  });

  test('restart forces one deployment; a retry with the same token finds it instead of deploying again', async () => {
    const { adapters, world } = await start(awsOutage({ restart: { recoversAfterSec: 60 } }));
    // The world last saw t+10 s; the approval came at t+30 s. The deployment's time comes from the world,
    // so the retry must not depend on it being after the approval.
    world.observe(at(10));
    const request = { token: 'inv-42-restart', notBefore: at(30) };

    const first = await adapters.service.restart(profile(), request);
    expect(first).toEqual({ action: 'ECS UpdateService forceNewDeployment', reference: 'ecs-svc/000000000000000001', alreadyApplied: false });
    const retried = await adapters.service.restart(profile(), request);
    expect(retried).toEqual({ ...first, alreadyApplied: true });
    expect(world.restarts).toEqual([{ token: 'inv-42-restart', at: at(10), reference: 'ecs-svc/000000000000000001' }]);
    expect(world.callCount('ecs', 'UpdateService')).toBe(1);

    // Rolling: the new deployment is PRIMARY and in progress, the old one still ACTIVE.
    const rolling = (await adapters.service.describe(profile(), at(40))) as EcsHealth;
    expect(rolling).toMatchObject({ deployments: 2, rolloutState: 'IN_PROGRESS', running: 0 });
    // Recovered 60 s after the restart: the old deployment is gone, every task runs.
    world.observe(at(120));
    const recovered = (await adapters.service.describe(profile(), at(120))) as EcsHealth;
    expect(recovered).toMatchObject({ deployments: 1, rolloutState: 'COMPLETED', running: 2, pending: 0 });
  });

  test('a crash between tagging and UpdateService still leads to exactly one deployment', async () => {
    const { adapters, world, server } = await start(awsOutage());
    world.observe(at(30));
    // What the first attempt did before dying: the tag is there, the deployment is not.
    const ecs = new ECSClient({ region: REGION, endpoint: server.url, credentials: CREDENTIALS });
    await ecs.send(
      new TagResourceCommand({
        resourceArn: `arn:aws:ecs:${REGION}:000000000000:service/prod/backend-background`,
        tags: [{ key: RESTART_TOKEN_TAG, value: 'inv-7' }],
      }),
    );
    ecs.destroy();
    const done = await adapters.service.restart(profile(), { token: 'inv-7', notBefore: at(30) });
    expect(done.alreadyApplied).toBe(false);
    expect(world.restarts.map((r) => r.token)).toEqual(['inv-7']);
    // A different investigation's token is a different restart.
    const other = await adapters.service.restart(profile(), { token: 'inv-8', notBefore: at(30) });
    expect(other).toMatchObject({ alreadyApplied: false, reference: 'ecs-svc/000000000000000002' });
    expect(world.restarts).toHaveLength(2);
  });

  test('AccessDenied from ECS is a permanent AccessDenied fault, tried once', async () => {
    const { adapters, world } = await start(awsOutage({ faults: [{ api: 'ecs', kind: 'AccessDenied' }] }));
    const err = await expectFault(adapters.service.describe(profile(), ALERT), 'AccessDenied');
    expect(err.message).toMatch(/^ECS \w+ prod.*: access denied \(AccessDeniedException, HTTP 400\)/);
    expect(world.callCount('ecs', 'DescribeServices')).toBe(1);
  });
});

describe('SQS queue port', () => {
  test('backlog, trend, age and consumption agree with the world', async () => {
    const { adapters, world } = await start(awsOutage());
    world.observe(at(60));
    const readings = await adapters.queues.inspect(profile(), at(60), 300);
    expect(readings).toEqual([
      { name: 'jobs-eu-west-1', kind: 'sqs', backlog: 540, inFlight: 0, delayed: 0, oldestAgeSec: 260, consumed: 0, backlogDelta: 200 },
    ]);
    // The in-memory port the workflow tests use reads the same world the same way.
    expect(readings).toEqual(await memoryPorts(world).queues.inspect(profile(), at(60), 300));
    expect(world.callCount('sqs', 'GetQueueAttributes')).toBe(1);
    expect(world.callCount('cloudwatch', 'GetMetricData')).toBe(1);
  });

  test('an active consumer shows up as consumption; every configured queue is read', async () => {
    const { adapters, world } = await start(
      awsOutage({
        queues: [
          { name: 'jobs', backlog: 40, backlogGrowthPerMin: -4, inFlight: 7, delayed: 2, consumedPerMin: 30, oldestAgeSec: 5 },
          { name: 'emails', backlog: 0 },
        ],
      }),
    );
    world.observe(ALERT);
    const [jobs, emails] = await adapters.queues.inspect(profile(), ALERT, 600);
    expect(jobs).toEqual({ name: 'jobs', kind: 'sqs', backlog: 40, inFlight: 7, delayed: 2, oldestAgeSec: 5, consumed: 300, backlogDelta: -40 });
    expect(emails).toMatchObject({ name: 'emails', backlog: 0, consumed: 0, backlogDelta: 0 });
  });

  test('an unknown queue is NotFound; throttling stays retryable and the SDK tries only twice', async () => {
    const unknown = await start(awsOutage(), { queues: ['no-such-queue'] });
    await expectFault(unknown.adapters.queues.inspect(profile(), ALERT, 300), 'NotFound');
    await unknown.server.close();

    const { adapters, world } = await start(awsOutage({ faults: [{ api: 'sqs', kind: 'Throttled' }] }));
    const err = await adapters.queues.inspect(profile(), ALERT, 300).catch((e: unknown) => e);
    expect(isPermanentFault(err)).toBe(false);
    expect((err as Error).message).toMatch(/SQS GetQueueAttributes jobs-eu-west-1: failed \(RequestThrottled, HTTP 400\)/);
    expect(world.callCount('sqs', 'GetQueueAttributes')).toBe(2);
  });

  test('a CloudWatch 5xx is an ordinary (retryable) error', async () => {
    const { adapters } = await start(awsOutage({ faults: [{ api: 'cloudwatch', kind: 'ServerError' }] }));
    const err = await adapters.queues.inspect(profile(), ALERT, 300).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isPermanentFault(err)).toBe(false);
    expect((err as Error).message).toMatch(/CloudWatch GetMetricData: failed \(InternalServiceFault, HTTP 500\)/);
  });
});

describe('CloudWatch Logs port', () => {
  const logs = [
    { at: -1000, message: 'INFO heartbeat ok' },
    { at: -210, message: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' },
    { at: -150, message: 'Error: connect ECONNREFUSED 10.0.3.7:5432', repeat: { count: 130, everySec: 1 } },
    { at: 100, message: 'Error: after the window' },
  ];

  test('reads the error lines of the window across pages, oldest first, without the noise', async () => {
    const { adapters, world } = await start(awsOutage({ logs }));
    const lines = await adapters.logs.read(profile(), at(-1800), at(60), 5000);
    expect(lines).toHaveLength(131);
    expect(lines[0]).toEqual({ at: at(-210).toISOString(), message: expect.stringContaining('heap out of memory'), severity: undefined });
    expect(lines[130]).toMatchObject({ at: at(-21).toISOString(), message: 'Error: connect ECONNREFUSED 10.0.3.7:5432' });
    expect(lines.some((l) => l.message.includes('heartbeat') || l.message.includes('after the window'))).toBe(false);
    // 131 matching events in pages of 100.
    expect(world.callCount('cloudwatch-logs', 'FilterLogEvents')).toBe(2);
    // The request's (inclusive) endTime moved the world's clock.
    expect(world.now()).toEqual(new Date(at(60).getTime() - 1));
  });

  test('stops at the limit and honours a configured filter pattern', async () => {
    const { adapters, config } = await start(awsOutage({ logs }));
    expect(await adapters.logs.read(profile(), at(-1800), ALERT, 20)).toHaveLength(20);
    const p = config.regions[REGION];
    const heartbeatsOnly = { ...p, logs: { logGroup: '/ecs/backend-background', filterPattern: 'heartbeat' } } as typeof p;
    expect((await adapters.logs.read(heartbeatsOnly, at(-1800), ALERT, 100)).map((l) => l.message)).toEqual(['INFO heartbeat ok']);
  });

  test('a missing log group is NotFound', async () => {
    const { adapters } = await start(awsOutage({ faults: [{ api: 'cloudwatch-logs', kind: 'NotFound' }] }));
    await expectFault(adapters.logs.read(profile(), at(-1800), ALERT, 100), 'NotFound');
  });
});

describe('every call', () => {
  test('gives up after callTimeoutMs when the API does not answer', async () => {
    const { adapters } = await start(awsOutage(), { server: { delayMs: 2000 }, callTimeoutMs: 300 });
    const started = Date.now();
    const err = await adapters.logs.read(profile(), at(-1800), ALERT, 100).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(isPermanentFault(err)).toBe(false);
    expect((err as Error).message).toMatch(/CloudWatch Logs FilterLogEvents \/ecs\/backend-background: no answer within 300 ms/);
  });

  test('a GCP region is a BadConfig fault, not a call to AWS', async () => {
    const { adapters, world } = await start(awsOutage());
    const gcp = configFor('europe-west1', 'gcp').regions['europe-west1'];
    await expectFault(adapters.service.describe(gcp, ALERT), 'BadConfig');
    await expectFault(adapters.queues.inspect(gcp, ALERT, 60), 'BadConfig');
    await expectFault(adapters.logs.read(gcp, ALERT, ALERT, 1), 'BadConfig');
    expect(world.calls).toHaveLength(0);
  });
});
