/**
 * The real GCP adapters (Google client libraries on the wire: REST for Cloud Run, Monitoring and
 * Logging, gRPC for Pub/Sub) against the simulated world's Google APIs and the real Pub/Sub emulator:
 * Cloud Run health and the idempotent restart, subscription figures from Monitoring, Cloud Logging
 * reads, and how faults and timeouts surface.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGcpAdapters, RESTART_TOKEN_ANNOTATION, type GcpAdapters } from '../../activities/adapters/gcp';
import { isPermanentFault, PermanentFault } from '../../activities/errors';
import type { AppConfig, RegionProfile } from '../../config/schema';
import { startPubsubEmulator, type PubsubEmulator } from '../../sim/pubsub-emulator';
import type { Scenario } from '../../sim/scenario';
import { seedPubsub, simGcpOptions, startGcpServer, type GcpServer } from '../../sim/servers/gcp';
import { World } from '../../sim/world';
import type { CloudRunHealth } from '../../workflows/types';
import { configFor, gcpOutage } from '../support/fixtures';
import { memoryPorts } from '../support/memory-ports';

const REGION = 'europe-west1';
const PROJECT = 'acme-prod';
const SUBSCRIPTION = `jobs-${REGION}-sub`;
const ALERT = new Date('2026-03-02T09:00:00Z');
const at = (sec: number) => new Date(ALERT.getTime() + sec * 1000);

interface Env {
  world: World;
  server: GcpServer;
  config: AppConfig;
  adapters: GcpAdapters;
}

let emulator: PubsubEmulator;
let env: Env | undefined;

beforeAll(async () => {
  emulator = await startPubsubEmulator();
});

afterAll(async () => {
  await emulator?.close();
});

afterEach(async () => {
  await env?.adapters.close();
  await env?.server.close();
  env = undefined;
});

async function start(scenario: Scenario, opts: { callTimeoutMs?: number; subscriptions?: string[] } = {}): Promise<Env> {
  const world = new World(scenario, ALERT);
  const server = await startGcpServer(world);
  await seedPubsub(world, emulator.host, PROJECT);
  const extra = opts.subscriptions ? { pubsub: { subscriptions: opts.subscriptions } } : {};
  const config: AppConfig = {
    ...configFor(REGION, 'gcp', extra),
    endpoints: { run: server.url, monitoring: server.url, logging: server.url, pubsub: emulator.host },
    callTimeoutMs: opts.callTimeoutMs ?? 5000,
  };
  env = { world, server, config, adapters: createGcpAdapters(config, simGcpOptions(server.url)) };
  return env;
}

const profile = () => env!.config.regions[REGION];

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
}

/** Expects a PermanentFault of the given type whose message leaks no token. */
async function expectFault(p: Promise<unknown>, type: string): Promise<PermanentFault> {
  const err = await failure(p);
  expect(isPermanentFault(err)).toBe(true);
  expect((err as PermanentFault).type).toBe(type);
  expect((err as Error).message).not.toMatch(/sim-access-|PRIVATE KEY|eyJ/);
  return err as PermanentFault;
}

async function expectRetryable(p: Promise<unknown>, message: RegExp): Promise<void> {
  const err = await failure(p);
  expect(isPermanentFault(err)).toBe(false);
  expect((err as Error).message).toMatch(message);
}

