/** The Slack notifier on the wire, against a local webhook that records what it received. */
import { createSlackNotifier, type SlackMessage } from '../../activities/adapters/slack';
import type { Notification } from '../../activities/ports';
import type { AppConfig } from '../../config/schema';
import { startWebhookRecorder, type WebhookRecorder } from '../../sim/servers/webhook-recorder';
import { configFor } from '../support/fixtures';

const WORKFLOW_ID = 'liveness-eu-west-1';

function config(url: string, callTimeoutMs = 5000): AppConfig {
  return { ...configFor('eu-west-1', 'aws'), notifications: { slackWebhookUrl: url }, callTimeoutMs };
}

const approvalNeeded: Notification = {
  kind: 'approval-needed',
  region: 'eu-west-1',
  workflowId: WORKFLOW_ID,
  title: 'Approve restart of ECS service prod/backend-background?',
  text:
    'Heartbeats missing in eu-west-1 since before 2025-03-04T10:00:00.000Z; no run_job traces. Service down: 0 of 2 tasks running.\n' +
    `Send signal "approveRestart" (or "rejectRestart") to workflow ${WORKFLOW_ID} with input {"approver": "<your name>", "reason": "<why>"}; ` +
    'or run: liveness-runbook approve eu-west-1 --as <your name>. Allowed approvers: alice, bob. Deadline 2025-03-04T10:33:00.000Z.',
};

const allText = (m: SlackMessage) => [m.text, ...m.blocks.map((b) => JSON.stringify(b))].join('\n');

describe('Slack notifier', () => {
  let hook: WebhookRecorder;

  afterEach(async () => {
    await hook?.close();
  });

  it('posts text and blocks: header, the evidence, how to approve or reject, and the workflow id', async () => {
    hook = await startWebhookRecorder();
    await createSlackNotifier(config(hook.url)).send(approvalNeeded);

    expect(hook.received).toHaveLength(1);
    const m = hook.received[0] as SlackMessage;
    expect(m.text).toContain('Approve restart of ECS service prod/backend-background?');
    expect(m.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(m.blocks[0]).toMatchObject({ text: { type: 'plain_text', text: ':warning: Approval needed: Approve restart of ECS service prod/backend-background?' } });
    expect(m.blocks[1]).toMatchObject({ text: { type: 'mrkdwn', text: expect.stringContaining('0 of 2 tasks running') } });
    // Slack's control characters are escaped; the signal names and JSON input are shown as code.
    const how = JSON.stringify(m.blocks[2]);
    expect(how).toContain('`approveRestart`');
    expect(how).toContain('`rejectRestart`');
    expect(how).toContain(`\`${WORKFLOW_ID}\``);
    expect(m.blocks[2]).toMatchObject({
      text: { text: expect.stringContaining('```{"approver": "&lt;your name&gt;", "reason": "&lt;why&gt;"}```') },
    });
    expect(JSON.stringify(m.blocks[3])).toContain(WORKFLOW_ID);
    expect(allText(m)).not.toMatch(/<your name>/);
  });

  it('sends reminders, timeouts and the final report with the same layout', async () => {
    hook = await startWebhookRecorder();
    const notifier = createSlackNotifier(config(hook.url));
    await notifier.send({ ...approvalNeeded, kind: 'approval-reminder', title: 'Reminder 1: restart awaits approval (1200s left)' });
    await notifier.send({ ...approvalNeeded, kind: 'approval-timed-out', title: 'No approval: not restarted', text: 'No restart.' });
    await notifier.send({ ...approvalNeeded, kind: 'final-report', title: 'service-down / restarted-and-recovered', text: '# Report\n\n- verdict: service-down' });

    const [reminder, timedOut, report] = hook.received as SlackMessage[];
    expect(reminder.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(timedOut.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(report.blocks[1]).toMatchObject({ text: { text: '```\n# Report\n\n- verdict: service-down\n```' } });
    expect(report.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
  });

  it('truncates a long report to one section, says so, and keeps every block within Slack limits', async () => {
    hook = await startWebhookRecorder();
    const long = `# Report\n${'evidence line with <tags> & more\n'.repeat(400)}THE END`;
    const title = `Verdict ${'x'.repeat(300)}`;
    await createSlackNotifier(config(hook.url)).send({ ...approvalNeeded, kind: 'final-report', title, text: long });

    // The recorder refuses blocks over Slack's limits, so arriving at all is the first check.
    const m = hook.received[0] as SlackMessage;
    const code = (m.blocks[1] as { text: { text: string } }).text.text;
    expect(code.length).toBeLessThanOrEqual(3000);
    expect(code.startsWith('```\n# Report')).toBe(true);
    expect(code.endsWith('…\n```')).toBe(true);
    expect(code).not.toContain('THE END');
    expect(code).not.toMatch(/&[a-z]*…/);
    expect(m.blocks[2]).toMatchObject({ text: { text: expect.stringMatching(/^_Report truncated: \d+ of \d+ characters shown/) } });
    expect((m.blocks[0] as { text: { text: string } }).text.text).toHaveLength(150);
    expect(m.text.length).toBeLessThanOrEqual(3000);
  });

  it('throws an ordinary error when the webhook fails, without the URL, and succeeds on the next try', async () => {
    hook = await startWebhookRecorder({ failFirst: 1, status: 404 });
    const notifier = createSlackNotifier(config(hook.url));
    const err = await notifier.send(approvalNeeded).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err?.message).toBe('Slack webhook answered 404: no_service');
    expect(err?.message).not.toContain(hook.url);
    await notifier.send(approvalNeeded);
    expect(hook.attempts).toBe(2);
    expect(hook.received).toHaveLength(1);
  });

  it('honours the per-call timeout', async () => {
    hook = await startWebhookRecorder({ delayMs: 2000 });
    const started = Date.now();
    await expect(createSlackNotifier(config(hook.url, 200)).send(approvalNeeded)).rejects.toThrow(
      'Slack webhook did not answer within 200 ms',
    );
    expect(Date.now() - started).toBeLessThan(1500);
    expect(hook.received).toHaveLength(0);
  });

  it('says when the webhook cannot be reached', async () => {
    hook = await startWebhookRecorder();
    const url = hook.url;
    await hook.close();
    await expect(createSlackNotifier(config(url)).send(approvalNeeded)).rejects.toThrow(/^Slack webhook could not be reached: ECONNREFUSED$/);
  });

  it('refuses to be built without a webhook URL', () => {
    expect(() => createSlackNotifier(configFor('eu-west-1', 'aws'))).toThrow(/notifications\.slackWebhookUrl/);
  });
});
