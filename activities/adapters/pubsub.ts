/**
 * The Pub/Sub queue port: for each configured subscription, that it exists (Pub/Sub API) and its
 * backlog, oldest unacked message and acknowledgements over the look-back window (Cloud Monitoring).
 * Pub/Sub itself has no backlog figure; Monitoring is where Google publishes it.
 */
import type { RegionProfile } from '../../config/schema';
import type { QueuePort, QueueReading } from '../ports';
import { gcpProfile, subscriptionName, type GcpClients } from './gcp-client';
import { METRICS, earliest, latest, total, type MetricReader } from './monitoring';

function subscriptionFilter(metric: string, id: string): string {
  return `metric.type = "${metric}" AND resource.type = "pubsub_subscription" AND resource.labels.subscription_id = "${id}"`;
}

export function createPubsubQueues(clients: GcpClients, metrics: MetricReader): QueuePort {
  async function inspectOne(project: string, configured: string, asOf: Date, lookbackSec: number): Promise<QueueReading> {
    const sub = subscriptionName(project, configured);
    // Existence first: a missing subscription is a config error, not an empty queue.
    await clients.call(`pubsub.getSubscription ${sub.path}`, () =>
      clients.pubsub(sub.project).subscription(sub.path).getMetadata(clients.gaxOptions),
    );
    const window = { project: sub.project, from: new Date(asOf.getTime() - lookbackSec * 1000), to: asOf };
    const read = (metric: string) =>
      metrics.series(`monitoring.listTimeSeries ${metric.split('/').pop()} ${sub.id}`, {
        ...window,
        filter: subscriptionFilter(metric, sub.id),
      });
    const [undelivered, age, acked] = await Promise.all([
      read(METRICS.undelivered),
      read(METRICS.oldestUnackedAge),
      read(METRICS.acked),
    ]);
    const now = latest(undelivered);
    const start = earliest(undelivered);
    return {
      name: sub.id,
      kind: 'pubsub',
      backlog: now?.value ?? 0,
      backlogDelta: now && start && now.at > start.at ? now.value - start.value : undefined,
      oldestAgeSec: latest(age)?.value,
      // Pub/Sub writes ack counts only when there are acks, so no points while the backlog metric
      // flows means none were consumed; with no backlog data either, consumption is simply unknown.
      consumed: acked.length > 0 ? total(acked) : undelivered.length > 0 ? 0 : undefined,
    };
  }

  return {
    async inspect(profile: RegionProfile, asOf: Date, lookbackSec: number): Promise<QueueReading[]> {
      const gcp = gcpProfile(profile);
      const readings: QueueReading[] = [];
      for (const subscription of gcp.pubsub.subscriptions) {
        readings.push(await inspectOne(gcp.project, subscription, asOf, lookbackSec));
      }
      return readings;
    },
  };
}
