/**
 * The small typed interfaces the activities are built on. Each is implemented once per integration
 * (Axiom, ECS, SQS, Cloud Run, …) with real SDK clients, and in memory by the tests' scripted world.
 * Ports return facts; the activities turn facts into evidence (classification, log analysis).
 */
import type { RegionProfile } from '../config/schema';
import type { CloudRunHealth, EcsHealth } from '../workflows/types';

export interface Count {
  count: number;
  lastSeenAt?: string;
}

export interface TelemetryPort {
  /** Heartbeat log events of the region's backend-background in [from, to). */
  heartbeats(profile: RegionProfile, from: Date, to: Date): Promise<Count>;
  /** `run_job` traces of legion-backend in production for the region in [from, to). */
  jobTraces(profile: RegionProfile, from: Date, to: Date): Promise<Count>;
}

export interface QueueReading {
  name: string;
  kind: 'sqs' | 'pubsub';
  backlog: number;
  inFlight?: number;
  delayed?: number;
  oldestAgeSec?: number;
  /** Messages consumed over the look-back window; undefined when the metric is not available. */
  consumed?: number;
  /** Backlog now minus backlog at the start of the look-back window. */
  backlogDelta?: number;
}

export interface QueuePort {
  inspect(profile: RegionProfile, asOf: Date, lookbackSec: number): Promise<QueueReading[]>;
}

export interface RestartRequest {
  /** Idempotency token, unique per investigation: a retried restart finds its own earlier one. */
  token: string;
  /** A deployment created at or after this time by us counts as the restart already applied. */
  notBefore: Date;
}

export interface RestartDone {
  action: string;
  reference: string;
  alreadyApplied: boolean;
}

export interface ServicePort {
  describe(profile: RegionProfile, asOf: Date): Promise<EcsHealth | CloudRunHealth>;
  restart(profile: RegionProfile, request: RestartRequest): Promise<RestartDone>;
}

export interface LogLine {
  at: string;
  message: string;
  severity?: string;
}

export interface LogPort {
  /** Error-ish log lines of the service in [from, to), newest last, at most `limit`. */
  read(profile: RegionProfile, from: Date, to: Date, limit: number): Promise<LogLine[]>;
}

export type NotificationKind = 'approval-needed' | 'approval-reminder' | 'approval-timed-out' | 'final-report';

export interface Notification {
  kind: NotificationKind;
  region: string;
  workflowId: string;
  title: string;
  text: string;
}

export interface NotifierPort {
  send(notification: Notification): Promise<void>;
}

export interface Ports {
  telemetry: TelemetryPort;
  queues: QueuePort;
  service: ServicePort;
  logs: LogPort;
  notifier: NotifierPort;
}
