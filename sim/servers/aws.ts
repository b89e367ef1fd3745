/**
 * The simulated world's AWS endpoint: one local HTTP server answering ECS, SQS, CloudWatch and CloudWatch
 * Logs in the JSON RPC protocols the pinned SDK clients (3.1178.0) send — awsJson1_1 for ECS and Logs,
 * awsJson1_0 (query-compatible) for SQS and CloudWatch — routed by the `X-Amz-Target` header. Only the
 * operations the adapters use (and the contract test needs) are implemented; state comes from the World,
 * and every request is recorded with `world.call`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RESTART_TOKEN_TAG } from '../../activities/adapters/ecs';
import type { FaultSim, StoppedTaskSim } from '../scenario';
import { World, WorldFault } from '../world';
import { serveLocal, type SimServer } from './types';

type AwsApi = Extract<FaultSim['api'], 'ecs' | 'sqs' | 'cloudwatch' | 'cloudwatch-logs'>;
/** A parsed JSON request body; handlers read the few fields they need. */
type Body = Record<string, any>;

export interface AwsServerOptions {
  /** Answer every request this much later, to exercise the adapters' per-call timeouts. */
  delayMs?: number;
  /** Log events per FilterLogEvents page (AWS allows up to 10,000; small pages exercise pagination). */
  logsPageSize?: number;
}

const ACCOUNT = '000000000000';
/** The deployment the scenario starts with (world restarts are `ecs-svc/000…00N`). */
const ORIGINAL_DEPLOYMENT = 'ecs-svc/9223370564342348388';
const CONTAINER = 'backend-background';

/** How each service speaks: target prefix → api, JSON version and whether errors carry the query code. */
const PROTOCOLS: Record<string, { api: AwsApi; json: '1.0' | '1.1'; queryCompatible: boolean }> = {
  AmazonEC2ContainerServiceV20141113: { api: 'ecs', json: '1.1', queryCompatible: false },
  AmazonSQS: { api: 'sqs', json: '1.0', queryCompatible: true },
  GraniteServiceVersion20100801: { api: 'cloudwatch', json: '1.0', queryCompatible: true },
  Logs_20140328: { api: 'cloudwatch-logs', json: '1.1', queryCompatible: false },
};

/** An AWS error as the JSON protocols send it: status, `__type`, message and (query-compatible) legacy code. */
class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly queryCode?: string,
  ) {
    super(message);
  }
}

/** The scenario's faults in each service's own error vocabulary. */
const FAULTS: Record<AwsApi, Record<FaultSim['kind'], () => AwsError>> = {
  ecs: {
    AccessDenied: () => new AwsError(400, 'AccessDeniedException', 'User: arn:aws:sts::000000000000:assumed-role/liveness-runbook/sim is not authorized to perform this action'),
    NotFound: () => new AwsError(400, 'ServiceNotFoundException', 'Service not found.'),
    Throttled: () => new AwsError(400, 'ThrottlingException', 'Rate exceeded'),
    ServerError: () => new AwsError(500, 'ServerException', 'Service unavailable. Please try again later.'),
  },
  sqs: {
    AccessDenied: () => new AwsError(400, 'com.amazon.coral.service#AccessDeniedException', 'Access to the resource is denied.', 'AccessDenied;Sender'),
    NotFound: () => new AwsError(400, 'com.amazonaws.sqs#QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue;Sender'),
    Throttled: () => new AwsError(400, 'com.amazonaws.sqs#RequestThrottled', 'Rate exceeded', 'RequestThrottled;Sender'),
    ServerError: () => new AwsError(500, 'com.amazon.coral.service#InternalFailure', 'Internal failure.', 'InternalFailure;Receiver'),
  },
  cloudwatch: {
    AccessDenied: () => new AwsError(400, 'com.amazon.coral.service#AccessDeniedException', 'User is not authorized to perform: cloudwatch:GetMetricData', 'AccessDenied;Sender'),
    NotFound: () => new AwsError(404, 'com.amazonaws.cloudwatch#ResourceNotFound', 'Resource not found.', 'ResourceNotFound;Sender'),
    Throttled: () => new AwsError(400, 'com.amazon.coral.availability#ThrottlingException', 'Rate exceeded', 'Throttling;Sender'),
    ServerError: () => new AwsError(500, 'com.amazonaws.cloudwatch#InternalServiceFault', 'Internal service error.', 'InternalServiceError;Receiver'),
  },
  'cloudwatch-logs': {
    AccessDenied: () => new AwsError(400, 'AccessDeniedException', 'User is not authorized to perform: logs:FilterLogEvents'),
    NotFound: () => new AwsError(400, 'ResourceNotFoundException', 'The specified log group does not exist.'),
    Throttled: () => new AwsError(400, 'ThrottlingException', 'Rate exceeded'),
    ServerError: () => new AwsError(500, 'ServiceUnavailableException', 'The service cannot complete the request.'),
  },
};

