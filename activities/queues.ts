import type { AppConfig } from '../config/schema';
import type { QueueEvidence, QueueHealth } from '../workflows/types';
import { asActivityFailure } from './errors';
import type { QueuePort, QueueReading } from './ports';
import { profileOf } from './region';

export interface QueueCheckInput {
  region: string;
  asOf: string;
  lookbackSec: number;
}

/** A growing backlog with no consumer activity is flagged, as the runbook's step 2b says. */
export function assessQueue(r: QueueReading): QueueHealth {
  const consumerActive = r.consumed === undefined ? undefined : r.consumed > 0;
  const growing = r.backlogDelta !== undefined && r.backlogDelta > 0;
  const flagged = growing && consumerActive === false;
  const notes: string[] = [];
  if (flagged) notes.push(`backlog grew by ${r.backlogDelta} with no consumer activity`);
  else if (growing) notes.push(`backlog grew by ${r.backlogDelta}`);
  if (consumerActive === undefined) notes.push('consumer activity unknown');
  return { ...r, consumerActive, flagged, note: notes.length ? notes.join('; ') : undefined };
}

export function createQueueActivities(config: AppConfig, queues: QueuePort) {
  return {
    /** Runbook step 2b: backlog, in flight, age of oldest and consumer activity per queue. */
    async checkQueues({ region, asOf, lookbackSec }: QueueCheckInput): Promise<QueueEvidence> {
      const profile = profileOf(config, region);
      try {
        const readings = await queues.inspect(profile, new Date(asOf), lookbackSec);
        const assessed = readings.map(assessQueue);
        return { status: 'ok', asOf, queues: assessed, flagged: assessed.some((q) => q.flagged) };
      } catch (err) {
        return asActivityFailure('queues', err);
      }
    },
  };
}
