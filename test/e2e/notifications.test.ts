/**
 * Notifications through the whole path: the workflow's notify activity, the Slack-compatible notifier and
 * a local webhook that records what it received. A failing webhook is retried a bounded number of times
 * and never blocks or fails the investigation.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { simulate } from '../../client/simulate';
import { startWebhookRecorder, type WebhookRecorder } from '../../sim/servers/webhook-recorder';
import { loadScenario } from '../support/fixtures';
import { timeSkippingEnv, workflowBundle } from '../support/temporal';

jest.setTimeout(120_000);

let env: TestWorkflowEnvironment;
let recorder: WebhookRecorder | undefined;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterEach(async () => {
  await recorder?.close();
  recorder = undefined;
});
afterAll(async () => {
  await env?.teardown();
});

/** The notification kind each Slack message carries in its context line. */
function kinds(received: unknown[]): string[] {
  return received.map((body) => {
    const blocks = (body as { blocks: { type: string; elements?: { text: string }[] }[] }).blocks;
    const context = blocks.find((b) => b.type === 'context')?.elements?.[0]?.text ?? '';
    return context.split(' · ').pop() ?? '';
  });
}

test('approval needed, reminders, timeout and the final report reach the webhook; a flaky webhook is retried', async () => {
  recorder = await startWebhookRecorder({ failFirst: 2, status: 500 });
  const out = await simulate(loadScenario('aws-approval-timeout'), { answer: 'none', env, workflowBundle: workflowBundle(), slackWebhookUrl: `${recorder.url}/services/T000/B000/sim` });
  expect(out.outcome).toBe('approval-timed-out');
  expect(kinds(recorder.received)).toEqual(['approval-needed', 'approval-reminder', 'approval-reminder', 'approval-timed-out', 'final-report']);
  expect(recorder.attempts).toBe(recorder.received.length + 2);
  const approval = JSON.stringify(recorder.received[0]);
  expect(approval).toContain('approveRestart');
  expect(approval).toContain('\\"approver\\"');
  expect(JSON.stringify(recorder.received[4])).toContain('approval-timed-out');
});

test('a webhook that always fails never blocks or fails the investigation', async () => {
  recorder = await startWebhookRecorder({ failFirst: 1_000, status: 503 });
  const out = await simulate(loadScenario('aws-oom-approved'), { answer: 'approve', env, workflowBundle: workflowBundle(), slackWebhookUrl: `${recorder.url}/services/T000/B000/sim` });
  expect(out).toMatchObject({ verdict: 'service-down', outcome: 'restarted-and-recovered', restarts: 1 });
  expect(recorder.received).toHaveLength(0);
  // Each notification was tried exactly its bounded three times: approval-needed and final-report.
  expect(recorder.attempts).toBe(2 * 3);
  expect(out.timeline.some((t) => t.text.includes('notification "approval-needed" could not be sent'))).toBe(true);
});
