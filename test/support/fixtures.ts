/** Configs and scenarios shared by tests; the shipped scenario files live in test/scenarios. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../config';
import type { AppConfig } from '../../config/schema';
import { parseScenario, type Scenario } from '../../sim/scenario';

export const APPROVERS = ['alice', 'bob'];

/** A config for one region of either cloud, as an operator would write it. */
export function configFor(region: string, cloud: 'aws' | 'gcp', extra: Record<string, unknown> = {}): AppConfig {
  const axiom = { heartbeatDataset: 'backend-logs' };
  const profile =
    cloud === 'aws'
      ? {
          cloud,
          axiom,
          approvers: APPROVERS,
          ecs: { cluster: 'prod', service: 'backend-background' },
          sqs: { queueUrls: [`http://localhost/000000000000/jobs-${region}`] },
          logs: { logGroup: '/ecs/backend-background' },
        }
      : {
          cloud,
          axiom,
          approvers: APPROVERS,
          project: 'acme-prod',
          location: region,
          cloudRun: { service: 'backend' },
          pubsub: { subscriptions: [`jobs-${region}-sub`] },
        };
  return parseConfig({ regions: { [region]: { ...profile, ...extra } } });
}

export const SCENARIO_DIR = join(__dirname, '..', 'scenarios');

export function loadScenario(name: string): Scenario {
  return parseScenario(JSON.parse(readFileSync(join(SCENARIO_DIR, `${name}.json`), 'utf8')));
}

export function scenarioNames(): string[] {
  return readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
}

/** An AWS outage: heartbeats and traces stopped 3 minutes before the alert, the service has no tasks. */
export function awsOutage(overrides: Partial<Scenario> = {}): Scenario {
  return parseScenario({
    name: 'aws-outage',
    region: 'eu-west-1',
    cloud: 'aws',
    heartbeats: [{ from: -3600, to: -180, everySec: 10 }],
    jobTraces: [{ from: -3600, to: -180, everySec: 20 }],
    queues: [{ name: 'jobs-eu-west-1', backlog: 500, backlogGrowthPerMin: 40, inFlight: 0, oldestAgeSec: 200, consumedPerMin: 0 }],
    service: {
      platform: 'ecs',
      desired: 2,
      running: 0,
      pending: 1,
      rolloutState: 'COMPLETED',
      memoryPercent: 97,
      stoppedTasks: [
        { taskId: 'task-1', at: -200, stoppedReason: 'OutOfMemoryError: Container killed due to memory usage', exitCode: 137 },
      ],
    },
    logs: [{ at: -210, message: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' }],
    restart: { recoversAfterSec: 60 },
    ...overrides,
  });
}

/**
 * A GCP outage: like awsOutage, but Cloud Run's latest revision never started (the database refuses
 * connections), so the service is not Ready and runs no instances.
 */
export function gcpOutage(overrides: Partial<Scenario> = {}): Scenario {
  return awsOutage({
    name: 'gcp-outage',
    region: 'europe-west1',
    cloud: 'gcp',
    queues: [{ name: 'jobs-europe-west1-sub', backlog: 300, backlogGrowthPerMin: 20, consumedPerMin: 0 }],
    service: {
      platform: 'cloud-run',
      ready: false,
      readyMessage: 'Revision backend-00043-xyz is not ready: container failed to start and listen on PORT',
      latestReadyRevision: 'backend-00042-abc',
      latestCreatedRevision: 'backend-00043-xyz',
      instanceCount: 0,
      errors: [{ at: -200, message: 'connect ECONNREFUSED 10.0.0.5:5432' }],
    },
    logs: [{ at: -200, message: 'Error: connect ECONNREFUSED 10.0.0.5:5432', repeat: { count: 5, everySec: 10 } }],
    ...overrides,
  });
}
