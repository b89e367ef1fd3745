/**
 * The simulated Google Cloud REST APIs the GCP adapters call, answering from the World:
 *
 *   GET   /v2/projects/{p}/locations/{l}/services/{s}      Cloud Run services.get
 *   PATCH /v2/projects/{p}/locations/{l}/services/{s}      Cloud Run services.patch → long-running operation
 *   GET   /v2/projects/{p}/locations/{l}/operations/{o}    Cloud Run operations.get
 *   GET   /v3/projects/{p}/timeSeries                      Cloud Monitoring projects.timeSeries.list
 *   POST  /v2/entries:list                                 Cloud Logging entries.list
 *
 * Every API call must carry a bearer token of the simulated service account (see `simGcpOptions`): a
 * JWT it signed itself, which is what the libraries send for a service-account key, checked against its
 * public key; or an access token from `POST /token`, the OAuth JWT-bearer exchange. Replies are the REST
 * JSON the libraries decode (enums as numbers when asked with `$alt=json;enum-encoding=int`, as Google
 * does); errors are Google's `{error:{code,message,status}}`. Every API call goes through `world.call`
 * first, so scripted faults surface as Google errors (403, 404, 429, 500).
 *
 * Cloud Run has no clock of its own in a request, so it answers as of `world.now()`, the latest time any
 * check asked about. Cloud Run's own errors (the scenario's `service.errors`) are entries of its system
 * log, so Cloud Logging returns them next to the app's lines, as it would.
 *
 * Not modelled: Cloud Run's reconciling phase (a rollout's operation completes at its first poll, and
 * the service is never `reconciling`); Monitoring aggregation (the world has one series per metric, so
 * the reduction is the identity); Logging's filter language beyond the clauses the adapter sends.
 */
import { generateKeyPairSync, randomUUID, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PubSub } from '@google-cloud/pubsub';
import type { GcpOptions } from '../../activities/adapters/gcp';
import { RESTART_TOKEN_ANNOTATION } from '../../activities/adapters/cloud-run';
import type { FaultSim } from '../scenario';
import { World, WorldFault } from '../world';
import { serveLocal, type SimServer } from './types';

/** A request the server received, for tests and reports (never the bearer token). */
export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
}

export type GcpServer = SimServer & { requests: RecordedRequest[] };

type Json = Record<string, unknown>;

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}

const FAULTS: Record<FaultSim['kind'], [number, string]> = {
  AccessDenied: [403, 'PERMISSION_DENIED'],
  NotFound: [404, 'NOT_FOUND'],
  Throttled: [429, 'RESOURCE_EXHAUSTED'],
  ServerError: [500, 'INTERNAL'],
};

const TOKEN_PATH = '/token';
const SERVICE_ACCOUNT = 'liveness-runbook@acme-sim.iam.gserviceaccount.com';
const KEY_ID = 'sim-key-1';

/** One throwaway key pair per process: the simulated service account's key. */
let simKey: { privateKey: string; publicKey: KeyObject } | undefined;
function serviceAccountKey() {
  if (!simKey) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    simKey = { privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: pair.publicKey };
  }
  return simKey;
}

/**
 * The `GcpOptions` that authenticate the adapters to this server: a service-account key, one of the
 * credential forms every Google client library accepts (production leaves it unset and uses ADC).
 * The key is generated for the simulation and its token URI is this server; nothing else differs.
 */
export function simGcpOptions(serverUrl: string): GcpOptions {
  return {
    credentials: {
      type: 'service_account',
      project_id: 'acme-sim',
      private_key_id: KEY_ID,
      private_key: serviceAccountKey().privateKey,
      client_email: SERVICE_ACCOUNT,
      client_id: '100000000000000000001',
      token_uri: `${serverUrl}${TOKEN_PATH}`,
      universe_domain: 'googleapis.com',
    } as GcpOptions['credentials'],
  };
}

// ---- enums: names, or their numbers when the client asks for `enum-encoding=int` ----

