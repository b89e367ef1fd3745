/**
 * The application config: one JSON file naming every region the runbook may investigate, with the
 * cloud resources, Axiom datasets, thresholds and approvers of each. Parsed once, fails fast.
 */
import type { Thresholds } from '../workflows/types';

export interface AxiomProfile {
  /** Dataset holding backend-background's heartbeat log events. */
  heartbeatDataset: string;
  /** APL predicate that selects heartbeat events, e.g. `message == "heartbeat"`. */
  heartbeatFilter: string;
  /** Dataset holding OpenTelemetry traces (the runbook's `traces`). */
  tracesDataset: string;
  /** Field carrying the region on both datasets, e.g. `['cloud.region']`. */
  regionField: string;
  /** Value of the region field; defaults to the region key. */
  regionValue: string;
  /** The runbook's trace filter: service.name, deployment environment, span name. */
  traceService: string;
  traceEnvironment: string;
  traceSpanName: string;
}

export interface AwsProfile {
  cloud: 'aws';
  /** AWS region of the resources; defaults to the region key. */
  awsRegion: string;
  ecs: { cluster: string; service: string };
  sqs: { queueUrls: string[] };
  logs: { logGroup: string; filterPattern?: string };
}

export interface GcpProfile {
  cloud: 'gcp';
  project: string;
  /** Cloud Run location, e.g. `europe-west1`. */
  location: string;
  cloudRun: { service: string };
  pubsub: { subscriptions: string[] };
  logs: { filter?: string };
}

export type RegionProfile = (AwsProfile | GcpProfile) & {
  region: string;
  axiom: AxiomProfile;
  approvers: string[];
  thresholds: Thresholds;
};

/** Where each client connects. Unset means the SDK's default (the real cloud). */
export interface Endpoints {
  axiom?: string;
  ecs?: string;
  sqs?: string;
  cloudwatch?: string;
  cloudwatchLogs?: string;
  run?: string;
  monitoring?: string;
  logging?: string;
  /** host:port of a Pub/Sub emulator. */
  pubsub?: string;
}

export interface AppConfig {
  taskQueue: string;
  regions: Record<string, RegionProfile>;
  /** Axiom monitor ID → region, for alerts that carry no region in their group values. */
  monitorRegions: Record<string, string>;
  endpoints: Endpoints;
  notifications: { slackWebhookUrl?: string };
  /** Per-call timeout for every cloud SDK call. */
  callTimeoutMs: number;
  /** Upsert the Liveness* search attributes (register them on the server first). */
  searchAttributes: boolean;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  heartbeatWindowSec: 120,
  recheckIntervalSec: 30,
  blipWindowSec: 120,
  pollerWindowSec: 300,
  approvalTimeoutSec: 1800,
  reminderIntervalSec: 600,
  gateRecheckIntervalSec: 60,
  recoveryWindowSec: 600,
  recoveryRecheckIntervalSec: 30,
  logLookbackSec: 1800,
};

export const DEFAULT_TASK_QUEUE = 'liveness-runbook';
