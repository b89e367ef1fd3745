/**
 * The in-memory scripted implementation of the activity ports, for workflow tests: the same World the
 * wire servers use, read directly. Faults surface the way adapters surface them (PermanentFault or a
 * retryable error), so the product's activities and workflow see what they would see in production.
 */
import { PermanentFault } from '../../activities/errors';
import type { Notification, Ports } from '../../activities/ports';
import { World, WorldFault } from '../../sim/world';
import type { FaultSim } from '../../sim/scenario';

function guard<T>(world: World, api: FaultSim['api'], op: string, fn: () => T): T {
  try {
    world.call(api, op);
  } catch (err) {
    if (err instanceof WorldFault) {
      if (err.kind === 'AccessDenied') throw new PermanentFault('AccessDenied', `${api} ${op}: access denied`);
      if (err.kind === 'NotFound') throw new PermanentFault('NotFound', `${api} ${op}: not found`);
      throw new Error(`${api} ${op}: ${err.kind}`);
    }
    throw err;
  }
  return fn();
}

export function memoryPorts(world: World, sent: Notification[] = []): Ports {
  return {
    telemetry: {
      async heartbeats(_p, from, to) {
        return guard(world, 'axiom', 'heartbeats', () => world.heartbeats(from, to));
      },
      async jobTraces(_p, from, to) {
        return guard(world, 'axiom', 'jobTraces', () => world.jobTraces(from, to));
      },
    },
    queues: {
      async inspect(_p, asOf, lookbackSec) {
        const api = world.scenario.cloud === 'aws' ? 'sqs' : 'pubsub';
        return guard(world, api, 'inspect', () =>
          world.scenario.queues.map((q) => {
            const r = world.queue(q.name, asOf, lookbackSec)!;
            return {
              name: r.name,
              kind: api,
              backlog: r.backlog,
              inFlight: r.inFlight,
              delayed: r.delayed,
              oldestAgeSec: r.oldestAgeSec,
              consumed: r.consumed,
              backlogDelta: r.backlog - r.backlogStart,
            };
          }),
        );
      },
    },
    service: {
      async describe(_p, asOf) {
        world.observe(asOf);
        if (world.scenario.cloud === 'aws') {
          return guard(world, 'ecs', 'describe', () => {
            const s = world.ecs(asOf)!;
            return {
              platform: 'ecs' as const,
              desired: s.desired,
              running: s.running,
              pending: s.pending,
              rolloutState: s.rolloutState,
              deployments: 1,
              recentEvents: (s.events ?? []).map((e) => e.message),
              stoppedTasks: (s.stoppedTasks ?? []).map((t) => ({
                taskId: t.taskId,
                stoppedAt: world.abs(t.at).toISOString(),
                stoppedReason: t.stoppedReason,
                stopCode: t.stopCode,
                exitCode: t.exitCode,
                containerReason: t.containerReason,
                oom: t.exitCode === 137 || /OutOfMemory/i.test(`${t.stoppedReason} ${t.containerReason ?? ''}`),
              })),
              cpuPercent: s.cpuPercent,
              memoryPercent: s.memoryPercent,
            };
          });
        }
        return guard(world, 'run', 'describe', () => {
          const s = world.cloudRun(asOf)!;
          return {
            platform: 'cloud-run' as const,
            ready: s.ready,
            readyMessage: s.readyMessage,
            latestReadyRevision: s.latestReadyRevision,
            latestCreatedRevision: s.latestCreatedRevision,
            reconciling: false,
            instanceCount: s.instanceCount,
            recentErrors: (s.errors ?? []).map((e) => e.message),
          };
        });
      },
      async restart(_p, { token, notBefore }) {
        const api = world.scenario.cloud === 'aws' ? 'ecs' : 'run';
        return guard(world, api, 'restart', () => {
          const { restart, alreadyApplied } = world.restart(token, notBefore > world.now() ? notBefore : world.now());
          return { action: api === 'ecs' ? 'ECS force-new-deployment' : 'Cloud Run new revision', reference: restart.reference, alreadyApplied };
        });
      },
    },
    logs: {
      async read(_p, from, to, limit) {
        const api = world.scenario.cloud === 'aws' ? 'cloudwatch-logs' : 'logging';
        return guard(world, api, 'read', () =>
          world.logLines(from, to).slice(-limit).map((l) => ({ at: l.at.toISOString(), message: l.message, severity: l.severity })),
        );
      },
    },
    notifier: {
      async send(n) {
        sent.push(n);
      },
    },
  };
}
