/**
 * The simulated world's state: a scenario anchored at an alert time, plus what happened since (restarts).
 * Answers are "as of" a time, so the same question gives the same answer on replay. The wire servers in
 * sim/servers and the tests' in-memory ports both read from here, and every call is recorded.
 */
import type { CloudRunSim, EcsSim, FaultSim, Scenario, Span } from './scenario';

/** After a recovering restart, heartbeats and traces come every this many seconds. */
const RECOVERED_EVERY_SEC = 10;

export interface WorldCall {
  api: FaultSim['api'];
  op: string;
  /** Wall-clock time the call arrived (not world time). */
  receivedAt: string;
  detail?: string;
}

export interface WorldRestart {
  token: string;
  /** World time of the restart. */
  at: Date;
  reference: string;
}

export class WorldFault extends Error {
  constructor(
    readonly api: FaultSim['api'],
    readonly kind: FaultSim['kind'],
  ) {
    super(`${api}: simulated ${kind}`);
    this.name = 'WorldFault';
  }
}

function countSpans(spans: Span[], fromSec: number, toSec: number): { count: number; lastSec?: number } {
  let count = 0;
  let lastSec: number | undefined;
  for (const s of spans) {
    const lo = Math.max(s.from, fromSec);
    const hi = Math.min(s.to ?? Infinity, toSec);
    if (hi <= lo) continue;
    // Events at s.from + k*everySec that fall in [lo, hi).
    const first = Math.ceil((lo - s.from) / s.everySec);
    const last = Math.ceil((hi - s.from) / s.everySec) - 1;
    if (last < first) continue;
    count += last - first + 1;
    const t = s.from + last * s.everySec;
    lastSec = lastSec === undefined ? t : Math.max(lastSec, t);
  }
  return { count, lastSec };
}

export class World {
  readonly calls: WorldCall[] = [];
  readonly restarts: WorldRestart[] = [];
  private faultCounts = new Map<FaultSim, number>();
  /** Called after a restart is recorded, before the caller is answered (tests use it to crash a worker there). */
  onRestart?: (r: WorldRestart) => void;
  /** The latest world time any caller asked about; the clock for calls that carry no time. */
  private clock: Date;

  constructor(
    readonly scenario: Scenario,
    readonly alertAt: Date,
  ) {
    this.clock = alertAt;
  }

  /** Seconds since the alert. */
  rel(t: Date): number {
    return (t.getTime() - this.alertAt.getTime()) / 1000;
  }
  abs(sec: number): Date {
    return new Date(this.alertAt.getTime() + sec * 1000);
  }

  /** Moves the world clock forward to `t` (never back). */
  observe(t: Date): void {
    if (t.getTime() > this.clock.getTime()) this.clock = t;
  }
  now(): Date {
    return this.clock;
  }

  /** Records a call and throws the scenario's fault for that API, if any is still due. */
  call(api: FaultSim['api'], op: string, detail?: string): void {
    this.calls.push({ api, op, receivedAt: new Date().toISOString(), detail });
    for (const f of this.scenario.faults) {
      if (f.api !== api) continue;
      const n = this.faultCounts.get(f) ?? 0;
      if (f.times !== undefined && n >= f.times) continue;
      this.faultCounts.set(f, n + 1);
      throw new WorldFault(api, f.kind);
    }
  }

  callCount(api?: FaultSim['api'], op?: string): number {
    return this.calls.filter((c) => (!api || c.api === api) && (!op || c.op === op)).length;
  }

  /** World time (seconds after the alert) at which a restart brings the service back, if one does. */
  recoveredFromSec(): number | undefined {
    const after = this.scenario.restart.recoversAfterSec;
    if (after === null || this.restarts.length === 0) return undefined;
    return this.rel(this.restarts[0].at) + after;
  }

  isRecovered(at: Date): boolean {
    const from = this.recoveredFromSec();
    return from !== undefined && this.rel(at) >= from;
  }

  private withRecovery(spans: Span[]): Span[] {
    const from = this.recoveredFromSec();
    return from === undefined ? spans : [...spans, { from, everySec: RECOVERED_EVERY_SEC }];
  }

  private count(spans: Span[], from: Date, to: Date): { count: number; lastSeenAt?: string } {
    this.observe(to);
    const c = countSpans(this.withRecovery(spans), this.rel(from), this.rel(to));
    return { count: c.count, lastSeenAt: c.lastSec === undefined ? undefined : this.abs(c.lastSec).toISOString() };
  }

  /** Individual event times in [from, to), newest last, at most `limit` (for APIs that return rows). */
  private events(spans: Span[], from: Date, to: Date, limit: number): Date[] {
    this.observe(to);
    const out: number[] = [];
    const lo = this.rel(from);
    const hi = this.rel(to);
    for (const s of this.withRecovery(spans)) {
      for (let t = s.from + Math.max(0, Math.ceil((lo - s.from) / s.everySec)) * s.everySec; t < Math.min(hi, s.to ?? Infinity); t += s.everySec) {
        out.push(t);
      }
    }
    return out.sort((a, b) => a - b).slice(-limit).map((t) => this.abs(t));
  }

