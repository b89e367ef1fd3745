/**
 * The Cloud Run service port: health from `services.get` (Ready condition, latest ready vs created
 * revision, reconciling), instance count from Cloud Monitoring, recent errors from Cloud Logging; and the
 * restart, a new revision made by changing one template annotation to the investigation's token.
 */
import type { protos } from '@google-cloud/run';
import type { RegionProfile } from '../../config/schema';
import type { CloudRunHealth } from '../../workflows/types';
import { isPermanentFault } from '../errors';
import type { RestartDone, RestartRequest, ServicePort } from '../ports';
import type { CloudRunLogReader } from './cloud-logging';
import { gcpProfile, type GcpClients } from './gcp-client';
import { METRICS, latest, type MetricReader } from './monitoring';

type Service = protos.google.cloud.run.v2.IService;
type Condition = protos.google.cloud.run.v2.ICondition;

/**
 * The project's own template annotation. Changing it is the smallest change that makes Cloud Run roll a
 * new revision; carrying the investigation's token makes the restart idempotent: a retried activity
 * finds its own token on the template and does not roll a second revision.
 */
export const RESTART_TOKEN_ANNOTATION = 'liveness-runbook/restart-token';

/** How far back the instance count and the recent errors look from `asOf`. */
const RECENT_SEC = 600;
const RECENT_ERRORS = 5;

/** Polling of the rollout operation: first after 1 s, then 1.5× longer each time, at most 10 s apart. */
const POLL_FIRST_MS = 1000;
const POLL_MAX_MS = 10_000;

export interface CloudRunOptions {
  /** How long a restart waits for its rollout operation; below the restart activity's 5-minute timeout. */
  operationTimeoutMs: number;
}

/** `projects/p/locations/l/services/s/revisions/r` → `r`. */
function shortName(name: string | null | undefined): string | undefined {
  return name ? name.split('/').pop() : undefined;
}

function readyCondition(service: Service): Condition | undefined {
  const terminal = service.terminalCondition;
  if (terminal && (terminal.type === 'Ready' || !terminal.type)) return terminal;
  return (service.conditions ?? []).find((c) => c.type === 'Ready');
}

function readinessOf(condition: Condition | undefined): CloudRunHealth['ready'] {
  // Enums arrive as their names: the REST transport asks for numbers and decodes them back.
  const state = String(condition?.state ?? '');
  if (state === 'CONDITION_SUCCEEDED') return true;
  if (state === 'CONDITION_FAILED') return false;
  return 'unknown';
}

/**
 * Traffic sent to named revisions only: a new revision then starts but serves nothing, so the engineer
 * is told (the restart is still what they approved).
 */
