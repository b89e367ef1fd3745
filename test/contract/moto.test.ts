/**
 * Keeps our simulated AWS honest: the same real adapters run against moto's server (an independent AWS
 * emulator, installed by scripts/setup-moto.sh) and against sim/servers/aws.ts with an equivalent
 * scenario, and what they return must have the same shape — and, where moto models the data, the same
 * values. Where moto lacks fidelity the gap is asserted, not ignored, and written up in
 * docs/moto-fidelity.md; a change on either side makes this test say so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createAwsAdapters, type AwsAdapters } from '../../activities/adapters/aws';
import { isPermanentFault } from '../../activities/errors';
import type { AppConfig } from '../../config/schema';
import { parseScenario, type Scenario } from '../../sim/scenario';
import { startAwsServer } from '../../sim/servers/aws';
import type { SimServer } from '../../sim/servers/types';
import { World } from '../../sim/world';
import type { EcsHealth } from '../../workflows/types';
import { configFor } from '../support/fixtures';

const MOTO = join(__dirname, '..', '..', '.tools', 'moto', 'bin', 'moto_server');
const REGION = 'eu-west-1';
const QUEUE = `jobs-${REGION}`;
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const OOM_REASON = 'OutOfMemoryError: Container killed due to memory usage';
const ERROR_LINES = ['Error: connect ECONNREFUSED 10.0.3.7:5432', `FATAL ERROR: ${OOM_REASON}`];
const HEARTBEAT_LINE = 'INFO heartbeat ok';

/** The same situation in both worlds: service down after an OOM kill, backlog growing, nobody consuming. */
const SCENARIO: Scenario = parseScenario({
  name: 'moto-contract',
  region: REGION,
  cloud: 'aws',
  heartbeats: [],
  jobTraces: [],
  queues: [{ name: QUEUE, backlog: 3, backlogGrowthPerMin: 0.4, inFlight: 2, delayed: 1, oldestAgeSec: 120, consumedPerMin: 0 }],
  service: {
    platform: 'ecs',
    desired: 2,
    running: 0,
    pending: 2,
    rolloutState: 'IN_PROGRESS',
    cpuPercent: 12.5,
    memoryPercent: 96,
    stoppedTasks: [{ taskId: 'task-1', at: -60, stoppedReason: OOM_REASON, stopCode: 'EssentialContainerExited', exitCode: 137, containerReason: OOM_REASON }],
  },
  logs: [
    { at: -200, message: HEARTBEAT_LINE },
    { at: -100, message: ERROR_LINES[0] },
    { at: -50, message: ERROR_LINES[1] },
  ],
  restart: { recoversAfterSec: null },
  faults: [],
});

/** The tree of a value as `path → type`, e.g. `stoppedTasks[].exitCode → number`; undefined leaves are absent. */
function shape(v: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (v === undefined) return out;
  if (Array.isArray(v)) {
    out.set(path, 'array');
    if (v.length) shape(v[0], `${path}[]`, out);
  } else if (v !== null && typeof v === 'object') {
    if (path) out.set(path, 'object');
    for (const [k, x] of Object.entries(v)) shape(x, path ? `${path}.${k}` : k, out);
  } else out.set(path, typeof v);
  return out;
}

/** Compares shapes: shared paths must agree in type; returns the paths only one side has. */
function compareShapes(moto: unknown, sim: unknown): { onlyInSim: string[]; onlyInMoto: string[] } {
  const m = shape(moto);
  const s = shape(sim);
  for (const [path, type] of m) if (s.has(path)) expect(`${path}: ${s.get(path)}`).toBe(`${path}: ${type}`);
  return {
    onlyInSim: [...s.keys()].filter((p) => !m.has(p)).sort(),
    onlyInMoto: [...m.keys()].filter((p) => !s.has(p)).sort(),
  };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

async function waitUntilUp(url: string, proc: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`moto_server exited with ${proc.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`${url}/moto-api/`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto_server did not answer on ${url} within 30 s:\n${output()}`);
}

