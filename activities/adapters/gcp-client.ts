/**
 * What the GCP adapters share: the Google client libraries built from config (REST transport, endpoint,
 * credentials), one bounded call wrapper, and the mapping of Google errors onto the runbook's fault types.
 */
import { Logging } from '@google-cloud/logging';
import { MetricServiceClient } from '@google-cloud/monitoring';
import { PubSub } from '@google-cloud/pubsub';
import { ServicesClient } from '@google-cloud/run';
import type { AppConfig, GcpProfile, RegionProfile } from '../../config/schema';
import { PermanentFault } from '../errors';

/**
 * Credentials JSON as every Google client library accepts it: a service account key, or an
 * `external_account` (workload identity federation) configuration. Absent means Application Default
 * Credentials, i.e. `GOOGLE_APPLICATION_CREDENTIALS`, gcloud's user credentials or the metadata server.
 */
export type GcpCredentials = NonNullable<ConstructorParameters<typeof ServicesClient>[0]>['credentials'];

/**
 * Per-call options for every gax call. `retryCodes: []` turns gax's own retries off: the activity retry
 * policy is the retry mechanism, and two layers of retries multiply into a retry storm. The timeout is
 * honoured by gRPC (Pub/Sub); the REST transport ignores it, hence `GcpClients.call`'s own deadline.
 */
export interface GaxCallOptions {
  timeout: number;
  retry: { retryCodes: number[] };
}

export interface GcpClients {
  run: ServicesClient;
  metrics: MetricServiceClient;
  /** Cloud Logging and Pub/Sub clients are bound to a project (the default for their requests). */
  logging(project: string): Logging;
  pubsub(project: string): PubSub;
  gaxOptions: GaxCallOptions;
  timeoutMs: number;
  /**
   * Runs one API call under `config.callTimeoutMs` (cancelling it when the deadline passes, where the
   * library allows) and maps its failure to a fault (see `gcpFault`).
   */
  call<T>(what: string, run: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A REST ("fallback") client pointed at `url`, or at the library's default Google host when unset. */
function restTransport(key: string, url: string | undefined) {
  // Always REST, also against Google: the transport that runs in production is the one the tests use.
  if (!url) return { fallback: true };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PermanentFault('BadConfig', `endpoints.${key}: ${JSON.stringify(url)} is not a URL (e.g. https://run.googleapis.com)`);
  }
  const protocol = parsed.protocol.replace(/:$/, '');
  if (protocol !== 'http' && protocol !== 'https') {
    throw new PermanentFault('BadConfig', `endpoints.${key}: must be an http(s) URL (got ${JSON.stringify(url)})`);
  }
  return {
    fallback: true,
    apiEndpoint: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : protocol === 'http' ? 80 : 443,
    protocol,
  };
}

function memo<C>(make: (key: string) => C): { get(key: string): C; all(): C[] } {
  const cache = new Map<string, C>();
  return {
    get(key) {
      let c = cache.get(key);
      if (!c) cache.set(key, (c = make(key)));
      return c;
    },
    all: () => [...cache.values()],
  };
}

/** Builds the clients once, pointed at `config.endpoints` where set. */
export function createGcpClients(config: AppConfig, credentials?: GcpCredentials): GcpClients {
  const timeoutMs = config.callTimeoutMs;
  const { endpoints } = config;
  // Node's built-in fetch for every request the auth clients make (API calls over REST included),
  // rather than gaxios' default of importing node-fetch on first use: one HTTP stack for all adapters,
  // and no dynamic ESM import at call time, which a CommonJS VM sandbox (Jest's) cannot perform. The
  // cost: token requests no longer follow HTTPS_PROXY (REST API calls never did: gax sets its own agent).
  const clientOptions = { transporterOptions: { fetchImplementation: fetch } };
  const run = new ServicesClient({ ...restTransport('run', endpoints.run), credentials, clientOptions });
  const metrics = new MetricServiceClient({ ...restTransport('monitoring', endpoints.monitoring), credentials, clientOptions });
  // @google-cloud/logging types its options with an older google-auth-library: same JSON, other types.
  type LoggingOptions = NonNullable<ConstructorParameters<typeof Logging>[0]>;
  const logging = memo(
    (projectId) =>
      new Logging({
        projectId,
        ...restTransport('logging', endpoints.logging),
        credentials: credentials as LoggingOptions['credentials'],
        clientOptions: clientOptions as LoggingOptions['clientOptions'],
      }),
  );
  // Pub/Sub speaks gRPC; a non-Google `apiEndpoint` (the emulator's host:port) puts the library in
  // emulator mode: plaintext and no credentials.
  const pubsub = memo((projectId) => new PubSub({ projectId, apiEndpoint: endpoints.pubsub, credentials, clientOptions }));
  return {
    run,
    metrics,
    logging: logging.get,
    pubsub: pubsub.get,
    gaxOptions: { timeout: timeoutMs, retry: { retryCodes: [] } },
    timeoutMs,
    async call(what, send) {
      let timer: NodeJS.Timeout | undefined;
      const pending = send();
      pending.catch(() => undefined);
      const deadline = new Error(`${what}: no answer within ${timeoutMs} ms`);
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // gax calls return a cancellable promise; cancelling aborts the HTTP request.
          (pending as { cancel?: () => void }).cancel?.();
          reject(deadline);
        }, timeoutMs);
      });
      try {
        return await Promise.race([pending, expired]);
      } catch (err) {
        throw err === deadline ? deadline : gcpFault(what, err);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await Promise.allSettled([
        run.close(),
        metrics.close(),
        ...pubsub.all().map((p) => p.close()),
      ]);
    },
  };
}

