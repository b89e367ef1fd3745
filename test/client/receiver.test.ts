/**
 * The alert receiver over real HTTP, in front of a real Temporal server: every bad-input case gets its
 * status and a message naming what was wrong; good alerts start or join the region's investigation.
 */
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createReceiver, listen } from '../../client/receiver';
import { parseAxiomTime } from '../../client/axiom-webhook';
import { parseConfig } from '../../config';
import { investigationId } from '../../workflows/messages';
import { configFor } from '../support/fixtures';
import { timeSkippingEnv } from '../support/temporal';

const SECRET = 's3cret-for-tests';
let env: TestWorkflowEnvironment;
let server: Server;
let url: string;
const logs: Record<string, unknown>[] = [];
const base = configFor('eu-west-1', 'aws');
const config = parseConfig({ ...JSON.parse(JSON.stringify(base)), monitorRegions: { mon_eu: 'eu-west-1' } });

beforeAll(async () => {
  env = await timeSkippingEnv();
  server = createReceiver({ client: env.client, config: { ...config, taskQueue: 'receiver-test-no-worker' }, secret: SECRET, maxBodyBytes: 4096, log: (e) => logs.push(e) });
  url = await listen(server, 0);
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await env?.teardown();
});

function axiomBody(action: string, groupValues: unknown[] = ['eu-west-1'], extra: Record<string, unknown> = {}) {
  return {
    action,
    event: {
      monitorID: 'mon_eu',
      title: 'backend-background heartbeats missing',
      body: 'no heartbeats in 2m',
      description: '',
      queryStartTime: '2026-12-04 10:13:00 +0000 UTC',
      queryEndTime: '2026-12-04 10:15:00 +0000 UTC',
      timestamp: '2026-12-04 10:15:00.123456789 +0000 UTC',
      value: 0,
      matchedEvent: null,
      groupKeys: ['region'],
      groupValues,
      ...extra,
    },
  };
}

async function post(body: unknown, headers: Record<string, string> = { 'x-liveness-secret': SECRET }) {
  const res = await fetch(`${url}/alerts/axiom`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test("Go time.String() timestamps are read as Axiom sends them", () => {
  expect(parseAxiomTime('2026-12-04 10:15:00.123456789 +0000 UTC')).toBe('2026-12-04T10:15:00.123Z');
  expect(parseAxiomTime('2026-12-04 12:15:00 +0200 CEST')).toBe('2026-12-04T10:15:00.000Z');
  expect(parseAxiomTime('2026-12-04T10:15:00Z')).toBe('2026-12-04T10:15:00.000Z');
  expect(parseAxiomTime('yesterday')).toBeUndefined();
});

test('a missing or wrong secret is 401 and starts nothing', async () => {
  expect(await post(axiomBody('Open'), {})).toMatchObject({ status: 401, body: { error: expect.stringContaining('x-liveness-secret') } });
  expect((await post(axiomBody('Open'), { 'x-liveness-secret': 'nope' })).status).toBe(401);
  await expect(env.client.workflow.getHandle(investigationId('eu-west-1')).describe()).rejects.toThrow();
});

test.each([
  ['not JSON', '{"action":', 400, 'not valid JSON'],
  ['a bad action', axiomBody('Reopened'), 400, '"action"'],
  ['no event', { action: 'Open' }, 400, '"event"'],
  ['bad group keys', axiomBody('Open', ['x'], { groupKeys: 'region' }), 400, 'event.groupKeys'],
  ['a bad timestamp', axiomBody('Open', ['eu-west-1'], { timestamp: 'soon' }), 400, 'event.timestamp'],
  ['an unknown region', axiomBody('Open', ['mars-1']), 422, 'unknown region "mars-1"'],
  ['no region anywhere', axiomBody('Open', [], { groupKeys: [], monitorID: 'mon_unknown' }), 422, 'cannot tell the region'],
  ['an unrecognised body', { hello: 'world' }, 400, 'unrecognised body'],
  ['a custom body with a bad status', { status: 'firing', region: 'eu-west-1' }, 400, '"status"'],
])('%s is rejected with a message naming it', async (_name, body, status, message) => {
  const r = await post(body);
  expect(r.status).toBe(status);
  expect(String(r.body.error)).toContain(message);
});

test('an oversized body is 413', async () => {
  const r = await post(axiomBody('Open', ['eu-west-1'], { body: 'x'.repeat(10_000) }));
  expect(r.status).toBe(413);
});

test('Open starts the investigation (202 after Temporal accepted it); a repeat joins it; Closed resolves it', async () => {
  const first = await post(axiomBody('Open'));
  expect(first).toMatchObject({ status: 202, body: { accepted: true, workflowId: 'liveness-eu-west-1' } });
  const handle = env.client.workflow.getHandle('liveness-eu-west-1');
  expect((await handle.describe()).status.name).toBe('RUNNING');

  const repeat = await post(axiomBody('Open', ['eu-west-1'], { timestamp: '2026-12-04 10:17:00 +0000 UTC' }));
  expect(repeat).toMatchObject({ status: 202, body: { workflowId: 'liveness-eu-west-1', runId: first.body.runId } });

  // The monitor→region map serves a custom-template body without a region.
  const custom = await post({ status: 'open', monitorId: 'mon_eu', firedAt: '2026-12-04T10:18:00Z' });
  expect(custom).toMatchObject({ status: 202, body: { region: 'eu-west-1', runId: first.body.runId } });

  expect(await post(axiomBody('Closed'))).toMatchObject({ status: 202, body: { action: 'closed' } });
  const history = await handle.fetchHistory();
  const signals = history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes).map((e) => e.workflowExecutionSignaledEventAttributes!.signalName);
  expect(signals).toEqual(['alertFired', 'alertFired', 'alertFired', 'alertResolved']);
  await handle.terminate('test done');
});

test('Closed with no open investigation is 200 with a note', async () => {
  const r = await post({ status: 'closed', region: 'eu-west-1' });
  expect(r).toMatchObject({ status: 200, body: { note: expect.stringContaining('no open investigation') } });
});

test('Temporal unreachable: 503 with Retry-After, so Axiom retries and nothing is lost', async () => {
  const dead = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1s' }) });
  const s = createReceiver({ client: dead, config, secret: SECRET, temporalDeadlineMs: 2000, log: () => undefined });
  const u = await listen(s, 0);
  try {
    const res = await fetch(`${u}/alerts/axiom`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-liveness-secret': SECRET }, body: JSON.stringify(axiomBody('Open')) });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('10');
  } finally {
    await new Promise((r) => s.close(r));
  }
});

test('GET /healthz answers and every request is logged as structured JSON', async () => {
  const res = await fetch(`${url}/healthz`);
  expect(res.status).toBe(200);
  expect(logs.some((l) => l.path === '/alerts/axiom' && l.status === 401)).toBe(true);
});