  heartbeats(from: Date, to: Date) {
    return this.count(this.scenario.heartbeats, from, to);
  }
  heartbeatTimes(from: Date, to: Date, limit = 1000): Date[] {
    return this.events(this.scenario.heartbeats, from, to, limit);
  }
  jobTraces(from: Date, to: Date) {
    return this.count(this.scenario.jobTraces, from, to);
  }
  jobTraceTimes(from: Date, to: Date, limit = 1000): Date[] {
    return this.events(this.scenario.jobTraces, from, to, limit);
  }

  /** Queue figures at `at`; after recovery the backlog drains and consumers are active. */
  queue(name: string, at: Date, lookbackSec: number) {
    const q = this.scenario.queues.find((x) => x.name === name);
    if (!q) return undefined;
    const recovered = this.isRecovered(at);
    const growth = recovered ? -(q.backlogGrowthPerMin ?? 0) : q.backlogGrowthPerMin ?? 0;
    const backlogAt = (sec: number) => Math.max(0, Math.round(q.backlog + (growth * sec) / 60));
    const nowSec = this.rel(at);
    const consumedPerMin = recovered ? Math.max(q.consumedPerMin ?? 0, 60) : q.consumedPerMin ?? 0;
    return {
      name: q.name,
      backlog: backlogAt(nowSec),
      backlogStart: backlogAt(nowSec - lookbackSec),
      inFlight: q.inFlight ?? 0,
      delayed: q.delayed ?? 0,
      oldestAgeSec: recovered ? 0 : (q.oldestAgeSec ?? 0) + Math.max(0, nowSec),
      consumed: Math.round((consumedPerMin * lookbackSec) / 60),
    };
  }

  /** Service state at `at`: the scenario's, or healthy once a restart recovered it. */
  ecs(at: Date): EcsSim | undefined {
    const s = this.scenario.service;
    if (s.platform !== 'ecs') return undefined;
    const stopped = (s.stoppedTasks ?? []).filter((t) => t.at <= this.rel(at));
    const events = (s.events ?? []).filter((e) => e.at <= this.rel(at));
    if (this.isRecovered(at)) {
      return { ...s, running: s.desired, pending: 0, rolloutState: 'COMPLETED', stoppedTasks: stopped, events, memoryPercent: 40, cpuPercent: 20 };
    }
    if (this.restarts.length) return { ...s, rolloutState: 'IN_PROGRESS', stoppedTasks: stopped, events };
    return { ...s, stoppedTasks: stopped, events };
  }

  cloudRun(at: Date): CloudRunSim | undefined {
    const s = this.scenario.service;
    if (s.platform !== 'cloud-run') return undefined;
    const errors = (s.errors ?? []).filter((e) => e.at <= this.rel(at));
    const latest = this.restarts.length ? this.restarts[this.restarts.length - 1].reference : s.latestCreatedRevision;
    if (this.isRecovered(at)) {
      return { ...s, ready: true, readyMessage: undefined, latestReadyRevision: latest, latestCreatedRevision: latest, instanceCount: Math.max(1, s.instanceCount), errors };
    }
    return { ...s, latestCreatedRevision: latest, errors };
  }

  /** Log lines in [from, to), oldest first. */
  logLines(from: Date, to: Date): { at: Date; message: string; severity: string }[] {
    const lo = this.rel(from);
    const hi = this.rel(to);
    const out: { at: Date; message: string; severity: string }[] = [];
    for (const l of this.scenario.logs) {
      const n = l.repeat?.count ?? 1;
      const every = l.repeat?.everySec ?? 0;
      for (let i = 0; i < n; i++) {
        const t = l.at + i * every;
        if (t >= lo && t < hi) out.push({ at: this.abs(t), message: l.message, severity: l.severity ?? 'ERROR' });
      }
    }
    return out.sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  /** Applies a restart once per token; a repeat with the same token returns the first. */
  restart(token: string, at: Date = this.clock): { restart: WorldRestart; alreadyApplied: boolean } {
    const existing = this.restarts.find((r) => r.token === token);
    if (existing) return { restart: existing, alreadyApplied: true };
    const n = this.restarts.length + 1;
    const reference =
      this.scenario.service.platform === 'ecs'
        ? `ecs-svc/${String(n).padStart(18, '0')}` // 1e18 + n would exceed Number precision
        : nextRevision(this.scenario.service.latestCreatedRevision, n);
    const r: WorldRestart = { token, at, reference };
    this.restarts.push(r);
    this.onRestart?.(r);
    return { restart: r, alreadyApplied: false };
  }
}

function nextRevision(latest: string, n: number): string {
  const m = /^(.*-)(\d+)(-[a-z0-9]+)?$/.exec(latest);
  if (!m) return `${latest}-r${n}`;
  return `${m[1]}${String(Number(m[2]) + n).padStart(m[2].length, '0')}-rst`;
}