interface Side {
  config: AppConfig;
  adapters: AwsAdapters;
  asOf: Date;
}

let moto: ChildProcess | undefined;
let motoSide: Side;
let simSide: Side;
let sim: SimServer | undefined;
let world: World;

/** Seeds moto through the SDK with what the scenario describes, at real time (moto's clock is the wall clock). */
async function seedMoto(url: string, now: number): Promise<string> {
  const base = { region: REGION, endpoint: url, credentials: CREDENTIALS };
  const ecs = new ECSClient(base);
  const sqs = new SQSClient(base);
  const cw = new CloudWatchClient(base);
  const logs = new CloudWatchLogsClient(base);
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'backend-background',
        containerDefinitions: [{ name: 'backend-background', image: 'backend:1', memory: 512, essential: true }],
      }),
    );
    await ecs.send(new CreateServiceCommand({ cluster: 'prod', serviceName: 'backend-background', taskDefinition: 'backend-background', desiredCount: 2, launchType: 'FARGATE' }));
    // moto never starts a service's tasks; a task run by hand and stopped stands in for the OOM-killed one.
    const run = await ecs.send(new RunTaskCommand({ cluster: 'prod', taskDefinition: 'backend-background', launchType: 'FARGATE', count: 1 }));
    await ecs.send(new StopTaskCommand({ cluster: 'prod', task: run.tasks![0].taskArn!, reason: OOM_REASON }));

    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: QUEUE }));
    for (let i = 0; i < 5; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `job ${i}` }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 2, VisibilityTimeout: 900 }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 900 }));

    // moto publishes no AWS/SQS or AWS/ECS metrics; put the datapoints AWS would have.
    const put = (Namespace: string, Dimensions: { Name: string; Value: string }[], points: [string, number, number][]) =>
      cw.send(
        new PutMetricDataCommand({
          Namespace,
          MetricData: points.map(([MetricName, sec, Value]) => ({ MetricName, Dimensions, Timestamp: new Date(now + sec * 1000), Value })),
        }),
      );
    await put('AWS/SQS', [{ Name: 'QueueName', Value: QUEUE }], [
      ['ApproximateNumberOfMessagesVisible', -290, 1],
      ['ApproximateNumberOfMessagesVisible', -30, 3],
      ['NumberOfMessagesDeleted', -290, 0],
      ['NumberOfMessagesDeleted', -30, 0],
      ['NumberOfMessagesReceived', -30, 0],
      ['ApproximateAgeOfOldestMessage', -290, 100],
      ['ApproximateAgeOfOldestMessage', -30, 120],
    ]);
    await put('AWS/ECS', [{ Name: 'ClusterName', Value: 'prod' }, { Name: 'ServiceName', Value: 'backend-background' }], [
      ['CPUUtilization', -120, 12.5],
      ['MemoryUtilization', -300, 80],
      ['MemoryUtilization', -120, 96],
    ]);

    await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/backend-background' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/ecs/backend-background', logStreamName: 'ecs/backend-background/task-1' }));
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/ecs/backend-background',
        logStreamName: 'ecs/backend-background/task-1',
        logEvents: SCENARIO.logs.map((l) => ({ timestamp: now + l.at * 1000, message: l.message })),
      }),
    );
    return QueueUrl!;
  } finally {
    for (const c of [ecs, sqs, cw, logs]) c.destroy();
  }
}