/** Narrows a region profile to GCP; the GCP adapters cannot serve an AWS region. */
export function gcpProfile(profile: RegionProfile): GcpProfile & RegionProfile {
  if (profile.cloud !== 'gcp') {
    throw new PermanentFault('BadConfig', `region ${profile.region} is a ${profile.cloud} region, not served by the GCP adapters`);
  }
  return profile;
}

/** `projects/P/subscriptions/S` or `S` (in the region's project) → both forms. */
export function subscriptionName(project: string, subscription: string): { id: string; project: string; path: string } {
  const m = /^projects\/([^/]+)\/subscriptions\/([^/]+)$/.exec(subscription);
  const [p, id] = m ? [m[1], m[2]] : [project, subscription];
  return { id, project: p, path: `projects/${p}/subscriptions/${id}` };
}

/** gRPC status codes (google.rpc.Code) and their names, as gax reports them. */
const Code = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  UNAUTHENTICATED: 16,
} as const;

interface GoogleErrorLike {
  code?: number | string;
  status?: number | string;
  message?: string;
  response?: { status?: number };
}

/** Google's REST error body, `{"error": {"code", "message", "status"}}`, when a message is one. */
function googleErrorBody(message: string | undefined): { message?: string; status?: string } | undefined {
  if (!message?.trimStart().startsWith('{')) return undefined;
  try {
    const body = JSON.parse(message) as { error?: { message?: unknown; status?: unknown } };
    if (!body.error) return undefined;
    return {
      message: typeof body.error.message === 'string' ? body.error.message : undefined,
      status: typeof body.error.status === 'string' ? body.error.status : undefined,
    };
  } catch {
    return undefined;
  }
}

/** Google error messages name resources, never secrets; bearer tokens are masked all the same. */
function safeMessage(message: string | undefined): string {
  if (!message) return '';
  return `: ${message.replace(/\b(ya29\.|Bearer\s+)[\w.-]+/g, '$1<token>').slice(0, 200)}`;
}

/**
 * Maps a client-library failure: 401/403 (UNAUTHENTICATED, PERMISSION_DENIED) → PermanentFault
 * AccessDenied, 404 (NOT_FOUND) → NotFound, 400 (INVALID_ARGUMENT) or no usable credentials → BadConfig
 * (all non-retryable); 429, 5xx, UNAVAILABLE, DEADLINE_EXCEEDED and network errors → a plain Error,
 * which the activity retry policy retries.
 *
 * Failures come in two shapes: gax errors with a gRPC `code` (Pub/Sub over gRPC, decoded REST errors),
 * and, for REST calls, the auth library's HTTP error (`status` = HTTP status, message = Google's JSON
 * error body), because it rejects non-2xx replies before gax decodes them.
 */
export function gcpFault(what: string, err: unknown): Error {
  if (err instanceof PermanentFault) return err;
  const e = (err ?? {}) as GoogleErrorLike;
  const body = googleErrorBody(e.message);
  const grpc = typeof e.code === 'number' && e.code < 100 ? e.code : undefined;
  const http =
    e.response?.status ?? (typeof e.status === 'number' ? e.status : typeof e.code === 'number' && e.code >= 100 ? e.code : undefined);
  const name = body?.status ?? (typeof e.status === 'string' ? e.status : undefined);
  const detail = [http !== undefined ? `HTTP ${http}` : undefined, grpc !== undefined ? `code ${grpc}` : undefined, name]
    .filter(Boolean)
    .join(' ') || String(e.code ?? 'error');
  const text = safeMessage(body?.message ?? e.message);
  const is = (code: number, status: number, statusName: string) => grpc === code || http === status || name === statusName;
  if (is(Code.PERMISSION_DENIED, 403, 'PERMISSION_DENIED') || is(Code.UNAUTHENTICATED, 401, 'UNAUTHENTICATED')) {
    return new PermanentFault('AccessDenied', `${what}: access denied (${detail})${text}`);
  }
  if (is(Code.NOT_FOUND, 404, 'NOT_FOUND')) {
    return new PermanentFault('NotFound', `${what}: not found (${detail})${text}`);
  }
  if (is(Code.INVALID_ARGUMENT, 400, 'INVALID_ARGUMENT')) {
    // A malformed request (e.g. a bad `logs.filter` in the config): the same request fails again.
    return new PermanentFault('BadConfig', `${what}: request rejected (${detail})${text}`);
  }
  if (/Could not load the default credentials|Unable to detect a Project Id/.test(e.message ?? '')) {
    return new PermanentFault('BadConfig', `${what}: no usable Google credentials${text}`);
  }
  return new Error(`${what}: failed (${detail})${text}`);
}