describe('Cloud Run health', () => {
  test('a failed service: not Ready with its message, a stuck revision, no instances, recent errors', async () => {
    const { adapters } = await start(gcpOutage());
    const health = (await adapters.service.describe(profile(), at(60))) as CloudRunHealth;
    expect(health).toEqual({
      platform: 'cloud-run',
      ready: false,
      readyMessage: 'Revision backend-00043-xyz is not ready: container failed to start and listen on PORT',
      latestReadyRevision: 'backend-00042-abc',
      latestCreatedRevision: 'backend-00043-xyz',
      reconciling: false,
      instanceCount: 0,
      recentErrors: expect.any(Array),
    });
    // ERROR entries of the last 10 minutes (the app's 5 lines and Cloud Run's own error): the newest 5.
    expect(health.recentErrors).toHaveLength(5);
    for (const e of health.recentErrors) expect(e).toMatch(/connect ECONNREFUSED 10\.0\.0\.5:5432$/);
    // Every request carried a token signed with the service account's key: nothing was refused.
    expect(env!.server.requests.filter((r) => r.status === 401)).toEqual([]);
    expect(env!.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        `GET /v2/projects/${PROJECT}/locations/${REGION}/services/backend`,
        `GET /v3/projects/${PROJECT}/timeSeries`,
        'POST /v2/entries:list',
      ]),
    );
  });

  test('a healthy service: Ready, one revision, its instance count', async () => {
    const { adapters } = await start(
      gcpOutage({
        service: { platform: 'cloud-run', ready: true, latestReadyRevision: 'backend-00042-abc', latestCreatedRevision: 'backend-00042-abc', instanceCount: 3, errors: [] },
        logs: [],
      }),
    );
    const health = await adapters.service.describe(profile(), at(60));
    expect(health).toEqual({
      platform: 'cloud-run',
      ready: true,
      readyMessage: undefined,
      latestReadyRevision: 'backend-00042-abc',
      latestCreatedRevision: 'backend-00042-abc',
      reconciling: false,
      instanceCount: 3,
      recentErrors: [],
    });
  });

  test('errors older than 10 minutes are not recent', async () => {
    const { adapters } = await start(gcpOutage({ logs: [] }));
    const health = (await adapters.service.describe(profile(), at(500))) as CloudRunHealth;
    expect(health.recentErrors).toEqual([]);
  });

  test('Monitoring denied: the instance count is unknown, the health check still answers', async () => {
    const { adapters } = await start(gcpOutage({ faults: [{ api: 'monitoring', kind: 'AccessDenied' }] }));
    const health = (await adapters.service.describe(profile(), at(60))) as CloudRunHealth;
    expect(health.ready).toBe(false);
    expect(health.instanceCount).toBeUndefined();
  });
});

