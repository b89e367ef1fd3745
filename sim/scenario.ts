/**
 * A scenario: what the simulated world looks like around one alert. All times are seconds relative to
 * the alert (negative = before it). See sim/README.md for the documented format.
 */

/** Events every `everySec` from `from` (inclusive) to `to` (exclusive; absent = forever). */
export interface Span {
  from: number;
  to?: number;
  everySec: number;
}

export interface QueueSim {
  name: string;
  backlog: number;
  /** Backlog growth per minute (negative = draining). */
  backlogGrowthPerMin?: number;
  inFlight?: number;
  delayed?: number;
  oldestAgeSec?: number;
  /** Messages consumed per minute; 0 = no consumer activity. */
  consumedPerMin?: number;
}

export interface StoppedTaskSim {
  taskId: string;
  /** Seconds relative to the alert. */
  at: number;
  stoppedReason: string;
  stopCode?: string;
  exitCode?: number;
  containerReason?: string;
}

export interface EcsSim {
  platform: 'ecs';
  desired: number;
  running: number;
  pending: number;
  rolloutState?: 'COMPLETED' | 'IN_PROGRESS' | 'FAILED';
  events?: { at: number; message: string }[];
  stoppedTasks?: StoppedTaskSim[];
  cpuPercent?: number;
  memoryPercent?: number;
}

export interface CloudRunSim {
  platform: 'cloud-run';
  ready: boolean;
  readyMessage?: string;
  latestReadyRevision: string;
  latestCreatedRevision: string;
  instanceCount: number;
  errors?: { at: number; message: string }[];
}

export interface LogSim {
  at: number;
  message: string;
  severity?: string;
  /** Repeat the line `count` times, every `everySec`. */
  repeat?: { count: number; everySec: number };
}

/** A fault the world answers a given API with, e.g. `{ "api": "ecs", "kind": "AccessDenied" }`. */
export interface FaultSim {
  api: 'axiom' | 'ecs' | 'sqs' | 'cloudwatch' | 'cloudwatch-logs' | 'run' | 'pubsub' | 'monitoring' | 'logging';
  kind: 'AccessDenied' | 'NotFound' | 'Throttled' | 'ServerError';
  /** Only the first N calls fail (absent = every call). */
  times?: number;
}

export interface RestartSim {
  /** Heartbeats, traces and service health come back this many seconds after the restart; null = never. */
  recoversAfterSec: number | null;
}

export interface Scenario {
  name: string;
  description: string;
  region: string;
  cloud: 'aws' | 'gcp';
  heartbeats: Span[];
  jobTraces: Span[];
  queues: QueueSim[];
  service: EcsSim | CloudRunSim;
  logs: LogSim[];
  restart: RestartSim;
  faults: FaultSim[];
  /** What the scenario is expected to conclude with, for tests and `simulate`'s self-check. */
  expect?: {
    answer?: 'approve' | 'reject' | 'none';
    verdict?: string;
    outcome?: string;
    restarts?: number;
    rootCause?: string;
  };
}

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

type O = Record<string, unknown>;
const isObj = (v: unknown): v is O => typeof v === 'object' && v !== null && !Array.isArray(v);

function need(cond: boolean, path: string, what: string): void {
  if (!cond) throw new ScenarioError(`${path}: ${what}`);
}
function num(o: O, k: string, path: string, opt = false): number | undefined {
  if (opt && o[k] === undefined) return undefined;
  need(typeof o[k] === 'number' && Number.isFinite(o[k] as number), `${path}.${k}`, 'required, a number');
  return o[k] as number;
}
function str(o: O, k: string, path: string, opt = false): string | undefined {
  if (opt && o[k] === undefined) return undefined;
  need(typeof o[k] === 'string' && (o[k] as string).length > 0, `${path}.${k}`, 'required, a non-empty string');
  return o[k] as string;
}
function list(o: O, k: string, path: string): unknown[] {
  if (o[k] === undefined) return [];
  need(Array.isArray(o[k]), `${path}.${k}`, 'must be a list');
  return o[k] as unknown[];
}
function each<T>(o: O, k: string, path: string, f: (v: O, p: string) => T): T[] {
  return list(o, k, path).map((v, i) => {
    need(isObj(v), `${path}.${k}[${i}]`, 'must be an object');
    return f(v as O, `${path}.${k}[${i}]`);
  });
}

function span(v: O, p: string): Span {
  const s: Span = { from: num(v, 'from', p)!, to: num(v, 'to', p, true), everySec: num(v, 'everySec', p)! };
  need(s.everySec > 0, `${p}.everySec`, 'must be positive');
  need(s.to === undefined || s.to > s.from, `${p}.to`, 'must be after "from"');
  return s;
}

