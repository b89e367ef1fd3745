/**
 * The ECS service port: health from DescribeServices, recently stopped tasks, CPU and memory from
 * CloudWatch; and the restart as UpdateService forceNewDeployment, made idempotent with a service tag.
 */
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import type { AwsProfile, RegionProfile } from '../../config/schema';
import type { EcsHealth, StoppedTask } from '../../workflows/types';
import { PermanentFault } from '../errors';
import type { RestartDone, RestartRequest, ServicePort } from '../ports';
import { awsProfile, type AwsClients } from './aws-client';
import { latest, metricSeries } from './cloudwatch';

/** The tags that remember which investigation last restarted the service, and what it replaced. */
export const RESTART_TOKEN_TAG = 'liveness-runbook:restart-token';
export const REPLACED_DEPLOYMENT_TAG = 'liveness-runbook:replaced-deployment';
export const ECS_RESTART_ACTION = 'ECS UpdateService forceNewDeployment';

const RECENT_EVENTS = 5;
/** ECS keeps stopped tasks for about an hour; the newest few tell the story. */
const STOPPED_TASKS = 10;
const METRIC_WINDOW_SEC = 600;

const OOM = /OutOfMemory/i;

export function toStoppedTask(task: Task): StoppedTask {
  // The container that failed says why; fall back to the first (usually the only essential) one.
  const containers = task.containers ?? [];
  const c = containers.find((x) => (x.exitCode !== undefined && x.exitCode !== 0) || x.reason) ?? containers[0];
  const taskId = (task.taskArn ?? '').split('/').pop() ?? '';
  return {
    taskId,
    stoppedAt: task.stoppedAt?.toISOString(),
    stoppedReason: task.stoppedReason,
    stopCode: task.stopCode,
    exitCode: c?.exitCode,
    containerReason: c?.reason,
    oom: c?.exitCode === 137 || OOM.test(`${task.stoppedReason ?? ''} ${c?.reason ?? ''}`),
  };
}