describe('Cloud Run restart', () => {
  test('one new revision; a retry with the same token finds it and rolls no second one', async () => {
    const { adapters, world } = await start(gcpOutage());
    const first = await adapters.service.restart(profile(), { token: 'inv-1/restart', notBefore: at(0) });
    expect(first).toEqual({ action: 'Cloud Run new revision', reference: world.restarts[0].reference, alreadyApplied: false });
    expect(first.reference).toBe('backend-00044-rst');

    const retry = await adapters.service.restart(profile(), { token: 'inv-1/restart', notBefore: at(0) });
    expect(retry).toEqual({ action: 'Cloud Run new revision', reference: first.reference, alreadyApplied: true });
    expect(world.restarts).toHaveLength(1);
    expect(world.restarts[0].token).toBe('inv-1/restart');
    expect(world.callCount('run', 'updateService')).toBe(1);
    // The rollout was awaited through operations.get.
    expect(world.callCount('run', 'getOperation')).toBe(1);
    expect(env!.server.requests.map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}$/, '<id>')}`)).toEqual(
      expect.arrayContaining([
        `PATCH /v2/projects/${PROJECT}/locations/${REGION}/services/backend`,
        `GET /v2/projects/${PROJECT}/locations/${REGION}/operations/<id>`,
      ]),
    );

    // Once recovered (60 s after the restart), the new revision is Ready and serving. Cloud Run answers
    // "now", which in the world is the latest time any check asked about: here, +120 s.
    world.observe(at(120));
    const health = (await adapters.service.describe(profile(), at(120))) as CloudRunHealth;
    expect(health).toMatchObject({ ready: true, latestReadyRevision: first.reference, latestCreatedRevision: first.reference });
  });

  test('a rollout that fails still made its revision: reported, not retried', async () => {
    const { adapters, world } = await start(gcpOutage({ restart: { recoversAfterSec: null } }));
    const done = await adapters.service.restart(profile(), { token: 'inv-2/restart', notBefore: at(0) });
    expect(done.alreadyApplied).toBe(false);
    expect(done.reference).toBe('backend-00044-rst');
    expect(done.action).toMatch(/^Cloud Run new revision \(rollout failed: Revision 'backend-00044-rst' is not ready/);
    expect(world.restarts).toHaveLength(1);
  });

  test('a denied restart is a permanent fault and restarts nothing', async () => {
    const { adapters, world } = await start(gcpOutage({ faults: [{ api: 'run', kind: 'AccessDenied' }] }));
    const err = await expectFault(adapters.service.restart(profile(), { token: 't', notBefore: at(0) }), 'AccessDenied');
    expect(err.message).toMatch(/run\.services\.get .*access denied \(HTTP 403 PERMISSION_DENIED\): run: simulated AccessDenied/);
    expect(world.restarts).toHaveLength(0);
  });
});

describe('Pub/Sub subscriptions', () => {
  test('a growing backlog with no consumer, as the world (and the in-memory ports) have it', async () => {
    const { adapters, world } = await start(
      gcpOutage({ queues: [{ name: SUBSCRIPTION, backlog: 300, backlogGrowthPerMin: 20, oldestAgeSec: 100, consumedPerMin: 0 }] }),
    );
    const readings = await adapters.queues.inspect(profile(), at(60), 300);
    expect(readings).toEqual([
      { name: SUBSCRIPTION, kind: 'pubsub', backlog: 320, backlogDelta: 100, oldestAgeSec: 160, consumed: 0 },
    ]);
    const expected = await memoryPorts(new World(world.scenario, ALERT)).queues.inspect(profile(), at(60), 300);
    expect(readings[0]).toMatchObject({ backlog: expected[0].backlog, backlogDelta: expected[0].backlogDelta, consumed: expected[0].consumed });
    // One metric type per listTimeSeries call, as Monitoring requires.
    expect(world.calls.filter((c) => c.api === 'monitoring').map((c) => c.detail).sort()).toEqual([
      'pubsub.googleapis.com/subscription/ack_message_count',
      'pubsub.googleapis.com/subscription/num_undelivered_messages',
      'pubsub.googleapis.com/subscription/oldest_unacked_message_age',
    ]);
  });

  test('a draining queue with active consumers', async () => {
    const { adapters } = await start(
      gcpOutage({ queues: [{ name: SUBSCRIPTION, backlog: 1000, backlogGrowthPerMin: -30, oldestAgeSec: 5, consumedPerMin: 45 }] }),
    );
    const [reading] = await adapters.queues.inspect(profile(), at(0), 600);
    expect(reading).toEqual({ name: SUBSCRIPTION, kind: 'pubsub', backlog: 1000, backlogDelta: -300, oldestAgeSec: 5, consumed: 450 });
  });

  test('a subscription that does not exist is NotFound', async () => {
    const { adapters } = await start(gcpOutage(), { subscriptions: [SUBSCRIPTION, 'no-such-sub'] });
    const err = await expectFault(adapters.queues.inspect(profile(), at(60), 300), 'NotFound');
    expect(err.message).toContain(`projects/${PROJECT}/subscriptions/no-such-sub`);
  });

  test('Monitoring throttling is retryable', async () => {
    const { adapters } = await start(gcpOutage({ faults: [{ api: 'monitoring', kind: 'Throttled', times: 1 }] }));
    await expectRetryable(adapters.queues.inspect(profile(), at(60), 300), /monitoring\.listTimeSeries .*failed \(HTTP 429 RESOURCE_EXHAUSTED\)/);
    // The libraries did not retry on their own: the activity retry policy will.
    expect(env!.world.callCount('monitoring')).toBeLessThanOrEqual(3);
    await expect(adapters.queues.inspect(profile(), at(60), 300)).resolves.toHaveLength(1);
  });
});

describe('Cloud Logging', () => {
  test('warning-and-worse entries in [from, to), oldest first, text and structured payloads', async () => {
    const { adapters } = await start(
      gcpOutage({
        logs: [
          { at: -400, message: 'before the window' },
          { at: -200, message: 'Error: connect ECONNREFUSED 10.0.0.5:5432', repeat: { count: 3, everySec: 10 } },
          { at: -150, message: 'pool exhausted, retrying', severity: 'WARNING' },
          { at: -140, message: 'request served', severity: 'INFO' },
          { at: 30, message: 'after the window' },
        ],
      }),
    );
    const lines = await adapters.logs.read(profile(), at(-300), at(0), 100);
    expect(lines).toEqual([
      { at: at(-200).toISOString(), message: 'Error: connect ECONNREFUSED 10.0.0.5:5432', severity: 'ERROR' },
      // Cloud Run's own error (the scenario's service.errors) arrives as a text entry of its system log.
      { at: at(-200).toISOString(), message: 'connect ECONNREFUSED 10.0.0.5:5432', severity: 'ERROR' },
      { at: at(-190).toISOString(), message: 'Error: connect ECONNREFUSED 10.0.0.5:5432', severity: 'ERROR' },
      { at: at(-180).toISOString(), message: 'Error: connect ECONNREFUSED 10.0.0.5:5432', severity: 'ERROR' },
      { at: at(-150).toISOString(), message: 'pool exhausted, retrying', severity: 'WARNING' },
    ]);
  });

  test('the limit keeps the newest lines, read across pages', async () => {
    const { adapters, world } = await start(
      gcpOutage({
        service: { platform: 'cloud-run', ready: false, latestReadyRevision: 'backend-00042-abc', latestCreatedRevision: 'backend-00042-abc', instanceCount: 0 },
        logs: [{ at: -1500, message: 'OOM kill #', repeat: { count: 1400, everySec: 1 } }],
      }),
    );
    const lines = await adapters.logs.read(profile(), at(-1800), at(0), 1200);
    expect(lines).toHaveLength(1200);
    expect(lines[0].at).toBe(at(-1500 + 200).toISOString());
    expect(lines[1199].at).toBe(at(-101).toISOString());
    expect(world.callCount('logging', 'listLogEntries')).toBe(2);
  });

  test('a denied read is AccessDenied; a server error is retryable', async () => {
    await start(gcpOutage({ faults: [{ api: 'logging', kind: 'AccessDenied' }] }));
    await expectFault(env!.adapters.logs.read(profile(), at(-300), at(0), 10), 'AccessDenied');
    await env!.adapters.close();
    await env!.server.close();
    await start(gcpOutage({ faults: [{ api: 'logging', kind: 'ServerError' }] }));
    await expectRetryable(env!.adapters.logs.read(profile(), at(-300), at(0), 10), /logging\.entries\.list .*failed \(HTTP 500 INTERNAL\)/);
  });
});

describe('faults and limits', () => {
  test('a Run server error is a plain, retryable Error; NotFound is permanent', async () => {
    await start(gcpOutage({ faults: [{ api: 'run', kind: 'ServerError', times: 1 }] }));
    await expectRetryable(env!.adapters.service.describe(profile(), at(0)), /run\.services\.get .*failed \(HTTP 500 INTERNAL\)/);
    await expect(env!.adapters.service.describe(profile(), at(0))).resolves.toMatchObject({ platform: 'cloud-run' });
    await env!.adapters.close();
    await env!.server.close();
    await start(gcpOutage({ faults: [{ api: 'run', kind: 'NotFound' }] }));
    await expectFault(env!.adapters.service.describe(profile(), at(0)), 'NotFound');
  });

  test('a service in another location does not exist', async () => {
    const { adapters } = await start(gcpOutage());
    const elsewhere = { ...profile(), location: 'us-central1' } as RegionProfile;
    await expectFault(adapters.service.describe(elsewhere, at(0)), 'NotFound');
  });

  test('an AWS region is a BadConfig fault for the GCP adapters', async () => {
    const { adapters } = await start(gcpOutage());
    const aws = configFor('eu-west-1', 'aws').regions['eu-west-1'];
    await expectFault(adapters.service.describe(aws, at(0)), 'BadConfig');
    await expectFault(adapters.queues.inspect(aws, at(0), 60), 'BadConfig');
    await expectFault(adapters.logs.read(aws, at(-60), at(0), 10), 'BadConfig');
  });

  test('a server that never answers times out after callTimeoutMs, retryably', async () => {
    const { server } = await start(gcpOutage(), { callTimeoutMs: 500 });
    // Tokens come from the simulated STS; the API endpoint itself hangs.
    const hang = createServer(() => undefined);
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
      const config: AppConfig = { ...env!.config, endpoints: { ...env!.config.endpoints, run: url } };
      const adapters = createGcpAdapters(config, simGcpOptions(server.url));
      const started = Date.now();
      await expectRetryable(adapters.service.describe(profile(), at(0)), /run\.services\.get .*no answer within 500 ms/);
      expect(Date.now() - started).toBeLessThan(3000);
      await adapters.close();
    } finally {
      hang.closeAllConnections();
      await new Promise((resolve) => hang.close(resolve));
    }
  });

  test('credentials the APIs do not accept are AccessDenied (HTTP 401)', async () => {
    const { server, config } = await start(gcpOutage());
    // Another service account's key: the token it signs is not one the simulated Google accepts.
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const options = simGcpOptions(server.url);
    const adapters = createGcpAdapters(config, { credentials: { ...options.credentials, private_key: stranger } as typeof options.credentials });
    try {
      const err = await expectFault(adapters.service.describe(profile(), at(0)), 'AccessDenied');
      expect(err.message).toMatch(/HTTP 401 UNAUTHENTICATED/);
    } finally {
      await adapters.close();
    }
  });

  test('the restart annotation is the project\'s own key', () => {
    expect(RESTART_TOKEN_ANNOTATION).toBe('liveness-runbook/restart-token');
  });
});

describe('the Pub/Sub emulator', () => {
  test('close() stops it, java included: the port no longer answers', async () => {
    const second = await startPubsubEmulator();
    const answer = () => fetch(`http://${second.host}/`).then((r) => r.ok, () => false);
    expect(await answer()).toBe(true);
    await second.close();
    expect(await answer()).toBe(false);
  });

  test('without gcloud on PATH, a clear error', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startPubsubEmulator()).rejects.toThrow(/gcloud is not on PATH: install the Google Cloud SDK with the pubsub-emulator component/);
    } finally {
      process.env.PATH = path;
    }
  });
});