const epochSec = (d: Date) => d.getTime() / 1000;
const lastSegment = (s: string) => s.split('/').filter(Boolean).pop() ?? s;

/** The region the request was signed for (SigV4 credential scope), so ARNs name the caller's region. */
function signedRegion(req: IncomingMessage): string {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? 'us-east-1';
}

/** CloudWatch Logs filter patterns, the unstructured subset: `term "a phrase" ?any ?of -not`. */
export function matchesFilterPattern(pattern: string | undefined, message: string): boolean {
  const p = (pattern ?? '').trim();
  // JSON (`{ $.level = … }`) and space-delimited (`[…]`) patterns are not simulated: everything matches.
  if (p === '' || p.startsWith('{') || p.startsWith('[')) return true;
  const terms = [...p.matchAll(/([?-]?)(?:"([^"]*)"|(\S+))/g)].map((m) => ({ op: m[1], text: m[2] ?? m[3] }));
  const anyOf = terms.filter((t) => t.op === '?');
  if (anyOf.length && !anyOf.some((t) => message.includes(t.text))) return false;
  return terms.every((t) => (t.op === '-' ? !message.includes(t.text) : t.op === '?' || message.includes(t.text)));
}

/** Spreads an integer total over n buckets so that the buckets sum exactly to the total. */
function spread(totalCount: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.floor((totalCount * (i + 1)) / n) - Math.floor((totalCount * i) / n));
}

/** Linear from `a` (first point) to `b` (last point) over n points. */
function ramp(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n === 1 ? b : a + ((b - a) * i) / (n - 1)));
}