export function createEcsService(clients: AwsClients): ServicePort {
  async function describeService(p: AwsProfile, withTags: boolean): Promise<Service> {
    const { cluster, service } = p.ecs;
    const res = await clients.call(`ECS DescribeServices ${cluster}/${service}`, (abortSignal) =>
      clients.ecs(p.awsRegion).send(
        new DescribeServicesCommand({ cluster, services: [service], include: withTags ? ['TAGS'] : undefined }),
        { abortSignal },
      ),
    );
    // A missing service is not an exception in ECS: it comes back as a failure with reason MISSING.
    const svc = res.services?.[0];
    if (!svc) {
      const reason = res.failures?.[0]?.reason ?? 'no service returned';
      throw new PermanentFault('NotFound', `ECS service ${service} in cluster ${cluster}: ${reason}`);
    }
    return svc;
  }

  async function stoppedTasks(p: AwsProfile): Promise<StoppedTask[]> {
    const { cluster, service } = p.ecs;
    const listed = await clients.call(`ECS ListTasks ${cluster}/${service}`, (abortSignal) =>
      clients.ecs(p.awsRegion).send(
        new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'STOPPED', maxResults: STOPPED_TASKS }),
        { abortSignal },
      ),
    );
    const arns = listed.taskArns ?? [];
    if (arns.length === 0) return [];
    const described = await clients.call(`ECS DescribeTasks ${cluster}`, (abortSignal) =>
      clients.ecs(p.awsRegion).send(new DescribeTasksCommand({ cluster, tasks: arns }), { abortSignal }),
    );
    return (described.tasks ?? [])
      .map(toStoppedTask)
      .sort((a, b) => (b.stoppedAt ?? '').localeCompare(a.stoppedAt ?? ''));
  }

  async function utilization(p: AwsProfile, asOf: Date) {
    const dimensions = { ClusterName: p.ecs.cluster, ServiceName: p.ecs.service };
    const series = await metricSeries(
      clients,
      p.awsRegion,
      [
        { id: 'cpu', namespace: 'AWS/ECS', metric: 'CPUUtilization', dimensions, stat: 'Average' },
        { id: 'memory', namespace: 'AWS/ECS', metric: 'MemoryUtilization', dimensions, stat: 'Average' },
      ],
      new Date(asOf.getTime() - METRIC_WINDOW_SEC * 1000),
      asOf,
    );
    return { cpuPercent: latest(series.get('cpu')), memoryPercent: latest(series.get('memory')) };
  }

  return {
    async describe(profile: RegionProfile, asOf: Date): Promise<EcsHealth> {
      const p = awsProfile(profile);
      const [svc, stopped, usage] = await Promise.all([describeService(p, false), stoppedTasks(p), utilization(p, asOf)]);
      const deployments = svc.deployments ?? [];
      const primary = deployments.find((d) => d.status === 'PRIMARY');
      return {
        platform: 'ecs',
        desired: svc.desiredCount ?? 0,
        running: svc.runningCount ?? 0,
        pending: svc.pendingCount ?? 0,
        rolloutState: primary?.rolloutState,
        deployments: deployments.length,
        // ECS lists service events newest first.
        recentEvents: (svc.events ?? []).slice(0, RECENT_EVENTS).map((e) => e.message ?? ''),
        stoppedTasks: stopped,
        ...usage,
      };
    },

    /**
     * Restarts by forcing a new deployment, at most once per token, even when the activity is retried
     * after a crash at any point. Before UpdateService we tag the service with the token and the ID of
     * the PRIMARY deployment we are about to replace; a retry then reads the tags back:
     *  - no tag with our token (crash before tagging, or another investigation's tag) → tag and deploy;
     *  - our token, and the PRIMARY is still the one we recorded (crash between tagging and
     *    UpdateService) → deploy, once;
     *  - our token, and the PRIMARY has changed since we recorded it (crash after UpdateService) →
     *    already applied; the new PRIMARY is the reference.
     * ECS has no client token on UpdateService, and a second forceNewDeployment would replace the tasks
     * again, so this check is what keeps "exactly one restart". It compares deployment IDs rather than
     * `createdAt` with `notBefore`: workflow time and AWS's clock need not agree (clock skew, or the
     * simulated world's clock), and IDs make the check exact. A deployment someone else started after our
     * tagging also counts as applied: the tasks were replaced after the approval either way.
     */
    async restart(profile: RegionProfile, { token }: RestartRequest): Promise<RestartDone> {
      const p = awsProfile(profile);
      const { cluster, service } = p.ecs;
      const svc = await describeService(p, true);
      const tag = (key: string) => svc.tags?.find((t) => t.key === key)?.value;
      const primary = svc.deployments?.find((d) => d.status === 'PRIMARY')?.id;
      const replaced = tag(REPLACED_DEPLOYMENT_TAG);
      if (tag(RESTART_TOKEN_TAG) === token && primary && replaced && primary !== replaced) {
        return { action: ECS_RESTART_ACTION, reference: primary, alreadyApplied: true };
      }
      if (!svc.serviceArn) throw new PermanentFault('NotFound', `ECS service ${service} in cluster ${cluster}: no service ARN to tag`);
      await clients.call(`ECS TagResource ${cluster}/${service}`, (abortSignal) =>
        clients.ecs(p.awsRegion).send(
          new TagResourceCommand({
            resourceArn: svc.serviceArn,
            tags: [
              { key: RESTART_TOKEN_TAG, value: token },
              { key: REPLACED_DEPLOYMENT_TAG, value: primary ?? 'none' },
            ],
          }),
          { abortSignal },
        ),
      );
      const updated = await clients.call(`ECS UpdateService ${cluster}/${service}`, (abortSignal) =>
        clients.ecs(p.awsRegion).send(new UpdateServiceCommand({ cluster, service, forceNewDeployment: true }), { abortSignal }),
      );
      const deployed = updated.service?.deployments?.find((d) => d.status === 'PRIMARY');
      return { action: ECS_RESTART_ACTION, reference: deployed?.id ?? 'unknown', alreadyApplied: false };
    },
  };
}
