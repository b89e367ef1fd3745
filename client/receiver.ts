/**
 * The alert receiver: `POST /alerts/axiom` turns an Axiom monitor webhook into a signal-with-start of the
 * region's investigation. It answers 2xx only once Temporal has accepted the alert, and 503 when Temporal
 * is unreachable so Axiom retries: an accepted alert is never lost.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/schema';
import { parseAxiomWebhook, WebhookError } from './axiom-webhook';
import { fireAlert, resolveAlert } from './investigations';

export interface ReceiverOptions {
  client: Client;
  config: AppConfig;
  /** The shared secret Axiom sends in `secretHeader` (a custom webhook header; Axiom does not sign). */
  secret: string;
  secretHeader?: string;
  maxBodyBytes?: number;
  /** How long Temporal gets to accept an alert before the receiver answers 503 (default 8 s). */
  temporalDeadlineMs?: number;
  log?: (entry: Record<string, unknown>) => void;
}

export const DEFAULT_SECRET_HEADER = 'x-liveness-secret';
const DEFAULT_MAX_BODY = 64 * 1024;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Constant-time comparison that does not leak the secret's length either (both sides are hashed). */
export function secretMatches(given: string | undefined, secret: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `body too large: ${declared} bytes, the limit is ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `body too large: over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Errors that mean "Temporal did not take it" (connection, unavailable, deadline), as opposed to a bug. */
function isTemporalUnavailable(err: unknown): boolean {
  for (let e = err as { code?: number; name?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    // gRPC UNAVAILABLE (14) / DEADLINE_EXCEEDED (4), or a connection error from the client.
    if (e.code === 14 || e.code === 4 || /UNAVAILABLE|ECONNREFUSED|DEADLINE_EXCEEDED|Failed to connect/i.test(`${e.message}`)) return true;
  }
  return false;
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function createReceiver(o: ReceiverOptions): Server {
  if (!o.secret) throw new Error('the receiver needs a shared secret (RECEIVER_SECRET)');
  const header = (o.secretHeader ?? DEFAULT_SECRET_HEADER).toLowerCase();
  const limit = o.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const log = o.log ?? ((e) => console.log(JSON.stringify(e)));

  const handleAlert = async (req: IncomingMessage): Promise<Answer> => {
    const given = req.headers[header];
    if (!secretMatches(Array.isArray(given) ? given[0] : given, o.secret)) {
      throw new HttpError(401, `missing or wrong shared secret in header ${header}`);
    }
    const type = String(req.headers['content-type'] ?? '');
    if (type && !type.includes('json')) throw new HttpError(415, `content-type must be application/json (got ${type})`);
    const text = await readBody(req, limit);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new HttpError(400, `the body is not valid JSON (${(err as Error).message})`);
    }
    const parsed = parseAxiomWebhook(body, o.config);
    const deadline = Date.now() + (o.temporalDeadlineMs ?? 8000);
    try {
      return await o.client.connection.withDeadline(deadline, () => deliver(parsed));
    } catch (err) {
      if (isTemporalUnavailable(err)) {
        return { status: 503, body: { accepted: false, error: `Temporal did not accept the alert, retry later (${(err as Error).message})` }, headers: { 'retry-after': '10' } };
      }
      throw err;
    }
  };

  const deliver = async (parsed: ReturnType<typeof parseAxiomWebhook>): Promise<Answer> => {
    const region = parsed.alert.region;
    if (parsed.action === 'open') {
      const started = await fireAlert(o.client, o.config, parsed.alert);
      return { status: 202, body: { accepted: true, action: 'open', region, workflowId: started.workflowId, runId: started.runId } };
    }
    const told = await resolveAlert(o.client, region, 'axiom');
    return told
      ? { status: 202, body: { accepted: true, action: 'closed', region } }
      : { status: 200, body: { accepted: true, action: 'closed', region, note: 'no open investigation for this region; nothing to resolve' } };
  };

  return createServer((req, res) => {
    const started = Date.now();
    const url = (req.url ?? '/').split('?')[0];
    const finish = (status: number, body: Record<string, unknown>, headers?: Record<string, string>) => {
      send(res, status, body, headers);
      log({ at: new Date().toISOString(), method: req.method, path: url, status, ms: Date.now() - started, ...(status >= 400 ? { error: body.error } : { workflowId: body.workflowId, region: body.region }) });
    };
    if (url === '/healthz' && req.method === 'GET') return finish(200, { ok: true });
    if (url !== '/alerts/axiom') return finish(404, { error: `no route ${req.method} ${url}; alerts go to POST /alerts/axiom` });
    if (req.method !== 'POST') return finish(405, { error: 'use POST' }, { allow: 'POST' });
    handleAlert(req).then(
      (r) => finish(r.status, r.body, r.headers),
      (err) => {
        if (err instanceof HttpError || err instanceof WebhookError) return finish(err.status, { error: err.message });
        finish(500, { error: `internal error: ${(err as Error).message}` });
      },
    );
  });
}

/** Starts the receiver on `port` (0 = any) and resolves with its URL. */
export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return `http://${host}:${bound}`;
}
