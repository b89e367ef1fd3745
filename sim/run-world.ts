/**
 * Starts the whole simulated world for one scenario: the Axiom, AWS or GCP wire servers (and the real
 * Pub/Sub emulator for GCP), and the app config that points the real adapters at them. Only endpoints and
 * credentials differ from production.
 */
import { parseConfig } from '../config';
import type { AppConfig } from '../config/schema';
import type { CloudPortOptions } from '../activities/adapters';
import type { Scenario } from './scenario';
import { World } from './world';
import { startAxiomServer } from './servers/axiom';
import { startAwsServer } from './servers/aws';
import { seedPubsub, simGcpOptions, startGcpServer } from './servers/gcp';
import { startPubsubEmulator } from './pubsub-emulator';
import type { SimServer } from './servers/types';

export const SIM_APPROVERS = ['alice', 'bob'];
export const SIM_GCP_PROJECT = 'acme-prod';

export interface SimulatedWorld {
  world: World;
  config: AppConfig;
  /** Credentials for the local servers, passed to createCloudPorts. */
  portOptions: CloudPortOptions;
  close(): Promise<void>;
}

export interface WorldOptions {
  taskQueue?: string;
  slackWebhookUrl?: string;
  /** A running Pub/Sub emulator to reuse (host:port); otherwise one is started for GCP scenarios. */
  pubsubEmulatorHost?: string;
  /** Threshold overrides for the region (the demo and the real-time crash tests shorten the waits). */
  thresholds?: Record<string, number>;
  /** The server has the Liveness* search attributes registered. */
  searchAttributes?: boolean;
}

export async function startSimulatedWorld(scenario: Scenario, alertAt: Date, opts: WorldOptions = {}): Promise<SimulatedWorld> {
  const world = new World(scenario, alertAt);
  const closers: (() => Promise<void>)[] = [];
  const track = (s: SimServer) => {
    closers.push(() => s.close());
    return s;
  };
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const axiom = track(await startAxiomServer(world));
    const region = scenario.region;
    let profile: Record<string, unknown>;
    let endpoints: Record<string, string> = { axiom: axiom.url };
    let portOptions: CloudPortOptions = { axiom: { token: 'sim-axiom-token' } };
    if (scenario.cloud === 'aws') {
      const aws = track(await startAwsServer(world));
      endpoints = { ...endpoints, ecs: aws.url, sqs: aws.url, cloudwatch: aws.url, cloudwatchLogs: aws.url };
      portOptions = { ...portOptions, aws: { credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' } } };
      profile = {
        cloud: 'aws',
        ecs: { cluster: 'prod', service: 'backend-background' },
        sqs: { queueUrls: scenario.queues.map((q) => `${aws.url}/000000000000/${q.name}`) },
        logs: { logGroup: '/ecs/backend-background' },
      };
    } else {
      const gcp = track(await startGcpServer(world));
      let pubsubHost: string;
      if (opts.pubsubEmulatorHost) pubsubHost = opts.pubsubEmulatorHost;
      else {
        const emulator = await startPubsubEmulator();
        closers.push(() => emulator.close());
        pubsubHost = emulator.host;
      }
      await seedPubsub(world, pubsubHost, SIM_GCP_PROJECT);
      endpoints = { ...endpoints, run: gcp.url, monitoring: gcp.url, logging: gcp.url, pubsub: pubsubHost };
      portOptions = { ...portOptions, gcp: simGcpOptions(gcp.url) };
      profile = {
        cloud: 'gcp',
        project: SIM_GCP_PROJECT,
        location: region,
        cloudRun: { service: 'backend' },
        pubsub: { subscriptions: scenario.queues.map((q) => q.name) },
      };
    }
    const config = parseConfig({
      taskQueue: opts.taskQueue,
      searchAttributes: opts.searchAttributes,
      endpoints,
      notifications: { slackWebhookUrl: opts.slackWebhookUrl },
      regions: { [region]: { ...profile, axiom: { heartbeatDataset: 'backend-logs' }, approvers: SIM_APPROVERS, thresholds: opts.thresholds } },
    });
    return { world, config, portOptions, close };
  } catch (err) {
    await close();
    throw err;
  }
}
