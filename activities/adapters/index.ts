/**
 * The production ports: Axiom for telemetry, AWS or GCP per region for queues, service and logs, Slack
 * (or the worker log) for notifications. Which cloud answers is decided by the region's profile.
 */
import type { AppConfig, RegionProfile } from '../../config/schema';
import { logNotifier } from '../notify';
import type { LogPort, Ports, QueuePort, ServicePort } from '../ports';
import { createAwsAdapters } from './aws';
import { createAxiomTelemetry } from './axiom';
import { createGcpAdapters, type GcpOptions } from './gcp';
import { createSlackNotifier } from './slack';

export interface CloudPortOptions {
  axiom?: Parameters<typeof createAxiomTelemetry>[1];
  aws?: Parameters<typeof createAwsAdapters>[1];
  gcp?: GcpOptions;
  log?: (line: string) => void;
}

type CloudAdapters = { queues: QueuePort; service: ServicePort; logs: LogPort };

/** Ports plus `close()`, which releases long-lived channels (Pub/Sub's gRPC) when the worker stops. */
export type CloudPorts = Ports & { close(): Promise<void> };

export function createCloudPorts(config: AppConfig, options: CloudPortOptions = {}): CloudPorts {
  const clouds = new Set(Object.values(config.regions).map((r) => r.cloud));
  // Build only the clouds the config uses, so an AWS-only deployment never needs GCP credentials.
  const aws = clouds.has('aws') ? createAwsAdapters(config, options.aws) : undefined;
  const gcp = clouds.has('gcp') ? createGcpAdapters(config, options.gcp) : undefined;
  const pick = (p: RegionProfile): CloudAdapters => (p.cloud === 'aws' ? aws! : gcp!);
  return {
    telemetry: createAxiomTelemetry(config, options.axiom),
    queues: { inspect: (p, asOf, lookback) => pick(p).queues.inspect(p, asOf, lookback) },
    service: {
      describe: (p, asOf) => pick(p).service.describe(p, asOf),
      restart: (p, req) => pick(p).service.restart(p, req),
    },
    logs: { read: (p, from, to, limit) => pick(p).logs.read(p, from, to, limit) },
    notifier: config.notifications.slackWebhookUrl ? createSlackNotifier(config) : logNotifier(options.log),
    close: async () => {
      await gcp?.close();
    },
  };
}
