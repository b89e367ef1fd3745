/**
 * The GCP implementations of the queue, service and log ports (Pub/Sub + Cloud Monitoring, Cloud Run,
 * Cloud Logging), built once by the worker from config. Run, Monitoring and Logging use the libraries'
 * REST transport, so `config.endpoints.run|monitoring|logging` can name any HTTP(S) server speaking the
 * Google REST APIs; unset, they reach Google. `config.endpoints.pubsub` names a Pub/Sub emulator.
 *
 * Credentials: Application Default Credentials unless `options.credentials` is given (any credentials
 * JSON the Google libraries accept). The simulated world passes a service-account key of its own whose
 * signed tokens its servers verify (see sim/servers/gcp.ts, `simGcpOptions`): only configuration differs.
 */
import type { AppConfig } from '../../config/schema';
import type { LogPort, QueuePort, ServicePort } from '../ports';
import { createCloudLogging } from './cloud-logging';
import { createCloudRunService } from './cloud-run';
import { createGcpClients, type GcpCredentials } from './gcp-client';
import { createMetricReader } from './monitoring';
import { createPubsubQueues } from './pubsub';

export type { GcpCredentials } from './gcp-client';
export { RESTART_TOKEN_ANNOTATION } from './cloud-run';

export interface GcpOptions {
  /** Credentials JSON (a service account key, an `external_account` config, …); absent means ADC. */
  credentials?: GcpCredentials;
  /** How long a restart waits for Cloud Run's rollout operation; default 4 minutes. */
  operationTimeoutMs?: number;
}

export interface GcpAdapters {
  queues: QueuePort;
  service: ServicePort;
  logs: LogPort;
  /** Closes the clients (Pub/Sub holds gRPC channels open). */
  close(): Promise<void>;
}

const DEFAULT_OPERATION_TIMEOUT_MS = 4 * 60_000;

/**
 * Builds the GCP ports. They serve only regions with `cloud: "gcp"` (any other is a BadConfig fault);
 * every call runs under `config.callTimeoutMs` with the libraries' own retries off.
 */
export function createGcpAdapters(config: AppConfig, options: GcpOptions = {}): GcpAdapters {
  const clients = createGcpClients(config, options.credentials);
  const metrics = createMetricReader(clients);
  const logs = createCloudLogging(clients);
  return {
    queues: createPubsubQueues(clients, metrics),
    service: createCloudRunService(clients, metrics, logs, {
      operationTimeoutMs: options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
    }),
    logs: { read: logs.read },
    close: () => clients.close(),
  };
}
