/**
 * A local Slack-compatible incoming webhook that records what it is sent. It answers as Slack does:
 * `200 ok` as text/plain, or an error status with a short error code as the body (`no_text`,
 * `invalid_blocks`, …). It checks the Block Kit limits our notifier must respect, so a message Slack
 * would refuse is refused here too.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveLocal, type SimServer } from './types';

export interface WebhookRecorderOptions {
  /** Fail this many requests first (they are not recorded). */
  failFirst?: number;
  /** Status of those failures; default 500. */
  status?: number;
  /** Wait this long before answering each request (for timeout tests). */
  delayMs?: number;
}

export type WebhookRecorder = SimServer & {
  /** Accepted JSON bodies, in arrival order. */
  received: unknown[];
  /** Every request, accepted or not. */
  readonly attempts: number;
};

const ERROR_CODE: Record<number, string> = {
  400: 'invalid_payload',
  403: 'invalid_token',
  404: 'no_service',
  410: 'channel_is_archived',
  429: 'rate_limited',
};

type Obj = Record<string, unknown>;
const text = (o: unknown): string | undefined => (o && typeof (o as Obj).text === 'string' ? ((o as Obj).text as string) : undefined);

/** Slack's limits for the blocks we send: why a message would be refused, or undefined. */
function blockProblem(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks) || blocks.length > 50) return 'blocks must be a list of at most 50';
  for (const b of blocks as Obj[]) {
    if (b.type === 'header') {
      const t = text(b.text);
      if (!t || t.length > 150 || (b.text as Obj).type !== 'plain_text') return 'header needs plain_text of at most 150 characters';
    } else if (b.type === 'section') {
      const t = text(b.text);
      if (!t || t.length > 3000) return 'section text must be 1 to 3000 characters';
    } else if (b.type === 'context') {
      const els = b.elements;
      if (!Array.isArray(els) || els.length === 0 || els.length > 10 || els.some((e) => !text(e) || text(e)!.length > 3000)) {
        return 'context needs 1 to 10 text elements';
      }
    } else {
      return `unsupported block type ${JSON.stringify(b.type)}`;
    }
  }
  return undefined;
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain' });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** Starts the recorder on 127.0.0.1 (any free port); POST anything to its URL. */
export async function startWebhookRecorder(opts: WebhookRecorderOptions = {}): Promise<WebhookRecorder> {
  const received: unknown[] = [];
  let attempts = 0;
  const timers = new Set<NodeJS.Timeout>();

  const answer = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    attempts++;
    if (req.method !== 'POST') return reply(res, 405, 'method_not_allowed');
    if (attempts <= (opts.failFirst ?? 0)) {
      const status = opts.status ?? 500;
      return reply(res, status, ERROR_CODE[status] ?? 'internal_error');
    }
    let message: Obj;
    try {
      message = JSON.parse(body);
    } catch {
      return reply(res, 400, 'invalid_payload');
    }
    if (!text(message) && message.blocks === undefined) return reply(res, 400, 'no_text');
    if (text(message) !== undefined && text(message)!.length > 40000) return reply(res, 400, 'msg_too_long');
    if (message.blocks !== undefined && blockProblem(message.blocks)) return reply(res, 400, 'invalid_blocks');
    received.push(message);
    reply(res, 200, 'ok');
  };

  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => {
        if (!opts.delayMs) return answer(req, res, body);
        const t = setTimeout(() => {
          timers.delete(t);
          if (!res.destroyed) answer(req, res, body);
        }, opts.delayMs);
        timers.add(t);
      })
      .catch(() => res.destroy());
  });
  const served = await serveLocal(server);
  return {
    url: `${served.url}/services/T000/B000/sim`,
    received,
    get attempts() {
      return attempts;
    },
    close: () => {
      for (const t of timers) clearTimeout(t);
      return served.close();
    },
  };
}
