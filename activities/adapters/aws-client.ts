/**
 * What the AWS adapters share: one set of SDK clients per AWS region, built from config (endpoint,
 * credentials, bounded retries, timeouts), and the mapping of SDK errors onto the runbook's fault types.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AppConfig, AwsProfile, RegionProfile } from '../../config/schema';
import { PermanentFault } from '../errors';

/** Static credentials or a provider; absent means the SDK's default provider chain. */
export type AwsCredentials = ECSClientConfig['credentials'];

/**
 * The SDK's own retries stay small: the activity retry policy is the retry mechanism, and two layers
 * of generous retries multiply into a retry storm against a throttling API.
 */
const MAX_ATTEMPTS = 2;

export interface AwsClients {
  ecs(region: string): ECSClient;
  sqs(region: string): SQSClient;
  cloudwatch(region: string): CloudWatchClient;
  logs(region: string): CloudWatchLogsClient;
  /** Runs one SDK call under the per-call timeout, mapping its failure to a fault (see `awsFault`). */
  call<T>(what: string, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T>;
}

/** Builds clients lazily, once per AWS region and service, pointed at `config.endpoints` when set. */
export function createAwsClients(config: AppConfig, credentials?: AwsCredentials): AwsClients {
  const timeoutMs = config.callTimeoutMs;
  const base = (region: string, endpoint: string | undefined) => ({
    region,
    endpoint,
    credentials,
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
  });
  const perRegion = <C>(make: (region: string) => C) => {
    const cache = new Map<string, C>();
    return (region: string): C => {
      let client = cache.get(region);
      if (!client) cache.set(region, (client = make(region)));
      return client;
    };
  };
  return {
    ecs: perRegion((r) => new ECSClient(base(r, config.endpoints.ecs))),
    sqs: perRegion((r) => new SQSClient(base(r, config.endpoints.sqs))),
    cloudwatch: perRegion((r) => new CloudWatchClient(base(r, config.endpoints.cloudwatch))),
    logs: perRegion((r) => new CloudWatchLogsClient(base(r, config.endpoints.cloudwatchLogs))),
    async call(what, send) {
      // The abort signal bounds the whole call, SDK retries and back-off included.
      try {
        return await send(AbortSignal.timeout(timeoutMs));
      } catch (err) {
        throw awsFault(what, err, timeoutMs);
      }
    },
  };
}

/** Narrows a region profile to AWS; the AWS adapters cannot serve a GCP region. */
export function awsProfile(profile: RegionProfile): AwsProfile & RegionProfile {
  if (profile.cloud !== 'aws') {
    throw new PermanentFault('BadConfig', `region ${profile.region} is a ${profile.cloud} region, not served by the AWS adapters`);
  }
  return profile;
}

const ACCESS_DENIED = /^(AccessDenied|UnauthorizedOperation|UnrecognizedClient|InvalidClientTokenId|ExpiredToken|InvalidSignature|SignatureDoesNotMatch|MissingAuthenticationToken|IncompleteSignature|NotAuthorized)/;
const NOT_FOUND = /^(ClusterNotFound|ServiceNotFound|QueueDoesNotExist|AWS\.SimpleQueueService\.NonExistentQueue|ResourceNotFound|TargetNotFound)/;
/** Requests AWS rejects as malformed: retrying the same request cannot help, the config must change. */
const BAD_REQUEST = /^(ValidationException|ValidationError|InvalidParameter|MissingParameter|InvalidAddress|InvalidClusterArn|ClientException|InvalidParameterCombination)/;

interface SdkErrorLike {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** AWS error messages can quote ARNs, never secrets; access key IDs are masked all the same. */
function safeMessage(message: string | undefined): string {
  if (!message) return '';
  return `: ${message.replace(/\b(AKIA|ASIA)[A-Z0-9]{12,}\b/g, '<access-key>').slice(0, 200)}`;
}

/**
 * Maps an SDK failure: denied → PermanentFault AccessDenied, missing → NotFound, malformed → BadConfig
 * (all non-retryable); throttling, 5xx, timeouts and network errors → a plain Error, which the activity
 * retry policy retries.
 */
export function awsFault(what: string, err: unknown, timeoutMs: number): Error {
  const e = (err ?? {}) as SdkErrorLike;
  const name = e.name ?? 'Error';
  // Query-compatible services (SQS, CloudWatch) also carry the legacy query error code.
  const codes = [name, e.Code ?? ''];
  const status = e.$metadata?.httpStatusCode;
  const detail = `${name}${status ? `, HTTP ${status}` : ''}`;
  if (name === 'AbortError' || name === 'TimeoutError') {
    return new Error(`${what}: no answer within ${timeoutMs} ms (${name})`);
  }
  if (codes.some((c) => ACCESS_DENIED.test(c)) || status === 401 || status === 403) {
    return new PermanentFault('AccessDenied', `${what}: access denied (${detail})${safeMessage(e.message)}`);
  }
  if (codes.some((c) => NOT_FOUND.test(c)) || status === 404) {
    return new PermanentFault('NotFound', `${what}: not found (${detail})${safeMessage(e.message)}`);
  }
  if (codes.some((c) => BAD_REQUEST.test(c))) {
    return new PermanentFault('BadConfig', `${what}: request rejected (${detail})${safeMessage(e.message)}`);
  }
  return new Error(`${what}: failed (${detail})${safeMessage(e.message)}`);
}