function pinnedTraffic(service: Service): boolean {
  const traffic = service.traffic ?? [];
  return traffic.length > 0 && !traffic.some((t) => String(t.type) === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' && (t.percent ?? 0) > 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createCloudRunService(
  clients: GcpClients,
  metrics: MetricReader,
  logs: CloudRunLogReader,
  options: CloudRunOptions,
): ServicePort {
  const serviceName = (p: ReturnType<typeof gcpProfile>) =>
    `projects/${p.project}/locations/${p.location}/services/${p.cloudRun.service}`;

  async function getService(name: string): Promise<Service> {
    const [service] = await clients.call(`run.services.get ${name}`, () =>
      clients.run.getService({ name }, clients.gaxOptions),
    );
    return service;
  }

  /**
   * Secondary figures must not cost the whole health check: a permanent fault (say, no Monitoring
   * permission) leaves the figure unknown; transient faults still fail the call so it is retried.
   */
  async function optional<T>(read: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await read();
    } catch (err) {
      if (isPermanentFault(err)) return fallback;
      throw err;
    }
  }

  async function instanceCount(p: ReturnType<typeof gcpProfile>, asOf: Date): Promise<number | undefined> {
    const series = await metrics.series(`monitoring.listTimeSeries instance_count ${p.cloudRun.service}`, {
      project: p.project,
      filter:
        `metric.type = "${METRICS.runInstances}" AND resource.type = "cloud_run_revision"` +
        ` AND resource.labels.service_name = "${p.cloudRun.service}" AND resource.labels.location = "${p.location}"`,
      from: new Date(asOf.getTime() - RECENT_SEC * 1000),
      to: asOf,
      // One series: the per-minute maximum of each revision and state, summed.
      aggregation: { alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_MAX', crossSeriesReducer: 'REDUCE_SUM' },
    });
    return latest(series)?.value;
  }

  /**
   * Waits for the rollout operation, polling `operations.get` with the same bounded call as every other
   * (the library's own poller retries UNAVAILABLE for up to 10 minutes, with no per-poll deadline over
   * REST). Returns the rollout's error message when it failed: the new revision exists all the same.
   */
  async function awaitRollout(name: string, operation: { name?: string | null; done?: boolean | null; error?: unknown }) {
    const deadline = Date.now() + options.operationTimeoutMs;
    let delay = POLL_FIRST_MS;
    let op: { done?: boolean | null; error?: { message?: string | null } | null } = operation as typeof op;
    while (!op.done) {
      if (Date.now() + delay > deadline) {
        // The revision is on its way; a retry of the activity finds the token and does not roll another.
        throw new Error(`run.services.patch ${name}: rollout ${operation.name} still running after ${options.operationTimeoutMs} ms`);
      }
      await sleep(delay);
      delay = Math.min(delay * 1.5, POLL_MAX_MS);
      [op] = await clients.call(`run.operations.get ${operation.name}`, () =>
        clients.run.operationsClient.getOperation(
          { name: operation.name } as Parameters<typeof clients.run.operationsClient.getOperation>[0],
          clients.gaxOptions,
        ),
      );
    }
    return op.error ? op.error.message || 'rollout failed' : undefined;
  }

  return {
    async describe(profile: RegionProfile, asOf: Date): Promise<CloudRunHealth> {
      const p = gcpProfile(profile);
      const service = await getService(serviceName(p));
      const ready = readyCondition(service);
      const [instances, errors] = await Promise.all([
        optional(() => instanceCount(p, asOf), undefined),
        optional(() => logs.entries(p, new Date(asOf.getTime() - RECENT_SEC * 1000), asOf, RECENT_ERRORS, 'ERROR'), []),
      ]);
      return {
        platform: 'cloud-run',
        ready: readinessOf(ready),
        readyMessage: ready?.message || undefined,
        latestReadyRevision: shortName(service.latestReadyRevision),
        latestCreatedRevision: shortName(service.latestCreatedRevision),
        reconciling: Boolean(service.reconciling),
        instanceCount: instances,
        recentErrors: errors.map((e) => e.message),
      };
    },

    async restart(profile: RegionProfile, { token }: RestartRequest): Promise<RestartDone> {
      const p = gcpProfile(profile);
      const name = serviceName(p);
      const action = 'Cloud Run new revision';
      const service = await getService(name);
      if (service.template?.annotations?.[RESTART_TOKEN_ANNOTATION] === token) {
        return { action, reference: shortName(service.latestCreatedRevision) ?? 'unknown', alreadyApplied: true };
      }
      const template = {
        ...service.template,
        // A named revision would collide with the existing one; an empty name lets Cloud Run pick one.
        revision: '',
        annotations: { ...(service.template?.annotations ?? {}), [RESTART_TOKEN_ANNOTATION]: token },
      };
      // The whole service goes back with its etag, so a concurrent change fails (409) instead of being
      // overwritten; output-only fields in it are ignored by the API.
      const [operation] = await clients.call(`run.services.patch ${name}`, () =>
        clients.run.updateService({ service: { ...service, template } }, clients.gaxOptions),
      );
      const failure = await awaitRollout(name, operation);
      // The service as it is now names the revision the rollout created (also when it failed to serve).
      const after = await getService(name);
      const notes = [
        ...(failure ? [`rollout failed: ${failure.slice(0, 200)}`] : []),
        ...(pinnedTraffic(service) ? ['traffic is pinned to named revisions, so the new one serves none'] : []),
      ];
      return {
        action: notes.length ? `${action} (${notes.join('; ')})` : action,
        reference: shortName(after.latestCreatedRevision) ?? 'unknown',
        alreadyApplied: false,
      };
    },
  };
}
