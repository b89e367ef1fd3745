import type { AppConfig } from '../config/schema';
import type { HeartbeatEvidence, PollerEvidence } from '../workflows/types';
import { asActivityFailure } from './errors';
import type { TelemetryPort } from './ports';
import { profileOf } from './region';

export interface WindowCheckInput {
  region: string;
  /** Workflow time of the check, RFC 3339. */
  asOf: string;
  windowSec: number;
}

export function createTelemetryActivities(config: AppConfig, telemetry: TelemetryPort) {
  return {
    /** Runbook step 1: heartbeats of backend-background in the window ending at `asOf`. */
    async checkHeartbeats({ region, asOf, windowSec }: WindowCheckInput): Promise<HeartbeatEvidence> {
      const profile = profileOf(config, region);
      const to = new Date(asOf);
      const from = new Date(to.getTime() - windowSec * 1000);
      try {
        const c = await telemetry.heartbeats(profile, from, to);
        return { status: 'ok', asOf, windowStart: from.toISOString(), count: c.count, lastSeenAt: c.lastSeenAt, present: c.count > 0 };
      } catch (err) {
        return asActivityFailure('heartbeats', err);
      }
    },

    /** Runbook step 2a: are pollers running? `run_job` traces in the window ending at `asOf`. */
    async checkPollers({ region, asOf, windowSec }: WindowCheckInput): Promise<PollerEvidence> {
      const profile = profileOf(config, region);
      const to = new Date(asOf);
      const from = new Date(to.getTime() - windowSec * 1000);
      try {
        const c = await telemetry.jobTraces(profile, from, to);
        return { status: 'ok', asOf, windowStart: from.toISOString(), count: c.count, lastSeenAt: c.lastSeenAt, present: c.count > 0 };
      } catch (err) {
        return asActivityFailure('run_job traces', err);
      }
    },
  };
}
