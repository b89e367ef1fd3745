/**
 * The SQS queue port: the queue's live attributes (visible, in flight, delayed) and its CloudWatch
 * metrics over the look-back window (age of oldest message, consumption, backlog trend).
 */
import { GetQueueAttributesCommand, type QueueAttributeName } from '@aws-sdk/client-sqs';
import type { RegionProfile } from '../../config/schema';
import { PermanentFault } from '../errors';
import type { QueuePort, QueueReading } from '../ports';
import { awsProfile, type AwsClients } from './aws-client';
import { latest, metricSeries, total } from './cloudwatch';

const ATTRIBUTES: QueueAttributeName[] = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
];

/** A queue URL's last path segment is the queue name (`https://sqs.<region>.amazonaws.com/<account>/<name>`). */
export function queueNameOf(queueUrl: string): string {
  let name: string | undefined;
  try {
    name = new URL(queueUrl).pathname.split('/').filter(Boolean).pop();
  } catch {
    name = undefined;
  }
  if (!name) throw new PermanentFault('BadConfig', `SQS queue URL ${JSON.stringify(queueUrl)} is not a URL ending in a queue name`);
  return name;
}

function count(attributes: Record<string, string> | undefined, key: QueueAttributeName): number | undefined {
  const v = attributes?.[key];
  return v === undefined ? undefined : Number(v);
}

export function createSqsQueues(clients: AwsClients): QueuePort {
  async function inspectOne(region: string, queueUrl: string, asOf: Date, lookbackSec: number): Promise<QueueReading> {
    const name = queueNameOf(queueUrl);
    const dims = { QueueName: name };
    const [attrs, series] = await Promise.all([
      clients.call(`SQS GetQueueAttributes ${name}`, (abortSignal) =>
        clients.sqs(region).send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ATTRIBUTES }), { abortSignal }),
      ),
      metricSeries(
        clients,
        region,
        [
          { id: 'age', namespace: 'AWS/SQS', metric: 'ApproximateAgeOfOldestMessage', dimensions: dims, stat: 'Maximum' },
          { id: 'received', namespace: 'AWS/SQS', metric: 'NumberOfMessagesReceived', dimensions: dims, stat: 'Sum' },
          { id: 'deleted', namespace: 'AWS/SQS', metric: 'NumberOfMessagesDeleted', dimensions: dims, stat: 'Sum' },
          { id: 'visible', namespace: 'AWS/SQS', metric: 'ApproximateNumberOfMessagesVisible', dimensions: dims, stat: 'Average' },
        ],
        new Date(asOf.getTime() - lookbackSec * 1000),
        asOf,
      ),
    ]);
    const visible = series.get('visible') ?? [];
    return {
      name,
      kind: 'sqs',
      backlog: count(attrs.Attributes, 'ApproximateNumberOfMessages') ?? 0,
      inFlight: count(attrs.Attributes, 'ApproximateNumberOfMessagesNotVisible'),
      delayed: count(attrs.Attributes, 'ApproximateNumberOfMessagesDelayed'),
      oldestAgeSec: latest(series.get('age')),
      // Deleted is what a consumer finished; received also counts redeliveries of messages that then failed.
      consumed: total(series.get('deleted')) ?? total(series.get('received')),
      backlogDelta: visible.length >= 2 ? Math.round(visible[visible.length - 1].value - visible[0].value) : undefined,
    };
  }

  return {
    async inspect(profile: RegionProfile, asOf: Date, lookbackSec: number): Promise<QueueReading[]> {
      const aws = awsProfile(profile);
      return Promise.all(aws.sqs.queueUrls.map((url) => inspectOne(aws.awsRegion, url, asOf, lookbackSec)));
    },
  };
}
