import { isOk } from './assess';
import type { Evidence, RootCause, Verdict } from './types';

/**
 * Runbook step 5's conclusion, from the evidence alone (pure, so it replays). The order is the order of
 * explanation: an OOM kill explains a crash loop, a refused DB connection explains a crash loop too.
 */
export function deriveRootCause(verdict: Verdict, evidence: Evidence): RootCause {
  if (verdict === 'transient') {
    return { category: 'none', summary: 'Heartbeats resumed on their own: a momentary blip.', followUp: 'None required; the event is documented here.' };
  }
  const logs = isOk(evidence.logs) ? evidence.logs : undefined;
  const service = isOk(evidence.service) ? evidence.service : undefined;
  const stoppedOom = service?.details.platform === 'ecs' ? service.details.stoppedTasks.filter((t) => t.oom).length : 0;
  const logNote = logs ? '' : ' Logs could not be read, so this rests on the service evidence alone.';

  if (verdict === 'heartbeat-path-failure') {
    const extra = logs?.exceptions.length ? ` Logs also show ${logs.exceptions[0].signature} (${logs.exceptions[0].count}x).` : '';
    return {
      category: 'stalled-event-loop',
      summary: `Pollers are running (run_job traces present) but heartbeats are missing: most likely a stalled or blocked event loop, not the heartbeat logic.${extra}${logNote}`,
      followUp: 'Runtime investigation of backend-background: event-loop lag, blocking calls, thread/async dumps.',
    };
  }
  if ((logs?.oomKills ?? 0) > 0 || stoppedOom > 0) {
    return {
      category: 'oom',
      summary: `Out-of-memory kills: ${logs?.oomKills ?? 0} in the logs, ${stoppedOom} stopped task(s) with OOM.${logNote}`,
      followUp: 'Open a ticket: memory profile of backend-background and a capacity review (task memory limit).',
    };
  }
  if (logs && logs.connectivityErrors.length > 0) {
    const top = logs.connectivityErrors[0];
    return {
      category: 'connectivity',
      summary: `Connectivity errors (${top.count}x "${top.signature}"): the service cannot reach a dependency.`,
      followUp: 'Open a ticket: check the dependency (DB, queue, downstream) and the network path from the service.',
    };
  }
  if (logs && logs.crashLoops > 0) {
    return {
      category: 'crash-loop',
      summary: `The service is crashing and restarting (${logs.crashLoops} crash/restart lines).`,
      followUp: 'Open a ticket: find the startup failure in the container logs before the first crash.',
    };
  }
  if (logs && logs.exceptions.length > 0) {
    const top = logs.exceptions[0];
    return {
      category: 'exception',
      summary: `Exceptions in the logs, most often "${top.signature}" (${top.count}x).`,
      followUp: 'Open a ticket for a code fix of the exception above.',
    };
  }
  return {
    category: 'unknown',
    summary: `No exception, OOM, crash loop or connectivity error found in the logs.${logNote}`,
    followUp: 'Investigate further by hand: service metrics, recent deploys, dependency status.',
  };
}