const ENUMS: Record<string, number> = {
  // google.cloud.run.v2.Condition.State / Severity
  CONDITION_PENDING: 1,
  CONDITION_RECONCILING: 2,
  CONDITION_FAILED: 3,
  CONDITION_SUCCEEDED: 4,
  ERROR: 1,
  // google.cloud.run.v2.TrafficTargetAllocationType
  TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST: 1,
  // google.api.MetricDescriptor.MetricKind / ValueType
  GAUGE: 1,
  DELTA: 2,
  INT64: 2,
};

/** google.logging.type.LogSeverity. */
const SEVERITY: Record<string, number> = {
  DEFAULT: 0,
  DEBUG: 100,
  INFO: 200,
  NOTICE: 300,
  WARNING: 400,
  ERROR: 500,
  CRITICAL: 600,
  ALERT: 700,
  EMERGENCY: 800,
};
const SEVERITY_ALIASES: Record<string, string> = { WARN: 'WARNING', FATAL: 'CRITICAL' };

function severityName(s: string | undefined): string {
  const upper = (s ?? 'ERROR').toUpperCase();
  const name = SEVERITY_ALIASES[upper] ?? upper;
  return name in SEVERITY ? name : 'DEFAULT';
}

// ---- request plumbing ----

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function jsonBody(text: string): Json {
  try {
    const v = JSON.parse(text || '{}');
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Json;
  } catch {
    // fall through
  }
  throw new HttpError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function fromWorld(err: unknown): never {
  if (err instanceof WorldFault) {
    const [code, status] = FAULTS[err.kind];
    throw new HttpError(code, status, `${err.message} (scenario fault)`);
  }
  throw err;
}

/** Records the call in the world; a scripted fault becomes the Google error for it. */
function callWorld(world: World, api: FaultSim['api'], op: string, detail?: string): void {
  try {
    world.call(api, op, detail);
  } catch (err) {
    fromWorld(err);
  }
}

function timestampParam(value: string | null, what: string): Date {
  const t = value ? new Date(value) : undefined;
  if (!t || Number.isNaN(t.getTime())) throw new HttpError(400, 'INVALID_ARGUMENT', `${what}: required, an RFC 3339 timestamp`);
  return t;
}

// ---- Cloud Run ----

interface RunContext {
  world: World;
  ints: boolean;
  /** Long-running operations by name: what `operations.get` answers once done. */
  operations: Map<string, { service: Json; error?: { code: number; message: string } }>;
}

function enumValue(ctx: { ints: boolean }, name: string): string | number {
  return ctx.ints ? ENUMS[name] : name;
}

function serviceJson(ctx: RunContext, name: string): Json {
  const { world } = ctx;
  const s = world.cloudRun(world.now());
  if (!s) throw new HttpError(404, 'NOT_FOUND', `Resource '${name}' does not exist (the scenario has no Cloud Run service).`);
  const last = world.restarts[world.restarts.length - 1];
  const revision = (r: string) => `${name}/revisions/${r}`;
  const state = s.ready ? 'CONDITION_SUCCEEDED' : 'CONDITION_FAILED';
  const changed = (last?.at ?? world.abs(-86_400)).toISOString();
  const condition = (type: string) => ({
    type,
    state: enumValue(ctx, state),
    message: s.ready ? '' : s.readyMessage ?? '',
    lastTransitionTime: changed,
    ...(s.ready ? {} : { severity: enumValue(ctx, 'ERROR') }),
  });
  return {
    name,
    uid: '6f9b4c1e-0000-4000-8000-000000000001',
    generation: String(1 + world.restarts.length),
    createTime: world.abs(-30 * 86_400).toISOString(),
    updateTime: changed,
    template: {
      annotations: last ? { [RESTART_TOKEN_ANNOTATION]: last.token } : {},
      containers: [{ name: 'app', image: 'europe-docker.pkg.dev/acme/app/backend:stable' }],
      maxInstanceRequestConcurrency: 80,
    },
    traffic: [{ type: enumValue(ctx, 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'), percent: 100 }],
    observedGeneration: String(1 + world.restarts.length),
    terminalCondition: condition('Ready'),
    conditions: [condition('RoutesReady'), condition('ConfigurationsReady')],
    latestReadyRevision: revision(s.latestReadyRevision),
    latestCreatedRevision: revision(s.latestCreatedRevision),
    reconciling: false,
    etag: `"${world.restarts.length}"`,
  };
}

function operationJson(name: string, service: Json, done: boolean, error?: { code: number; message: string }): Json {
  const any = { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', ...service };
  return {
    name,
    metadata: any,
    done,
    ...(done ? (error ? { error } : { response: any }) : {}),
  };
}

/** Cloud Run's resource names: the location must be the scenario's region, else there is no such service. */
function checkLocation(world: World, location: string, name: string): void {
  if (location !== world.scenario.region) {
    throw new HttpError(404, 'NOT_FOUND', `Resource '${name}' of kind 'SERVICE' in region '${location}' does not exist.`);
  }
}

async function runApi(ctx: RunContext, req: IncomingMessage, path: string): Promise<Json | undefined> {
  const svc = /^\/v2\/(projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/:]+))$/.exec(path);
  if (svc && req.method === 'GET') {
    callWorld(ctx.world, 'run', 'getService', svc[1]);
    checkLocation(ctx.world, svc[3], svc[1]);
    return serviceJson(ctx, svc[1]);
  }
  if (svc && req.method === 'PATCH') {
    const update = jsonBody(await body(req));
    callWorld(ctx.world, 'run', 'updateService', svc[1]);
    checkLocation(ctx.world, svc[3], svc[1]);
    const etag = serviceJson(ctx, svc[1]).etag;
    if (update.etag && update.etag !== etag) {
      // Optimistic concurrency, as Cloud Run does it: the service changed since it was read.
      throw new HttpError(409, 'ABORTED', `etag ${String(update.etag)} does not match the service's current etag ${String(etag)}.`);
    }
    const template = (update.template ?? {}) as { annotations?: Record<string, string> };
    // Any template change rolls a revision; the token makes the world's restart idempotent.
    const token = template.annotations?.[RESTART_TOKEN_ANNOTATION] ?? `untokened-${randomUUID()}`;
    ctx.world.restart(token, ctx.world.now());
    const service = serviceJson(ctx, svc[1]);
    const opName = `projects/${svc[2]}/locations/${svc[3]}/operations/${randomUUID()}`;
    const error =
      ctx.world.scenario.restart.recoversAfterSec === null
        ? { code: 9, message: `Revision '${(service.latestCreatedRevision as string).split('/').pop()}' is not ready and cannot serve traffic.` }
        : undefined;
    ctx.operations.set(opName, { service, error });
    return operationJson(opName, service, false);
  }
  const op = /^\/v2\/(projects\/[^/]+\/locations\/[^/]+\/operations\/[^/:]+)$/.exec(path);
  if (op && req.method === 'GET') {
    callWorld(ctx.world, 'run', 'getOperation', op[1]);
    const known = ctx.operations.get(op[1]);
    if (!known) throw new HttpError(404, 'NOT_FOUND', `Operation '${op[1]}' not found.`);
    return operationJson(op[1], known.service, true, known.error);
  }
  return undefined;
}

// ---- Cloud Monitoring ----

interface Series {
  metricType: string;
  kind: 'GAUGE' | 'DELTA';
  resource: { type: string; labels: Record<string, string> };
  /** Points oldest first: interval [start, end] (start only for DELTA) and value. */
  points: { start?: Date; end: Date; value: number }[];
}

const STEP_SEC = 60;

/** Sample ends from `to` back to `from` every minute, plus `from` itself, oldest first. */
function sampleEnds(from: Date, to: Date): Date[] {
  const ends: Date[] = [];
  for (let t = to.getTime(); t > from.getTime(); t -= STEP_SEC * 1000) ends.push(new Date(t));
  ends.push(from);
  return ends.reverse();
}

function label(filter: string, key: string): string | undefined {
  return new RegExp(`${key.replace(/\./g, '\\.')}\\s*=\\s*"([^"]*)"`).exec(filter)?.[1];
}

function subscriptionSeries(world: World, project: string, metricType: string, id: string, from: Date, to: Date): Series[] {
  const resource = { type: 'pubsub_subscription', labels: { project_id: project, subscription_id: id } };
  const lookback = (t: Date) => (to.getTime() - t.getTime()) / 1000;
  // Every figure is read as of `to` with a look-back, so the series agrees with world.queue(…, to, …).
  const at = (t: Date) => world.queue(id, to, lookback(t));
  if (!at(to)) return [];
  const ends = sampleEnds(from, to);
  if (metricType.endsWith('/num_undelivered_messages')) {
    return [{ metricType, kind: 'GAUGE', resource, points: ends.map((end) => ({ end, value: at(end)!.backlogStart })) }];
  }
  if (metricType.endsWith('/oldest_unacked_message_age')) {
    return [{ metricType, kind: 'GAUGE', resource, points: ends.map((end) => ({ end, value: world.queue(id, end, 0)!.oldestAgeSec })) }];
  }
  if (metricType.endsWith('/ack_message_count')) {
    // DELTA points per interval; Pub/Sub writes none for an interval without acks.
    const points = ends.slice(1).map((end, i) => ({
      start: ends[i],
      end,
      value: at(ends[i])!.consumed - at(end)!.consumed,
    }));
    return [{ metricType, kind: 'DELTA', resource, points: points.filter((p) => p.value > 0) }];
  }
  return [];
}

function runInstanceSeries(world: World, project: string, metricType: string, filter: string, from: Date, to: Date): Series[] {
  const location = label(filter, 'resource.labels.location');
  if (!world.cloudRun(to) || (location !== undefined && location !== world.scenario.region)) return [];
  const resource = {
    type: 'cloud_run_revision',
    labels: { project_id: project, location: world.scenario.region, service_name: label(filter, 'resource.labels.service_name') ?? '' },
  };
  const points = sampleEnds(from, to).map((end) => ({ end, value: world.cloudRun(end)!.instanceCount }));
  return [{ metricType, kind: 'GAUGE', resource, points }];
}

function seriesJson(ctx: { ints: boolean }, s: Series): Json {
  return {
    metric: { type: s.metricType, labels: {} },
    resource: s.resource,
    metricKind: enumValue(ctx, s.kind),
    valueType: enumValue(ctx, 'INT64'),
    // Monitoring answers newest first; INT64 travels as a decimal string.
    points: [...s.points].reverse().map((p) => ({
      interval: { ...(p.start ? { startTime: p.start.toISOString() } : {}), endTime: p.end.toISOString() },
      value: { int64Value: String(p.value) },
    })),
  };
}

function monitoringApi(world: World, ints: boolean, method: string | undefined, path: string, query: URLSearchParams): Json | undefined {
  const m = /^\/v3\/projects\/([^/]+)\/timeSeries$/.exec(path);
  if (!m || method !== 'GET') return undefined;
  const filter = query.get('filter') ?? '';
  const metricType = label(filter, 'metric.type');
  callWorld(world, 'monitoring', 'listTimeSeries', metricType);
  if (!metricType) throw new HttpError(400, 'INVALID_ARGUMENT', 'Field filter had an invalid value: a metric.type is required.');
  const to = timestampParam(query.get('interval.endTime'), 'interval.endTime');
  const from = query.get('interval.startTime') ? timestampParam(query.get('interval.startTime'), 'interval.startTime') : to;
  world.observe(to);
  let series: Series[] = [];
  if (metricType.startsWith('pubsub.googleapis.com/subscription/')) {
    const id = label(filter, 'resource.labels.subscription_id');
    series = id ? subscriptionSeries(world, m[1], metricType, id, from, to) : [];
  } else if (metricType === 'run.googleapis.com/container/instance_count') {
    series = runInstanceSeries(world, m[1], metricType, filter, from, to);
  }
  const nonEmpty = series.filter((s) => s.points.length > 0);
  return nonEmpty.length ? { timeSeries: nonEmpty.map((s) => seriesJson({ ints }, s)), unit: '' } : {};
}

// ---- Cloud Logging ----

const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 50;

interface SimEntry {
  at: Date;
  message: string;
  severity: string;
  /** Cloud Run's own system messages are text; the app logs structured JSON. */
  system: boolean;
}

function loggingApi(world: World, ints: boolean, request: Json): Json {
  callWorld(world, 'logging', 'listLogEntries', typeof request.filter === 'string' ? request.filter : undefined);
  const filter = typeof request.filter === 'string' ? request.filter : '';
  const names = Array.isArray(request.resourceNames) ? (request.resourceNames as string[]) : [];
  const project = /^projects\/([^/]+)$/.exec(names[0] ?? '')?.[1];
  if (!project) throw new HttpError(400, 'INVALID_ARGUMENT', 'resourceNames: required, e.g. ["projects/my-project"]');
  const from = timestampParam(/timestamp\s*>=\s*"([^"]+)"/.exec(filter)?.[1] ?? null, 'filter timestamp>=');
  const to = timestampParam(/timestamp\s*<\s*"([^"]+)"/.exec(filter)?.[1] ?? null, 'filter timestamp<');
  world.observe(to);
  const minSeverity = SEVERITY[severityName(/severity\s*>=\s*"?([A-Z]+)"?/.exec(filter)?.[1] ?? 'DEFAULT')];
  const service = label(filter, 'resource.labels.service_name') ?? 'service';
  const location = label(filter, 'resource.labels.location');
  const s = world.cloudRun(to);
  if (location !== undefined && location !== world.scenario.region) return {};

  // Cloud Run's errors (the scenario's service.errors) are log entries too, in its system log.
  const entries: SimEntry[] = [
    ...world.logLines(from, to).map((l) => ({ at: l.at, message: l.message, severity: severityName(l.severity), system: false })),
    ...(s?.errors ?? [])
      .map((e) => ({ at: world.abs(e.at), message: e.message, severity: 'ERROR', system: true }))
      .filter((e) => e.at >= from && e.at < to),
  ]
    .filter((e) => SEVERITY[e.severity] >= minSeverity)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  if (request.orderBy === 'timestamp desc') entries.reverse();

  const pageSize = Math.min(Number(request.pageSize) || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const offset = request.pageToken ? Number(Buffer.from(String(request.pageToken), 'base64url').toString()) || 0 : 0;
  const page = entries.slice(offset, offset + pageSize);
  const revision = s?.latestCreatedRevision ?? `${service}-00001-sim`;
  return {
    entries: page.map((e, i) => ({
      logName: `projects/${project}/logs/run.googleapis.com%2F${e.system ? 'varlog%2Fsystem' : 'stdout'}`,
      resource: {
        type: 'cloud_run_revision',
        labels: { project_id: project, service_name: service, revision_name: revision, location: world.scenario.region, configuration_name: service },
      },
      timestamp: e.at.toISOString(),
      receiveTimestamp: new Date(e.at.getTime() + 200).toISOString(),
      severity: ints ? SEVERITY[e.severity] : e.severity,
      insertId: `sim${offset + i}`,
      ...(e.system ? { textPayload: e.message } : { jsonPayload: { message: e.message, severity: e.severity } }),
    })),
    ...(offset + pageSize < entries.length ? { nextPageToken: Buffer.from(String(offset + pageSize)).toString('base64url') } : {}),
  };
}

// ---- auth ----

function b64json(part: string): Json | undefined {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Json;
  } catch {
    return undefined;
  }
}

/** A JWT signed by the simulated service account's key, unexpired: the claims, else undefined. */
function verifiedJwt(token: string): Json | undefined {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return undefined;
  const h = b64json(header);
  if (h?.alg !== 'RS256') return undefined;
  const ok = verify('sha256', Buffer.from(`${header}.${payload}`), serviceAccountKey().publicKey, Buffer.from(signature, 'base64url'));
  const claims = b64json(payload);
  if (!ok || !claims || claims.iss !== SERVICE_ACCOUNT) return undefined;
  return typeof claims.exp === 'number' && claims.exp * 1000 > Date.now() ? claims : undefined;
}

/** OAuth 2 JWT-bearer grant (RFC 7523): a signed assertion for an access token. */
async function tokenExchange(req: IncomingMessage, issued: Set<string>): Promise<Json> {
  const form = new URLSearchParams(await body(req));
  const assertion = form.get('assertion');
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || !assertion || !verifiedJwt(assertion)) {
    throw new HttpError(400, 'INVALID_ARGUMENT', 'invalid_grant: the assertion was not accepted');
  }
  const token = `sim-access-${randomUUID()}`;
  issued.add(token);
  return { access_token: token, token_type: 'Bearer', expires_in: 3600 };
}

