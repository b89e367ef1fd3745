import { condition } from '@temporalio/workflow';
import type { Assessed, HeartbeatEvidence, RecheckSummary } from './types';
import { isOk } from './assess';

export interface RecheckOptions {
  intervalSec: number;
  windowSec: number;
  check: () => Promise<Assessed<HeartbeatEvidence>>;
  /** Leave early without checking, e.g. when `alertResolved` arrives. */
  stop?: () => boolean;
}

/**
 * The durable wait-and-recheck: a timer, then a heartbeat check, until heartbeats are back or the window
 * is over. Timers live in the Temporal server, so a crashed worker resumes exactly where it was.
 */
export async function waitAndRecheck({ intervalSec, windowSec, check, stop }: RecheckOptions): Promise<RecheckSummary> {
  const summary: RecheckSummary = { checks: 0, recovered: false };
  const checks = Math.max(1, Math.floor(windowSec / intervalSec));
  for (let i = 0; i < checks; i++) {
    const stopped = await condition(() => stop?.() ?? false, intervalSec * 1000);
    if (stopped) return summary;
    summary.checks++;
    summary.last = await check();
    if (isOk(summary.last) && summary.last.present) {
      summary.recovered = true;
      summary.recoveredAt = summary.last.lastSeenAt ?? summary.last.asOf;
      return summary;
    }
  }
  return summary;
}
