/**
 * Notifications to a Slack-compatible incoming webhook: `POST {text, blocks}`, answered `200 ok`.
 * The webhook URL is a credential (it carries the token), so it never appears in errors or logs.
 */
import type { AppConfig } from '../../config/schema';
import type { Notification, NotificationKind, NotifierPort } from '../ports';

/** Block Kit limits: header text, section/context text, and the top-level fallback we keep short. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FALLBACK_MAX = 3000;

const LABEL: Record<NotificationKind, string> = {
  'approval-needed': ':warning: Approval needed',
  'approval-reminder': ':hourglass_flowing_sand: Reminder',
  'approval-timed-out': ':no_entry_sign: Approval timed out',
  'final-report': ':memo: Final report',
};

interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}
export type Block =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text: TextObject }
  | { type: 'context'; elements: TextObject[] };

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Slack's control characters in text: `&`, `<`, `>` must be sent as entities. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts `text` to at most `max` UTF-16 units, never inside an entity or a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(out)) out = out.slice(0, -1);
  return `${out.replace(/&[a-z]*$/, '')}…`;
}

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: cut(text, SECTION_MAX) } });

/**
 * The signal instructions the workflow writes into approval texts (`Send signal "approveRestart" (or
 * "rejectRestart") to workflow … with input {…}`), pulled out so the message shows them as copyable code.
 */
function approvalBlock(n: Notification): Block | undefined {
  const m = /signal "([\w-]+)" \(or "([\w-]+)"\).*? with input (\{[^{}]*\})/.exec(n.text);
  if (!m) return undefined;
  const [, approve, reject, input] = m;
  return section(
    `*To approve*, send signal \`${escape(approve)}\` to workflow \`${escape(n.workflowId)}\` with input:\n` +
      `\`\`\`${escape(input)}\`\`\`\n*To reject*, send \`${escape(reject)}\` with the same input.`,
  );
}

/** The report as a code block (Slack's mrkdwn is not Markdown), cut to one section with a note if needed. */
function reportBlocks(n: Notification): Block[] {
  const fence = '```';
  const body = escape(n.text);
  const room = SECTION_MAX - 2 * fence.length - 2;
  if (body.length <= room) return [section(`${fence}\n${body}\n${fence}`)];
  const shown = cut(body, room);
  return [
    section(`${fence}\n${shown}\n${fence}`),
    section(
      `_Report truncated: ${shown.length - 1} of ${body.length} characters shown. ` +
        `Full report: \`liveness-runbook report ${escape(n.region)}\`._`,
    ),
  ];
}

/** Builds the webhook body for a notification; exported for reading, the notifier is what runs. */
export function slackMessage(n: Notification): SlackMessage {
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: cut(`${LABEL[n.kind]}: ${n.title}`, HEADER_MAX), emoji: true } }];
  if (n.kind === 'final-report') {
    blocks.push(...reportBlocks(n));
  } else {
    blocks.push(section(escape(n.text)));
    const approval = n.kind === 'approval-needed' || n.kind === 'approval-reminder' ? approvalBlock(n) : undefined;
    if (approval) blocks.push(approval);
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: cut(`Region \`${escape(n.region)}\` · workflow \`${escape(n.workflowId)}\` · ${n.kind}`, SECTION_MAX) }],
  });
  return { text: cut(escape(`${n.title} (${n.region})\n${n.text}`), FALLBACK_MAX), blocks };
}

/**
 * The Slack implementation of the notifier port. Every failure (non-2xx, timeout, unreachable) is an
 * ordinary error: the notify activity retries a few times, and the workflow carries on regardless.
 */
export function createSlackNotifier(config: AppConfig): NotifierPort {
  const url = config.notifications.slackWebhookUrl;
  if (!url || !/^https?:\/\//.test(url)) {
    throw new Error('notifications.slackWebhookUrl: required, an http(s) URL, for the Slack notifier');
  }
  const timeoutMs = config.callTimeoutMs;
  return {
    async send(n) {
      let res: Response;
      let answer: string;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(slackMessage(n)),
          signal: AbortSignal.timeout(timeoutMs),
        });
        answer = await res.text();
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        if (e.name === 'TimeoutError' || e.name === 'AbortError') {
          throw new Error(`Slack webhook did not answer within ${timeoutMs} ms`);
        }
        throw new Error(`Slack webhook could not be reached: ${e.cause?.code ?? e.message}`);
      }
      if (!res.ok) throw new Error(`Slack webhook answered ${res.status}: ${answer.slice(0, 200)}`);
    },
  };
}
