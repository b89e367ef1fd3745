/**
 * A deliberately incompatible edit of the investigation, for the replay test: same workflow name, but
 * it looks at pollers and queues before heartbeats, as a careless refactor of step 1 might. Replaying a
 * recorded history against it must fail with a determinism violation.
 */
import * as act from '../../workflows/activities';
import type { Alert } from '../../workflows/types';

export async function livenessInvestigation(alert: Alert): Promise<string> {
  const plan = await act.describeRegion(alert.region);
  const asOf = new Date().toISOString();
  await act.checkPollers({ region: alert.region, asOf, windowSec: plan.thresholds.pollerWindowSec });
  await act.checkHeartbeats({ region: alert.region, asOf, windowSec: plan.thresholds.heartbeatWindowSec });
  return 'changed';
}