function service(v: unknown, p: string): EcsSim | CloudRunSim {
  need(isObj(v), p, 'required, an object with "platform": "ecs" or "cloud-run"');
  const o = v as O;
  if (o.platform === 'ecs') {
    return {
      platform: 'ecs',
      desired: num(o, 'desired', p)!,
      running: num(o, 'running', p)!,
      pending: num(o, 'pending', p, true) ?? 0,
      rolloutState: str(o, 'rolloutState', p, true) as EcsSim['rolloutState'],
      events: each(o, 'events', p, (e, ep) => ({ at: num(e, 'at', ep)!, message: str(e, 'message', ep)! })),
      stoppedTasks: each(o, 'stoppedTasks', p, (t, tp) => ({
        taskId: str(t, 'taskId', tp)!,
        at: num(t, 'at', tp)!,
        stoppedReason: str(t, 'stoppedReason', tp)!,
        stopCode: str(t, 'stopCode', tp, true),
        exitCode: num(t, 'exitCode', tp, true),
        containerReason: str(t, 'containerReason', tp, true),
      })),
      cpuPercent: num(o, 'cpuPercent', p, true),
      memoryPercent: num(o, 'memoryPercent', p, true),
    };
  }
  if (o.platform === 'cloud-run') {
    need(typeof o.ready === 'boolean', `${p}.ready`, 'required, true or false');
    return {
      platform: 'cloud-run',
      ready: o.ready as boolean,
      readyMessage: str(o, 'readyMessage', p, true),
      latestReadyRevision: str(o, 'latestReadyRevision', p)!,
      latestCreatedRevision: str(o, 'latestCreatedRevision', p)!,
      instanceCount: num(o, 'instanceCount', p)!,
      errors: each(o, 'errors', p, (e, ep) => ({ at: num(e, 'at', ep)!, message: str(e, 'message', ep)! })),
    };
  }
  throw new ScenarioError(`${p}.platform: required, "ecs" or "cloud-run" (got ${JSON.stringify(o.platform)})`);
}

const FAULT_APIS = ['axiom', 'ecs', 'sqs', 'cloudwatch', 'cloudwatch-logs', 'run', 'pubsub', 'monitoring', 'logging'];
const FAULT_KINDS = ['AccessDenied', 'NotFound', 'Throttled', 'ServerError'];

/** Validates a parsed scenario; the error names the bad field, e.g. `heartbeats[1].everySec: must be positive`. */
export function parseScenario(raw: unknown): Scenario {
  need(isObj(raw), 'scenario', 'must be a JSON object');
  const o = raw as O;
  const cloud = o.cloud;
  need(cloud === 'aws' || cloud === 'gcp', 'cloud', `required, "aws" or "gcp" (got ${JSON.stringify(cloud)})`);
  const svc = service(o.service, 'service');
  need((cloud === 'aws') === (svc.platform === 'ecs'), 'service.platform', `must be ${cloud === 'aws' ? '"ecs"' : '"cloud-run"'} for cloud ${cloud}`);
  need(isObj(o.restart), 'restart', 'required, an object {"recoversAfterSec": number | null}');
  const r = o.restart as O;
  need(r.recoversAfterSec === null || (typeof r.recoversAfterSec === 'number' && r.recoversAfterSec >= 0), 'restart.recoversAfterSec', 'required, a number of seconds or null (never recovers)');
  let expect: Scenario['expect'];
  if (o.expect !== undefined) {
    need(isObj(o.expect), 'expect', 'must be an object');
    const e = o.expect as O;
    need(e.answer === undefined || ['approve', 'reject', 'none'].includes(e.answer as string), 'expect.answer', 'must be approve, reject or none');
    expect = {
      answer: e.answer as 'approve' | 'reject' | 'none' | undefined,
      verdict: str(e, 'verdict', 'expect', true),
      outcome: str(e, 'outcome', 'expect', true),
      restarts: num(e, 'restarts', 'expect', true),
      rootCause: str(e, 'rootCause', 'expect', true),
    };
  }
  return {
    name: str(o, 'name', 'scenario')!,
    // An empty description is allowed, so a parsed scenario can be written out and read back.
    description: o.description === '' ? '' : str(o, 'description', 'scenario', true) ?? '',
    region: str(o, 'region', 'scenario')!,
    cloud: cloud as 'aws' | 'gcp',
    heartbeats: each(o, 'heartbeats', 'scenario', span).map((s) => s),
    jobTraces: each(o, 'jobTraces', 'scenario', span),
    queues: each(o, 'queues', 'scenario', (q, p) => ({
      name: str(q, 'name', p)!,
      backlog: num(q, 'backlog', p)!,
      backlogGrowthPerMin: num(q, 'backlogGrowthPerMin', p, true),
      inFlight: num(q, 'inFlight', p, true),
      delayed: num(q, 'delayed', p, true),
      oldestAgeSec: num(q, 'oldestAgeSec', p, true),
      consumedPerMin: num(q, 'consumedPerMin', p, true),
    })),
    service: svc,
    logs: each(o, 'logs', 'scenario', (l, p) => {
      const line: LogSim = { at: num(l, 'at', p)!, message: str(l, 'message', p)!, severity: str(l, 'severity', p, true) };
      if (l.repeat !== undefined) {
        need(isObj(l.repeat), `${p}.repeat`, 'must be an object {count, everySec}');
        const rep = l.repeat as O;
        line.repeat = { count: num(rep, 'count', `${p}.repeat`)!, everySec: num(rep, 'everySec', `${p}.repeat`)! };
      }
      return line;
    }),
    restart: { recoversAfterSec: r.recoversAfterSec as number | null },
    faults: each(o, 'faults', 'scenario', (f, p) => {
      need(FAULT_APIS.includes(f.api as string), `${p}.api`, `must be one of ${FAULT_APIS.join(', ')}`);
      need(FAULT_KINDS.includes(f.kind as string), `${p}.kind`, `must be one of ${FAULT_KINDS.join(', ')}`);
      return { api: f.api as FaultSim['api'], kind: f.kind as FaultSim['kind'], times: num(f, 'times', p, true) };
    }),
    expect,
  };
}
