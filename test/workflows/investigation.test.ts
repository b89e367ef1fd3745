import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { Notification } from '../../activities/ports';
import { World } from '../../sim/world';
import type { Scenario } from '../../sim/scenario';
import { investigationId, INVESTIGATION_WORKFLOW } from '../../workflows/messages';
import type { InvestigationResult } from '../../workflows/types';
import { awsOutage, configFor } from '../support/fixtures';
import { memoryPorts } from '../support/memory-ports';
import { createTestWorker, timeSkippingEnv, uniqueQueue } from '../support/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

interface Run {
  world: World;
  sent: Notification[];
  result: InvestigationResult;
}

async function investigate(scenario: Scenario): Promise<Run> {
  const firedAt = new Date(await env.currentTimeMs());
  const world = new World(scenario, firedAt);
  const sent: Notification[] = [];
  const config = configFor(scenario.region, scenario.cloud);
  const taskQueue = uniqueQueue('wf');
  const worker = await createTestWorker(env, taskQueue, createActivities(config, memoryPorts(world, sent)));
  const result = await worker.runUntil(
    env.client.workflow.execute(INVESTIGATION_WORKFLOW, {
      taskQueue,
      workflowId: `${investigationId(scenario.region)}-${taskQueue}`,
      args: [{ region: scenario.region, firedAt: firedAt.toISOString(), source: 'test' }],
    }) as Promise<InvestigationResult>,
  );
  return { world, sent, result };
}

test('a blip: heartbeats come back during the wait, transient, nothing restarted', async () => {
  const { result, world } = await investigate(awsOutage({ heartbeats: [{ from: -3600, to: -150, everySec: 10 }, { from: 45, everySec: 10 }] }));
  expect(result.verdict).toBe('transient');
  expect(result.outcome).toBe('resolved-on-its-own');
  expect(result.restarts).toBe(0);
  expect(result.rootCause.category).toBe('none');
  expect(result.evidence.blipWait).toMatchObject({ recovered: true, checks: 2 });
  expect(world.restarts).toHaveLength(0);
  expect(result.reportMarkdown).toContain('Verdict:** transient');
});
