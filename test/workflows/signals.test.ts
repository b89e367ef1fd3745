/**
 * Signals typed by hand in the Web UI can be anything: a malformed one is noted in the timeline and ignored,
 * never allowed to fail the workflow task (which would leave the investigation stuck). Its own file and
 * time-skipping environment: run after the other investigation tests it was seen to hang the test server.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { alertFiredSignal, statusQuery } from '../../workflows/messages';
import type { Alert } from '../../workflows/types';
import { awsOutage } from '../support/fixtures';
import { advanceUntil, scriptedInvestigation, useTimeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
useTimeSkippingEnv((e) => (env = e));

test('a malformed alertFired signal typed by hand is noted and ignored, never failing the investigation', async () => {
  const inv = await scriptedInvestigation(env, awsOutage({ heartbeats: [{ from: -3600, to: -180, everySec: 10 }, { from: 45, everySec: 10 }] }));
  const result = await inv.run(async (handle) => {
    await advanceUntil(env, handle, 'waiting-for-blip');
    await handle.signal(alertFiredSignal, null as unknown as Alert);
    await handle.signal(alertFiredSignal, { region: 'eu-west-1' } as unknown as Alert);
    // Let the worker take both signals before time skips (see approval.test.ts on skipping right after a signal).
    for (let i = 0; i < 100; i++) {
      const { timeline } = await handle.query(statusQuery);
      if (timeline.filter((t) => t.text.startsWith('ignored an alertFired')).length === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return handle.result();
  });
  expect(result.verdict).toBe('transient');
  expect(result.repeatAlerts).toBe(0);
  expect(result.timeline.filter((t) => t.text.startsWith('ignored an alertFired signal'))).toHaveLength(2);
});
