import { Context } from '@temporalio/activity';
import type { AppConfig } from '../config/schema';
import type { CloudRunHealth, EcsHealth, HealthClass, RestartEvidence, ServiceHealthEvidence } from '../workflows/types';
import { asActivityFailure } from './errors';
import type { ServicePort } from './ports';
import { profileOf } from './region';

/** Memory use at or above this percentage is called out as a likely OOM precursor. */
const MEMORY_PRESSURE_PERCENT = 90;

function classifyEcs(h: EcsHealth): { classification: HealthClass; reasons: string[] } {
  const reasons: string[] = [];
  const failed = h.stoppedTasks.filter((t) => t.oom || (t.exitCode !== undefined && t.exitCode !== 0));
  const ooms = h.stoppedTasks.filter((t) => t.oom).length;
  if (ooms) reasons.push(`${ooms} recently stopped task(s) were OOM-killed`);
  if (failed.length) reasons.push(`${failed.length} recently stopped task(s) exited abnormally`);
  if (h.memoryPercent !== undefined && h.memoryPercent >= MEMORY_PRESSURE_PERCENT) {
    reasons.push(`memory utilization ${h.memoryPercent.toFixed(0)}%`);
  }
  if (h.desired === 0) {
    return { classification: 'unknown', reasons: ['desired count is 0: the service is scaled to zero, a restart would not help', ...reasons] };
  }
  if (h.rolloutState === 'FAILED') {
    return { classification: 'unhealthy', reasons: ['latest deployment rollout FAILED', ...reasons] };
  }
  if (h.running === 0) {
    return { classification: 'unhealthy', reasons: [`no running tasks (desired ${h.desired}, pending ${h.pending})`, ...reasons] };
  }
  if (h.running < h.desired && failed.length > 0) {
    return { classification: 'unhealthy', reasons: [`${h.running}/${h.desired} tasks running while tasks keep failing`, ...reasons] };
  }
  if (h.running >= h.desired) {
    return { classification: 'healthy', reasons: [`${h.running}/${h.desired} tasks running`, ...reasons] };
  }
  return { classification: 'unknown', reasons: [`${h.running}/${h.desired} tasks running, ${h.pending} pending, no failures seen`, ...reasons] };
}

function classifyCloudRun(h: CloudRunHealth): { classification: HealthClass; reasons: string[] } {
  const reasons: string[] = [];
  if (h.recentErrors.length) reasons.push(`${h.recentErrors.length} recent error(s), e.g. ${h.recentErrors[0]}`);
  const stuckRevision =
    !h.reconciling && h.latestCreatedRevision !== undefined && h.latestCreatedRevision !== h.latestReadyRevision;
  if (h.ready === false) {
    return { classification: 'unhealthy', reasons: [`service not Ready${h.readyMessage ? `: ${h.readyMessage}` : ''}`, ...reasons] };
  }
  if (stuckRevision) {
    return {
      classification: 'unhealthy',
      reasons: [`latest revision ${h.latestCreatedRevision} never became ready (serving ${h.latestReadyRevision ?? 'none'})`, ...reasons],
    };
  }
  if (h.instanceCount === 0 && h.recentErrors.length > 0) {
    return { classification: 'unhealthy', reasons: ['no instances running and recent errors', ...reasons] };
  }
  if (h.ready === true && (h.instanceCount === undefined || h.instanceCount > 0)) {
    return { classification: 'healthy', reasons: [`Ready, serving ${h.latestReadyRevision ?? 'unknown revision'}, ${h.instanceCount ?? '?'} instance(s)`, ...reasons] };
  }
  return { classification: 'unknown', reasons: [`ready=${h.ready}, instances=${h.instanceCount ?? 'unknown'}`, ...reasons] };
}

/** Runbook step 4's judgement: only `unhealthy` leads to a restart proposal. */
export function classifyHealth(details: EcsHealth | CloudRunHealth): { classification: HealthClass; reasons: string[] } {
  return details.platform === 'ecs' ? classifyEcs(details) : classifyCloudRun(details);
}

export interface ServiceCheckInput {
  region: string;
  asOf: string;
}

export interface RestartInput {
  region: string;
  /** Idempotency token, stable across retries of this activity. */
  token: string;
  /** Workflow time the restart was approved; restarts of ours created since then count as done. */
  approvedAt: string;
}

export function createServiceActivities(config: AppConfig, service: ServicePort) {
  return {
    /** Runbook step 4: service health (ECS or Cloud Run), classified. */
    async checkServiceHealth({ region, asOf }: ServiceCheckInput): Promise<ServiceHealthEvidence> {
      const profile = profileOf(config, region);
      try {
        const details = await service.describe(profile, new Date(asOf));
        return { status: 'ok', asOf, ...classifyHealth(details), details };
      } catch (err) {
        return asActivityFailure('service health', err);
      }
    },

    /** The one action: restart the service. Idempotent: a retry finds the restart it already made. */
    async restartService({ region, token, approvedAt }: RestartInput): Promise<RestartEvidence> {
      const profile = profileOf(config, region);
      // Heartbeats let Temporal notice a dead worker within the heartbeat timeout, not the long
      // start-to-close timeout; the retry then finds this restart by its token instead of repeating it.
      const beat = setInterval(() => Context.current().heartbeat({ token }), 3000);
      try {
        Context.current().heartbeat({ token });
        const done = await service.restart(profile, { token, notBefore: new Date(approvedAt) });
        return { status: 'ok', at: new Date().toISOString(), ...done };
      } catch (err) {
        return asActivityFailure('restart', err);
      } finally {
        clearInterval(beat);
      }
    },
  };
}