beforeAll(async () => {
  if (!existsSync(MOTO)) {
    throw new Error(`moto is not installed (${MOTO} is missing): run \`npm run setup\` (or \`bash scripts/setup-moto.sh\`) first`);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  moto = spawn(MOTO, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  moto.stdout!.on('data', (d) => (output = (output + d).slice(-4000)));
  moto.stderr!.on('data', (d) => (output = (output + d).slice(-4000)));
  await waitUntilUp(url, moto, () => output);

  // Whole seconds: moto drops sub-second precision from metric windows.
  const now = Math.floor(Date.now() / 1000) * 1000;
  const queueUrl = await seedMoto(url, now);
  const motoConfig: AppConfig = {
    ...configFor(REGION, 'aws', { sqs: { queueUrls: [queueUrl] } }),
    endpoints: { ecs: url, sqs: url, cloudwatch: url, cloudwatchLogs: url },
    callTimeoutMs: 5000,
  };
  motoSide = { config: motoConfig, adapters: createAwsAdapters(motoConfig, { credentials: CREDENTIALS }), asOf: new Date(now) };

  const alertAt = new Date('2026-03-02T09:00:00Z');
  world = new World(SCENARIO, alertAt);
  sim = await startAwsServer(world);
  const simConfig: AppConfig = {
    ...configFor(REGION, 'aws', { sqs: { queueUrls: [`${sim.url}/000000000000/${QUEUE}`] } }),
    endpoints: { ecs: sim.url, sqs: sim.url, cloudwatch: sim.url, cloudwatchLogs: sim.url },
    callTimeoutMs: 5000,
  };
  simSide = { config: simConfig, adapters: createAwsAdapters(simConfig, { credentials: CREDENTIALS }), asOf: alertAt };
}, 60_000);

afterAll(async () => {
  await sim?.close();
  if (moto && moto.exitCode === null) {
    const exited = new Promise((resolve) => moto!.once('exit', resolve));
    moto.kill('SIGTERM');
    await exited;
  }
});

const profileOf = (side: Side) => side.config.regions[REGION];

test('ECS describe: same shape; moto lacks task stop details, running tasks and events', async () => {
  const fromMoto = (await motoSide.adapters.service.describe(profileOf(motoSide), motoSide.asOf)) as EcsHealth;
  const fromSim = (await simSide.adapters.service.describe(profileOf(simSide), simSide.asOf)) as EcsHealth;
  // moto keeps no stop time, stop code or container reason; its containers always exit 0.
  expect(compareShapes(fromMoto, fromSim)).toEqual({
    onlyInSim: ['stoppedTasks[].containerReason', 'stoppedTasks[].stopCode', 'stoppedTasks[].stoppedAt'],
    onlyInMoto: [],
  });
  const { stoppedTasks: motoTasks, ...motoRest } = fromMoto;
  const { stoppedTasks: simTasks, ...simRest } = fromSim;
  expect(motoRest).toEqual(simRest);
  expect(motoRest).toMatchObject({ desired: 2, running: 0, pending: 2, deployments: 1, rolloutState: 'IN_PROGRESS', recentEvents: [], cpuPercent: 12.5, memoryPercent: 96 });
  expect(motoTasks).toEqual([expect.objectContaining({ stoppedReason: OOM_REASON, exitCode: 0, oom: true })]);
  expect(simTasks).toEqual([expect.objectContaining({ taskId: 'task-1', stoppedReason: OOM_REASON, exitCode: 137, oom: true })]);
});

test('ECS restart: one deployment, a retry finds it, on both', async () => {
  for (const side of [motoSide, simSide]) {
    const request = { token: 'contract-restart', notBefore: side.asOf };
    const first = await side.adapters.service.restart(profileOf(side), request);
    const again = await side.adapters.service.restart(profileOf(side), request);
    expect(first).toMatchObject({ action: 'ECS UpdateService forceNewDeployment', alreadyApplied: false, reference: expect.stringMatching(/^ecs-svc\/\d+$/) });
    expect(again).toEqual({ ...first, alreadyApplied: true });
  }
  expect(world.restarts).toHaveLength(1);
});

test('SQS: the same readings from moto and from the world', async () => {
  const fromMoto = await motoSide.adapters.queues.inspect(profileOf(motoSide), motoSide.asOf, 300);
  const fromSim = await simSide.adapters.queues.inspect(profileOf(simSide), simSide.asOf, 300);
  expect(compareShapes(fromMoto, fromSim)).toEqual({ onlyInSim: [], onlyInMoto: [] });
  const expected = { name: QUEUE, kind: 'sqs', backlog: 3, inFlight: 2, delayed: 1, oldestAgeSec: 120, consumed: 0, backlogDelta: 2 };
  expect(fromMoto).toEqual([expected]);
  expect(fromSim).toEqual([expected]);
});

test('CloudWatch Logs: same lines for a single-term pattern; moto ignores "?a ?b" patterns', async () => {
  const read = (side: Side, filterPattern?: string) => {
    const p = profileOf(side);
    const profile = { ...p, logs: { logGroup: '/ecs/backend-background', filterPattern } } as typeof p;
    return side.adapters.logs.read(profile, new Date(side.asOf.getTime() - 1_800_000), side.asOf, 100);
  };
  const motoDefault = await read(motoSide);
  const simDefault = await read(simSide);
  expect(compareShapes(motoDefault, simDefault)).toEqual({ onlyInSim: [], onlyInMoto: [] });
  expect(simDefault.map((l) => l.message)).toEqual(ERROR_LINES);
  // moto treats any pattern it cannot parse as "match everything": the heartbeat comes through.
  expect(motoDefault.map((l) => l.message)).toEqual([HEARTBEAT_LINE, ...ERROR_LINES]);
  // Relative times agree too: both answer the window [asOf - 30 min, asOf).
  const rel = (side: Side, lines: { at: string }[]) => lines.map((l) => (Date.parse(l.at) - side.asOf.getTime()) / 1000);
  expect(rel(simSide, simDefault)).toEqual([-100, -50]);

  const motoError = await read(motoSide, 'ERROR');
  const simError = await read(simSide, 'ERROR');
  expect(motoError.map((l) => l.message)).toEqual([ERROR_LINES[1]]);
  expect(simError).toEqual([{ ...motoError[0], at: simError[0].at }]);
});

test('missing resources are NotFound on both', async () => {
  const expectNotFound = async (p: Promise<unknown>) => {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(isPermanentFault(err) && err.type).toBe('NotFound');
  };
  const motoProfile = profileOf(motoSide);
  if (motoProfile.cloud !== 'aws') throw new Error('unreachable');
  const unknownQueue = { ...motoProfile, sqs: { queueUrls: [motoProfile.sqs.queueUrls[0].replace(QUEUE, 'no-such-queue')] } };
  const unknownCluster = { ...motoProfile, ecs: { cluster: 'no-such-cluster', service: 'backend-background' } };
  const unknownService = { ...motoProfile, ecs: { cluster: 'prod', service: 'no-such-service' } };
  const unknownGroup = { ...motoProfile, logs: { logGroup: '/ecs/no-such-group' } };
  await expectNotFound(motoSide.adapters.queues.inspect(unknownQueue, motoSide.asOf, 300));
  await expectNotFound(motoSide.adapters.service.describe(unknownCluster, motoSide.asOf));
  await expectNotFound(motoSide.adapters.service.describe(unknownService, motoSide.asOf));
  await expectNotFound(motoSide.adapters.logs.read(unknownGroup, new Date(motoSide.asOf.getTime() - 60_000), motoSide.asOf, 10));

  // The world answers the same calls with its scripted NotFound faults, in each service's own error shape.
  const simProfile = profileOf(simSide);
  const simUnknownQueue = { ...simProfile, sqs: { queueUrls: [`${sim!.url}/000000000000/no-such-queue`] } } as typeof simProfile;
  await expectNotFound(simSide.adapters.queues.inspect(simUnknownQueue, simSide.asOf, 300));
  world.scenario.faults.push({ api: 'ecs', kind: 'NotFound' }, { api: 'cloudwatch-logs', kind: 'NotFound' });
  try {
    await expectNotFound(simSide.adapters.service.describe(simProfile, simSide.asOf));
    await expectNotFound(simSide.adapters.logs.read(simProfile, new Date(simSide.asOf.getTime() - 60_000), simSide.asOf, 10));
  } finally {
    world.scenario.faults.length = 0;
  }
});