/** Starts the simulated Google APIs on 127.0.0.1 (a free port). */
export async function startGcpServer(world: World): Promise<GcpServer> {
  const requests: RecordedRequest[] = [];
  const issued = new Set<string>();
  const operations: RunContext['operations'] = new Map();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = decodeURIComponent(url.pathname);
    if (path === TOKEN_PATH && req.method === 'POST') {
      send(res, 200, await tokenExchange(req, issued));
      return 200;
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !(issued.has(bearer) || verifiedJwt(bearer))) {
      throw new HttpError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    }
    const ints = (url.searchParams.get('$alt') ?? '').includes('enum-encoding=int');
    let reply: Json | undefined;
    if (path.startsWith('/v2/projects/')) reply = await runApi({ world, ints, operations }, req, path);
    else if (path.startsWith('/v3/')) reply = monitoringApi(world, ints, req.method, path, url.searchParams);
    else if (path === '/v2/entries:list' && req.method === 'POST') reply = loggingApi(world, ints, jsonBody(await body(req)));
    if (!reply) throw new HttpError(404, 'NOT_FOUND', `The simulated Google APIs do not serve ${req.method} ${path}.`);
    send(res, 200, reply);
    return 200;
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    handle(req, res)
      .then((status) => requests.push({ method: req.method ?? '?', path, status }))
      .catch((err: unknown) => {
        const e = err instanceof HttpError ? err : new HttpError(500, 'INTERNAL', `simulator error: ${(err as Error).message}`);
        requests.push({ method: req.method ?? '?', path, status: e.code });
        if (!res.headersSent) send(res, e.code, { error: { code: e.code, message: e.message, status: e.status } });
        else res.end();
      });
  });
  return { ...(await serveLocal(server)), requests };
}

/**
 * Creates, in the emulator, one topic and one subscription per scenario queue (subscription id = queue
 * name), so the Pub/Sub adapter finds them; existing ones are kept.
 */
export async function seedPubsub(world: World, emulatorHost: string, project: string): Promise<void> {
  // The emulator takes no credentials; naming the universe keeps the library from probing for ADC.
  const pubsub = new PubSub({ projectId: project, apiEndpoint: emulatorHost, emulatorMode: true, universeDomain: 'googleapis.com' });
  const exists = (err: unknown) => (err as { code?: number }).code === 6; // ALREADY_EXISTS
  try {
    for (const q of world.scenario.queues) {
      const topic = pubsub.topic(`${q.name}-topic`);
      await topic.create().catch((err) => {
        if (!exists(err)) throw err;
      });
      await topic.createSubscription(q.name, { ackDeadlineSeconds: 60 }).catch((err) => {
        if (!exists(err)) throw err;
      });
    }
  } finally {
    await pubsub.close();
  }
}
