/**
 * The contracts of an investigation: its input (the alert), the evidence each runbook step produces,
 * and its result. Everything here lands in workflow history, so it is small, typed and secret-free.
 */

export type Cloud = 'aws' | 'gcp';

/** The alert that starts (or joins) an investigation: "no heartbeats from backend-background in `region`". */
export interface Alert {
  region: string;
  /** RFC 3339 time the monitor fired. */
  firedAt: string;
  /** Who raised it: `axiom`, `cli`, `simulate`, … */
  source: string;
  monitorId?: string;
  alertId?: string;
}

export type Verdict = 'transient' | 'heartbeat-path-failure' | 'service-down' | 'inconclusive';

export type Outcome =
  | 'resolved-on-its-own'
  | 'escalated'
  | 'restarted-and-recovered'
  | 'restarted-not-recovered'
  | 'restart-rejected'
  | 'approval-timed-out';

export type RootCauseCategory =
  | 'oom'
  | 'crash-loop'
  | 'connectivity'
  | 'exception'
  | 'stalled-event-loop'
  | 'unknown'
  | 'none';

export type Step =
  | 'resolving-region'
  | 'checking-heartbeats'
  | 'waiting-for-blip'
  | 'assessing-impact'
  | 'checking-service-health'
  | 'awaiting-approval'
  | 'restarting'
  | 'verifying-recovery'
  | 'examining-logs'
  | 'reporting'
  | 'done';

/** Durations and limits of one region, all in seconds. Defaults live in config/. */
export interface Thresholds {
  /** Heartbeats are "present" when at least one arrived in the last `heartbeatWindowSec`. */
  heartbeatWindowSec: number;
  recheckIntervalSec: number;
  blipWindowSec: number;
  /** `run_job` traces are looked for over this window. */
  pollerWindowSec: number;
  approvalTimeoutSec: number;
  reminderIntervalSec: number;
  /** While the approval gate is open, heartbeats are rechecked this often. */
  gateRecheckIntervalSec: number;
  recoveryWindowSec: number;
  recoveryRecheckIntervalSec: number;
  /** Logs are read from `firedAt - logLookbackSec` to the time of the log step. */
  logLookbackSec: number;
}

/** What the workflow needs to know about a region; resolved by an activity from the config file. */
export interface RegionPlan {
  region: string;
  cloud: Cloud;
  /** Human description of the service that a restart would touch, e.g. `ECS service prod/backend-background`. */
  serviceTarget: string;
  /** Exactly what a restart does, e.g. `ECS UpdateService forceNewDeployment`. */
  restartMethod: string;
  approvers: string[];
  thresholds: Thresholds;
  /** Whether the server has the Liveness* search attributes registered (config `searchAttributes`). */
  searchAttributes?: boolean;
}

/** A check that could not be made: permission denied, not found, bad config, or retries exhausted. */
export interface CouldNotAssess {
  status: 'could-not-assess';
  check: string;
  reason: string;
  /** Failure type, e.g. `AccessDenied`, `NotFound`, `BadConfig`, `RetriesExhausted`. */
  type: string;
}

export interface HeartbeatEvidence {
  status: 'ok';
  asOf: string;
  windowStart: string;
  count: number;
  lastSeenAt?: string;
  present: boolean;
}

export interface PollerEvidence {
  status: 'ok';
  asOf: string;
  windowStart: string;
  count: number;
  lastSeenAt?: string;
  present: boolean;
}

export interface QueueHealth {
  name: string;
  kind: 'sqs' | 'pubsub';
  /** Visible / undelivered messages. */
  backlog: number;
  inFlight?: number;
  delayed?: number;
  oldestAgeSec?: number;
  /** Messages received (SQS) or acked/pulled (Pub/Sub) by consumers over the look-back window. */
  consumed?: number;
  /** Backlog change over the look-back window; positive means growing. */
  backlogDelta?: number;
  consumerActive?: boolean;
  /** A growing backlog with no consumer activity: a strong sign the service is down or stuck. */
  flagged: boolean;
  note?: string;
}

export interface QueueEvidence {
  status: 'ok';
  asOf: string;
  queues: QueueHealth[];
  flagged: boolean;
}

export type HealthClass = 'unhealthy' | 'healthy' | 'unknown';

export interface StoppedTask {
  taskId: string;
  stoppedAt?: string;
  stoppedReason?: string;
  stopCode?: string;
  exitCode?: number;
  containerReason?: string;
  oom: boolean;
}

export interface EcsHealth {
  platform: 'ecs';
  desired: number;
  running: number;
  pending: number;
  rolloutState?: string;
  deployments: number;
  recentEvents: string[];
  stoppedTasks: StoppedTask[];
  cpuPercent?: number;
  memoryPercent?: number;
}

export interface CloudRunHealth {
  platform: 'cloud-run';
  ready: boolean | 'unknown';
  readyMessage?: string;
  latestReadyRevision?: string;
  latestCreatedRevision?: string;
  reconciling: boolean;
  instanceCount?: number;
  recentErrors: string[];
}

export interface ServiceHealthEvidence {
  status: 'ok';
  asOf: string;
  classification: HealthClass;
  reasons: string[];
  details: EcsHealth | CloudRunHealth;
}

export interface RestartEvidence {
  status: 'ok';
  at: string;
  action: string;
  /** Deployment ID or revision name the restart produced. */
  reference: string;
  /** True when a retried activity found its own earlier restart already applied. */
  alreadyApplied: boolean;
}

export interface LogSignature {
  signature: string;
  count: number;
  sample: string;
}

export interface LogEvidence {
  status: 'ok';
  from: string;
  to: string;
  scanned: number;
  exceptions: LogSignature[];
  oomKills: number;
  crashLoops: number;
  connectivityErrors: LogSignature[];
}

export interface RootCause {
  category: RootCauseCategory;
  summary: string;
  followUp: string;
}

export type Assessed<T> = T | CouldNotAssess;

export interface RecheckSummary {
  checks: number;
  recovered: boolean;
  recoveredAt?: string;
  last?: Assessed<HeartbeatEvidence>;
}

/** Evidence per runbook step; a step not reached is absent. */
export interface Evidence {
  heartbeats?: Assessed<HeartbeatEvidence>;
  blipWait?: RecheckSummary;
  pollers?: Assessed<PollerEvidence>;
  queues?: Assessed<QueueEvidence>;
  service?: Assessed<ServiceHealthEvidence>;
  restart?: Assessed<RestartEvidence>;
  recovery?: RecheckSummary;
  logs?: Assessed<LogEvidence>;
}

/** One line of the investigation's timeline, in workflow time. */
export interface TimelineEntry {
  at: string;
  step: Step;
  text: string;
}

/** An approval or rejection as received, whether it was accepted or refused. */
export interface DecisionRecord {
  at: string;
  signal: 'approveRestart' | 'rejectRestart';
  approver: string;
  reason?: string;
  accepted: boolean;
  note: string;
}

export interface RestartProposal {
  proposedAt: string;
  target: string;
  method: string;
  approvers: string[];
  deadline: string;
  /** Exactly how to answer, for the UI and the CLI. */
  howToApprove: string;
}

export interface InvestigationResult {
  workflowId: string;
  region: string;
  cloud?: Cloud;
  alert: Alert;
  verdict: Verdict;
  outcome: Outcome;
  restarts: number;
  approvedBy?: string;
  rejectedBy?: string;
  rootCause: RootCause;
  evidence: Evidence;
  decisions: DecisionRecord[];
  repeatAlerts: number;
  timeline: TimelineEntry[];
  reportMarkdown: string;
}
