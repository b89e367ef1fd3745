/**
 * The AWS implementations of the queue, service and log ports (SQS, ECS, CloudWatch, CloudWatch Logs),
 * built once by the worker from config. Tests point them at local servers through `config.endpoints`
 * and static credentials; nothing else differs from production.
 */
import type { AppConfig } from '../../config/schema';
import type { LogPort, QueuePort, ServicePort } from '../ports';
import { createAwsClients, type AwsCredentials } from './aws-client';
import { createCloudWatchLogs } from './cloudwatch-logs';
import { createEcsService } from './ecs';
import { createSqsQueues } from './sqs';

export type { AwsCredentials } from './aws-client';

export interface AwsAdapterOptions {
  /** Static credentials or a provider; absent means the SDK's default provider chain (env, profile, role). */
  credentials?: AwsCredentials;
}

export interface AwsAdapters {
  queues: QueuePort;
  service: ServicePort;
  logs: LogPort;
}

/**
 * Builds the AWS ports. They serve only regions with `cloud: "aws"` (any other is a BadConfig fault);
 * each SDK client is created once per AWS region, with at most 2 attempts and `config.callTimeoutMs`
 * on every call.
 */
export function createAwsAdapters(config: AppConfig, options: AwsAdapterOptions = {}): AwsAdapters {
  const clients = createAwsClients(config, options.credentials);
  return {
    queues: createSqsQueues(clients),
    service: createEcsService(clients),
    logs: createCloudWatchLogs(clients),
  };
}
