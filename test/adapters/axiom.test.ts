/**
 * The Axiom adapter with the real @axiomhq/js client, on the wire against the simulated Axiom query API
 * (and, for faults the world cannot script — a silent server, a 400 — against tiny local stubs).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAxiomTelemetry } from '../../activities/adapters/axiom';
import { PermanentFault } from '../../activities/errors';
import { parseConfig } from '../../config';
import type { AppConfig, RegionProfile } from '../../config/schema';
import { startAxiomServer, type AxiomServer } from '../../sim/servers/axiom';
import type { FaultSim } from '../../sim/scenario';
import { World } from '../../sim/world';
import { APPROVERS, awsOutage } from '../support/fixtures';

const REGION = 'eu-west-1';
const ALERT_AT = new Date('2025-03-04T10:00:00.000Z');
const TOKEN = 'xaat-test-secret-0123456789';
const at = (sec: number) => new Date(ALERT_AT.getTime() + sec * 1000);

function config(endpoint: string, axiom: Record<string, unknown> = {}, callTimeoutMs = 5000): AppConfig {
  return parseConfig({
    endpoints: { axiom: endpoint },
    callTimeoutMs,
    regions: {
      [REGION]: {
        cloud: 'aws',
        approvers: APPROVERS,
        axiom: { heartbeatDataset: 'backend-logs', ...axiom },
        ecs: { cluster: 'prod', service: 'backend-background' },
        sqs: { queueUrls: [] },
        logs: { logGroup: '/ecs/backend-background' },
      },
    },
  });
}

const profile = (c: AppConfig): RegionProfile => c.regions[REGION];

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

describe('Axiom adapter against the simulated query API', () => {
  let world: World;
  let server: AxiomServer;

  async function start(faults: FaultSim[] = []) {
    world = new World(awsOutage({ faults }), ALERT_AT);
    server = await startAxiomServer(world);
    return createAxiomTelemetry(config(server.url), { token: TOKEN });
  }

  afterEach(async () => {
    await server?.close();
  });

  it('counts heartbeats and run_job traces in a window, with the last one seen', async () => {
    const axiom = await start();
    const p = profile(config(server.url));

    await expect(axiom.heartbeats(p, at(-120), at(0))).resolves.toEqual({ count: 0 });
    await expect(axiom.jobTraces(p, at(-120), at(0))).resolves.toEqual({ count: 0 });
    // Heartbeats every 10 s and traces every 20 s until 180 s before the alert.
    await expect(axiom.heartbeats(p, at(-300), at(-180))).resolves.toEqual({ count: 12, lastSeenAt: at(-190).toISOString() });
    await expect(axiom.jobTraces(p, at(-300), at(-180))).resolves.toEqual({ count: 6, lastSeenAt: at(-200).toISOString() });

    expect(world.callCount('axiom', 'heartbeats')).toBe(2);
    expect(world.callCount('axiom', 'jobTraces')).toBe(2);
  });

  it('sees heartbeats resume after a recovering restart, and moves the world clock to the window end', async () => {
    const axiom = await start();
    const p = profile(config(server.url));
    world.restart('restart-1', at(0));

    await expect(axiom.heartbeats(p, at(0), at(60))).resolves.toEqual({ count: 0 });
    await expect(axiom.heartbeats(p, at(60), at(180))).resolves.toEqual({ count: 12, lastSeenAt: at(170).toISOString() });
    expect(world.now()).toEqual(at(180));
  });

  it("sends the runbook's filters as APL with explicit times, the tabular format pinned, and no token recorded", async () => {
    const axiom = await start();
    const p = profile(config(server.url));
    await axiom.heartbeats(p, at(-120), at(0));
    await axiom.jobTraces(p, at(-120), at(0));

    const [hb, traces] = server.queries;
    expect(hb.apl).toBe(
      `['backend-logs'] | where ['cloud.region'] == "eu-west-1" and (['service.name'] == "backend-background" and message == "heartbeat")` +
        ` | summarize total = count(), lastSeen = max(_time)`,
    );
    expect(traces.apl).toBe(
      `['traces'] | where ['service.name'] == "legion-backend" | where ['resource.deployment.environment'] == "production"` +
        ` | where name == "run_job" | where ['cloud.region'] == "eu-west-1" | summarize total = count(), lastSeen = max(_time)`,
    );
    expect(traces.parsed?.equalities).toEqual([
      { field: 'service.name', value: 'legion-backend' },
      { field: 'resource.deployment.environment', value: 'production' },
      { field: 'name', value: 'run_job' },
      { field: 'cloud.region', value: 'eu-west-1' },
    ]);
    for (const q of server.queries) {
      expect(q).toMatchObject({ format: 'tabular', startTime: at(-120).toISOString(), endTime: at(0).toISOString(), status: 200 });
      expect(JSON.stringify(q)).not.toContain(TOKEN);
    }
  });

  it('escapes configured values so quotes and backslashes stay inside the APL string', async () => {
    world = new World(awsOutage(), ALERT_AT);
    server = await startAxiomServer(world);
    const tricky = 'eu" or true or "\\x';
    const c = config(server.url, { regionValue: tricky, traceService: 'legion "backend"' });
    const axiom = createAxiomTelemetry(c, { token: TOKEN, orgId: 'acme-1234' });

    // The world has no data for that region value: the filter held.
    await expect(axiom.jobTraces(profile(c), at(-300), at(-180))).resolves.toEqual({ count: 0 });
    const q = server.queries[0];
    expect(q.apl).toContain(`where ['cloud.region'] == "eu\\" or true or \\"\\\\x"`);
    expect(q.apl).toContain(`where ['service.name'] == "legion \\"backend\\""`);
    expect(q.parsed?.equalities).toContainEqual({ field: 'cloud.region', value: tricky });
    expect(q.parsed?.equalities).toContainEqual({ field: 'service.name', value: 'legion "backend"' });
    expect(q.orgId).toBe('acme-1234');
  });

  it('refuses field names and filters that are not plain APL, before calling Axiom', async () => {
    await start();
    const badField = config(server.url, { regionField: 'cloud.region == "x" | take 1 //' });
    const badFilter = config(server.url, { heartbeatFilter: 'message == "heartbeat") | take 1 | where (true' });
    for (const c of [badField, badFilter]) {
      const err = await rejection(createAxiomTelemetry(c, { token: TOKEN }).heartbeats(profile(c), at(-120), at(0)));
      expect(err).toBeInstanceOf(PermanentFault);
      expect((err as PermanentFault).type).toBe('BadConfig');
    }
    expect(server.queries).toHaveLength(0);
  });

  it('turns 403 into AccessDenied and 404 into NotFound, without retrying', async () => {
    let axiom = await start([{ api: 'axiom', kind: 'AccessDenied' }]);
    let err = await rejection(axiom.heartbeats(profile(config(server.url)), at(-120), at(0)));
    expect(err).toBeInstanceOf(PermanentFault);
    expect(err).toMatchObject({ type: 'AccessDenied' });
    expect(err.message).not.toContain(TOKEN);
    expect(world.callCount('axiom')).toBe(1);
    await server.close();

    axiom = await start([{ api: 'axiom', kind: 'NotFound' }]);
    err = await rejection(axiom.jobTraces(profile(config(server.url)), at(-120), at(0)));
    expect(err).toMatchObject({ type: 'NotFound' });
    expect(err.message).toContain('traces');
  });

  it('leaves throttling retryable (429), for the activity retry policy to handle', async () => {
    const axiom = await start([{ api: 'axiom', kind: 'Throttled', times: 1 }]);
    const p = profile(config(server.url));
    const err = await rejection(axiom.heartbeats(p, at(-300), at(-180)));
    expect(err).not.toBeInstanceOf(PermanentFault);
    expect(err.message).toMatch(/throttled/);
    expect(world.callCount('axiom')).toBe(1);
    // The next attempt (what Temporal's retry would make) succeeds.
    await expect(axiom.heartbeats(p, at(-300), at(-180))).resolves.toMatchObject({ count: 12 });
  });

  it("bounds the SDK's own retry on 5xx to one, then fails retryably", async () => {
    let axiom = await start([{ api: 'axiom', kind: 'ServerError', times: 1 }]);
    await expect(axiom.heartbeats(profile(config(server.url)), at(-300), at(-180))).resolves.toMatchObject({ count: 12 });
    expect(world.callCount('axiom')).toBe(2);
    await server.close();

    axiom = await start([{ api: 'axiom', kind: 'ServerError' }]);
    const err = await rejection(axiom.heartbeats(profile(config(server.url)), at(-300), at(-180)));
    expect(err).not.toBeInstanceOf(PermanentFault);
    expect(err.message).toMatch(/Internal Server Error/);
    expect(world.callCount('axiom')).toBe(2);
  });

  it('answers BadConfig when no token is set, without calling Axiom', async () => {
    await start();
    const saved = process.env.AXIOM_TOKEN;
    delete process.env.AXIOM_TOKEN;
    try {
      const c = config(server.url);
      const err = await rejection(createAxiomTelemetry(c).heartbeats(profile(c), at(-120), at(0)));
      expect(err).toBeInstanceOf(PermanentFault);
      expect(err).toMatchObject({ type: 'BadConfig', message: 'AXIOM_TOKEN is not set' });
    } finally {
      if (saved !== undefined) process.env.AXIOM_TOKEN = saved;
    }
    expect(server.queries).toHaveLength(0);
  });

  it('takes the token from AXIOM_TOKEN and refuses an endpoint with a path', async () => {
    await start();
    const saved = process.env.AXIOM_TOKEN;
    process.env.AXIOM_TOKEN = TOKEN;
    try {
      const c = config(server.url);
      await expect(createAxiomTelemetry(c).heartbeats(profile(c), at(-300), at(-180))).resolves.toMatchObject({ count: 12 });
      const withPath = config(`${server.url}/v1/datasets/_apl`);
      await expect(createAxiomTelemetry(withPath).heartbeats(profile(withPath), at(-120), at(0))).rejects.toMatchObject({ type: 'BadConfig' });
    } finally {
      if (saved === undefined) delete process.env.AXIOM_TOKEN;
      else process.env.AXIOM_TOKEN = saved;
    }
  });
});

describe('Axiom adapter against stub servers', () => {
  let stub: Server | undefined;

  /** A server that answers every request with `status` and `body`, or never answers when status is 0. */
  async function startStub(status: number, body = ''): Promise<string> {
    stub = createServer((req, res) => {
      req.resume();
      if (status === 0) return;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((resolve) => stub!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  }

  afterEach(async () => {
    const s = stub;
    stub = undefined;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  it('gives up after callTimeoutMs with a retryable timeout error', async () => {
    const url = await startStub(0);
    const c = config(url, {}, 300);
    const started = Date.now();
    const err = await rejection(createAxiomTelemetry(c, { token: TOKEN }).heartbeats(profile(c), at(-120), at(0)));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).not.toBeInstanceOf(PermanentFault);
    expect(err.message).toBe('Axiom heartbeats query did not answer within 300 ms');
  });

  it('turns a rejected query (400) into BadConfig', async () => {
    const url = await startStub(400, JSON.stringify({ code: 400, message: 'parse error: unexpected token at 1:20' }));
    const c = config(url);
    const err = await rejection(createAxiomTelemetry(c, { token: TOKEN }).heartbeats(profile(c), at(-120), at(0)));
    expect(err).toMatchObject({ type: 'BadConfig' });
    expect(err.message).toContain('parse error');
  });

  it('turns 401 (which the SDK reports as "forbidden") into AccessDenied', async () => {
    const url = await startStub(401, JSON.stringify({ code: 401, message: 'Unauthorized' }));
    const c = config(url);
    await expect(createAxiomTelemetry(c, { token: TOKEN }).jobTraces(profile(c), at(-120), at(0))).rejects.toMatchObject({
      type: 'AccessDenied',
    });
  });
});