export async function startAwsServer(world: World, options: AwsServerOptions = {}): Promise<SimServer> {
  const tags = new Map<string, Map<string, string>>();
  let url = '';

  // ---- ECS ------------------------------------------------------------------------------------
  const arns = (region: string, cluster: string, service = CONTAINER) => ({
    cluster: `arn:aws:ecs:${region}:${ACCOUNT}:cluster/${lastSegment(cluster)}`,
    service: `arn:aws:ecs:${region}:${ACCOUNT}:service/${lastSegment(cluster)}/${lastSegment(service)}`,
    task: (id: string) => `arn:aws:ecs:${region}:${ACCOUNT}:task/${lastSegment(cluster)}/${id}`,
    taskDefinition: `arn:aws:ecs:${region}:${ACCOUNT}:task-definition/${lastSegment(service)}:42`,
  });

  function ecsState() {
    const s = world.ecs(world.now());
    if (!s) throw new AwsError(400, 'ClusterNotFoundException', 'Cluster not found.');
    return s;
  }

  function serviceView(region: string, cluster: string, service: string, includeTags: boolean) {
    const s = ecsState();
    const a = arns(region, cluster, service);
    const restart = world.restarts[world.restarts.length - 1];
    const recovered = world.isRecovered(world.now());
    const original = {
      id: ORIGINAL_DEPLOYMENT,
      createdAt: epochSec(world.abs(-86_400)),
      updatedAt: epochSec(world.abs(-86_400)),
    };
    const counts = { desiredCount: s.desired, runningCount: s.running, pendingCount: s.pending };
    // A forced deployment becomes PRIMARY; the old one stays ACTIVE (draining) until the rollout completes.
    const deployments = restart
      ? [
          { id: restart.reference, status: 'PRIMARY', ...counts, rolloutState: s.rolloutState, createdAt: epochSec(restart.at), updatedAt: epochSec(world.now()) },
          ...(recovered ? [] : [{ ...original, status: 'ACTIVE', desiredCount: 0, runningCount: 0, pendingCount: 0, rolloutState: 'COMPLETED' }]),
        ]
      : [{ ...original, status: 'PRIMARY', ...counts, rolloutState: s.rolloutState ?? 'COMPLETED' }];
    return {
      serviceArn: a.service,
      serviceName: lastSegment(service),
      clusterArn: a.cluster,
      status: 'ACTIVE',
      launchType: 'FARGATE',
      taskDefinition: a.taskDefinition,
      ...counts,
      deployments: deployments.map((d) => ({ taskDefinition: a.taskDefinition, launchType: 'FARGATE', ...d })),
      events: [...(s.events ?? [])]
        .sort((x, y) => y.at - x.at)
        .map((e, i) => ({ id: `event-${i}`, createdAt: epochSec(world.abs(e.at)), message: e.message })),
      createdAt: original.createdAt,
      tags: includeTags ? [...(tags.get(a.service) ?? new Map())].map(([key, value]) => ({ key, value })) : undefined,
    };
  }

  function taskView(region: string, cluster: string, t: StoppedTaskSim) {
    const stoppedAt = epochSec(world.abs(t.at));
    return {
      taskArn: arns(region, cluster).task(t.taskId),
      clusterArn: arns(region, cluster).cluster,
      group: `service:${CONTAINER}`,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      launchType: 'FARGATE',
      stoppedReason: t.stoppedReason,
      stopCode: t.stopCode ?? 'EssentialContainerExited',
      stoppedAt,
      stoppingAt: stoppedAt,
      containers: [{ name: CONTAINER, lastStatus: 'STOPPED', exitCode: t.exitCode, reason: t.containerReason }],
    };
  }

  function runningTaskIds(): string[] {
    return Array.from({ length: ecsState().running }, (_, i) => `running-${i + 1}`);
  }

  const ecs: Record<string, (b: Body, region: string) => unknown> = {
    DescribeServices(b, region) {
      const include = Array.isArray(b.include) && b.include.includes('TAGS');
      const services = (b.services ?? []) as string[];
      return { services: services.map((s) => serviceView(region, b.cluster ?? 'default', s, include)), failures: [] };
    },
    ListTasks(b, region) {
      const a = arns(region, b.cluster ?? 'default');
      const stopped = [...(ecsState().stoppedTasks ?? [])].sort((x, y) => y.at - x.at).map((t) => t.taskId);
      const ids = b.desiredStatus === 'STOPPED' ? stopped : runningTaskIds();
      return { taskArns: ids.slice(0, b.maxResults ?? 100).map(a.task) };
    },
    DescribeTasks(b, region) {
      const cluster = b.cluster ?? 'default';
      const stopped = ecsState().stoppedTasks ?? [];
      const running = runningTaskIds();
      const tasks: unknown[] = [];
      const failures: unknown[] = [];
      for (const ref of (b.tasks ?? []) as string[]) {
        const id = lastSegment(ref);
        const t = stopped.find((x) => x.taskId === id);
        if (t) tasks.push(taskView(region, cluster, t));
        else if (running.includes(id)) {
          tasks.push({ taskArn: arns(region, cluster).task(id), lastStatus: 'RUNNING', desiredStatus: 'RUNNING', containers: [{ name: CONTAINER, lastStatus: 'RUNNING' }] });
        } else failures.push({ arn: ref, reason: 'MISSING' });
      }
      return { tasks, failures };
    },
    TagResource(b) {
      const t = tags.get(b.resourceArn) ?? new Map<string, string>();
      for (const { key, value } of b.tags ?? []) t.set(key, value);
      tags.set(b.resourceArn, t);
      return {};
    },
    ListTagsForResource(b) {
      return { tags: [...(tags.get(b.resourceArn) ?? new Map())].map(([key, value]) => ({ key, value })) };
    },
    UpdateService(b, region) {
      const cluster = b.cluster ?? 'default';
      if (b.forceNewDeployment) {
        // Every forced deployment is a restart in the world, as in ECS: the tag names it, it never dedups it,
        // so an adapter that deploys twice shows up as two restarts.
        const tagged = tags.get(arns(region, cluster, b.service).service)?.get(RESTART_TOKEN_TAG);
        let token = tagged ?? `untagged-${randomUUID()}`;
        if (world.restarts.some((r) => r.token === token)) token = `${token}#${world.restarts.length + 1}`;
        world.restart(token, world.now());
      }
      return { service: serviceView(region, cluster, b.service, false) };
    },
  };

  // ---- SQS ------------------------------------------------------------------------------------
  function queueFigures(queueUrl: string) {
    const q = world.queue(lastSegment(queueUrl ?? ''), world.now(), 60);
    if (!q) throw FAULTS.sqs.NotFound();
    return q;
  }

  const sqs: Record<string, (b: Body, region: string) => unknown> = {
    GetQueueUrl(b) {
      if (!world.scenario.queues.some((q) => q.name === b.QueueName)) throw FAULTS.sqs.NotFound();
      return { QueueUrl: `${url}/${ACCOUNT}/${b.QueueName}` };
    },
    ListQueues() {
      return { QueueUrls: world.scenario.queues.map((q) => `${url}/${ACCOUNT}/${q.name}`) };
    },
    GetQueueAttributes(b, region) {
      const q = queueFigures(b.QueueUrl);
      const all: Record<string, string> = {
        ApproximateNumberOfMessages: String(q.backlog),
        ApproximateNumberOfMessagesNotVisible: String(q.inFlight),
        ApproximateNumberOfMessagesDelayed: String(q.delayed),
        QueueArn: `arn:aws:sqs:${region}:${ACCOUNT}:${q.name}`,
        VisibilityTimeout: '30',
      };
      const wanted = (b.AttributeNames ?? []) as string[];
      const pick = wanted.includes('All') ? Object.keys(all) : wanted.filter((k) => k in all);
      return { Attributes: Object.fromEntries(pick.map((k) => [k, all[k]])) };
    },
  };

  // ---- CloudWatch -------------------------------------------------------------------------------
  /** Values of one metric at n points spanning [start, end], consistent with the world at both ends. */
  function metricValues(namespace: string, metric: string, dims: Record<string, string>, start: Date, end: Date, times: Date[]): (number | undefined)[] {
    const n = times.length;
    if (namespace === 'AWS/SQS') {
      const windowSec = (end.getTime() - start.getTime()) / 1000;
      const atEnd = world.queue(dims.QueueName ?? '', end, windowSec);
      const atStart = world.queue(dims.QueueName ?? '', start, 0);
      if (!atEnd || !atStart) return [];
      switch (metric) {
        case 'ApproximateNumberOfMessagesVisible': return ramp(atEnd.backlogStart, atEnd.backlog, n);
        case 'ApproximateAgeOfOldestMessage': return ramp(atStart.oldestAgeSec, atEnd.oldestAgeSec, n);
        case 'NumberOfMessagesDeleted':
        case 'NumberOfMessagesReceived': return spread(atEnd.consumed, n);
        case 'ApproximateNumberOfMessagesNotVisible': return times.map(() => atEnd.inFlight);
        case 'ApproximateNumberOfMessagesDelayed': return times.map(() => atEnd.delayed);
        default: return [];
      }
    }
    if (namespace === 'AWS/ECS') {
      if (metric === 'CPUUtilization') return times.map((t) => world.ecs(t)?.cpuPercent);
      if (metric === 'MemoryUtilization') return times.map((t) => world.ecs(t)?.memoryPercent);
    }
    return [];
  }

  const cloudwatch: Record<string, (b: Body) => unknown> = {
    GetMetricData(b) {
      const start = new Date(Number(b.StartTime) * 1000);
      const end = new Date(Number(b.EndTime) * 1000);
      if (!(end > start)) throw new AwsError(400, 'com.amazonaws.cloudwatch#InvalidParameterValueException', 'The parameter EndTime must be greater than StartTime.', 'InvalidParameterValue;Sender');
      const results = ((b.MetricDataQueries ?? []) as Body[]).map((q) => {
        const stat = q.MetricStat ?? {};
        const m = stat.Metric ?? {};
        const periodMs = Math.max(1, Number(stat.Period ?? 60)) * 1000;
        const n = Math.max(1, Math.floor((end.getTime() - start.getTime()) / periodMs));
        const times = Array.from({ length: n }, (_, i) => new Date(start.getTime() + i * periodMs));
        const dims = Object.fromEntries(((m.Dimensions ?? []) as Body[]).map((d) => [d.Name, d.Value]));
        const values = metricValues(m.Namespace, m.MetricName, dims, start, end, times);
        const points = times.map((t, i) => ({ t, v: values[i] })).filter((p) => p.v !== undefined);
        if (b.ScanBy !== 'TimestampAscending') points.reverse();
        return {
          Id: q.Id,
          Label: m.MetricName,
          Timestamps: points.map((p) => epochSec(p.t)),
          Values: points.map((p) => p.v),
          StatusCode: 'Complete',
        };
      });
      return { MetricDataResults: results, Messages: [] };
    },
  };

  // ---- CloudWatch Logs ---------------------------------------------------------------------------
  const pageSize = options.logsPageSize ?? 100;
  const logs: Record<string, (b: Body) => unknown> = {
    FilterLogEvents(b) {
      const from = new Date(b.startTime ?? world.abs(-86_400).getTime());
      // endTime is inclusive on the wire; the world's windows are half-open.
      const to = new Date((b.endTime ?? world.now().getTime()) + 1);
      const matching = world.logLines(from, to).filter((l) => matchesFilterPattern(b.filterPattern, l.message));
      const offset = b.nextToken ? Number(Buffer.from(b.nextToken, 'base64url').toString()) : 0;
      const size = Math.min(b.limit ?? 10_000, pageSize);
      const page = matching.slice(offset, offset + size);
      const next = offset + page.length < matching.length ? Buffer.from(String(offset + page.length)).toString('base64url') : undefined;
      return {
        events: page.map((l, i) => ({
          logStreamName: `ecs/${CONTAINER}/task-${Math.floor(l.at.getTime() / 3_600_000)}`,
          timestamp: l.at.getTime(),
          ingestionTime: l.at.getTime() + 500,
          message: l.message,
          eventId: `${l.at.getTime()}${String(offset + i).padStart(8, '0')}`,
        })),
        searchedLogStreams: [],
        nextToken: next,
      };
    },
  };

  // ---- dispatch --------------------------------------------------------------------------------
  /** The world time a request is about, for the operations that carry one. */
  function requestTime(api: AwsApi, op: string, b: Body): Date | undefined {
    if (api === 'cloudwatch' && op === 'GetMetricData' && b.EndTime !== undefined) return new Date(Number(b.EndTime) * 1000);
    if (api === 'cloudwatch-logs' && op === 'FilterLogEvents' && b.endTime !== undefined) return new Date(b.endTime);
    return undefined;
  }

  function detailOf(api: AwsApi, b: Body): string | undefined {
    if (api === 'sqs' && b.QueueUrl) return lastSegment(b.QueueUrl);
    if (api === 'ecs' && b.cluster) return `${lastSegment(b.cluster)}/${b.service ?? (b.services ?? []).join(',')}`;
    if (api === 'cloudwatch-logs') return b.logGroupName;
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const [prefix, op = ''] = String(req.headers['x-amz-target'] ?? '').split('.');
    const proto = PROTOCOLS[prefix];
    const contentType = `application/x-amz-json-${proto?.json ?? '1.1'}`;
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID(), ...headers });
      res.end(JSON.stringify(payload));
    };
    // Unref'd: a delayed answer must not keep the process alive after close().
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs).unref());
    try {
      if (req.method !== 'POST' || !proto) {
        throw new AwsError(400, 'UnknownOperationException', `no AWS JSON target ${JSON.stringify(req.headers['x-amz-target'] ?? '')}`);
      }
      if (!req.headers.authorization) {
        throw new AwsError(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
      }
      let body: Body;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {
        throw new AwsError(400, 'SerializationException', 'request body is not JSON');
      }
      const handlers: Record<string, (b: Body, region: string) => unknown> = { ecs, sqs, cloudwatch, 'cloudwatch-logs': logs }[proto.api];
      const handler = handlers[op];
      if (!handler) throw new AwsError(400, 'UnknownOperationException', `${prefix}.${op} is not simulated`);
      const at = requestTime(proto.api, op, body);
      if (at) world.observe(at);
      try {
        world.call(proto.api, op, detailOf(proto.api, body));
      } catch (err) {
        if (err instanceof WorldFault) throw FAULTS[proto.api][err.kind]();
        throw err;
      }
      send(200, handler(body, signedRegion(req)));
    } catch (err) {
      const e = err instanceof AwsError ? err : new AwsError(500, 'InternalFailure', `simulated AWS failed: ${(err as Error).message}`);
      const headers: Record<string, string> = { 'x-amzn-errortype': e.type.split('#').pop()! };
      if (proto?.queryCompatible && e.queryCode) headers['x-amzn-query-error'] = e.queryCode;
      send(e.status, { __type: e.type, message: e.message }, headers);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  const served = await serveLocal(server);
  url = served.url;
  return served;
}
