/**
 * The two files an operator writes — the region config and a simulation scenario — fail fast with an
 * error that names the bad key, and fill in documented defaults.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, configPath, DEFAULT_THRESHOLDS, loadConfig, parseConfig } from '../../config';
import { parseScenario, ScenarioError } from '../../sim/scenario';

const aws = () => ({
  cloud: 'aws',
  axiom: { heartbeatDataset: 'backend-logs' },
  approvers: ['alice'],
  ecs: { cluster: 'prod', service: 'backend-background' },
  sqs: { queueUrls: ['http://localhost/000000000000/jobs'] },
  logs: { logGroup: '/ecs/backend-background' },
});
const gcp = () => ({
  cloud: 'gcp',
  axiom: { heartbeatDataset: 'backend-logs' },
  approvers: ['bob'],
  project: 'acme-prod',
  location: 'europe-west1',
  cloudRun: { service: 'backend' },
  pubsub: { subscriptions: ['jobs-sub'] },
});

describe('parseConfig', () => {
  test('fills defaults: thresholds, Axiom fields, AWS region, task queue, call timeout', () => {
    const c = parseConfig({ regions: { 'eu-west-1': aws(), 'europe-west1': gcp() } });
    const eu = c.regions['eu-west-1'];
    expect(eu.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect(DEFAULT_THRESHOLDS).toMatchObject({ recheckIntervalSec: 30, blipWindowSec: 120, approvalTimeoutSec: 1800, recoveryWindowSec: 600 });
    expect(eu.axiom).toMatchObject({ regionValue: 'eu-west-1', traceService: 'legion-backend', traceEnvironment: 'production', traceSpanName: 'run_job' });
    expect(eu).toMatchObject({ cloud: 'aws', awsRegion: 'eu-west-1', region: 'eu-west-1' });
    expect(c.regions['europe-west1']).toMatchObject({ cloud: 'gcp', logs: {} });
    expect(c).toMatchObject({ taskQueue: 'liveness-runbook', callTimeoutMs: 10_000, monitorRegions: {}, endpoints: {} });
  });

  test('overrides thresholds key by key', () => {
    const c = parseConfig({ regions: { 'eu-west-1': { ...aws(), thresholds: { approvalTimeoutSec: 900 } } } });
    expect(c.regions['eu-west-1'].thresholds).toEqual({ ...DEFAULT_THRESHOLDS, approvalTimeoutSec: 900 });
  });

  const withRegion = (over: Record<string, unknown>) => ({ regions: { 'eu-west-1': { ...aws(), ...over } } });
  test.each<[string, unknown, string]>([
    ['not an object', 'regions', 'config: required, an object'],
    ['no regions', {}, 'regions: required, an object'],
    ['empty regions', { regions: {} }, 'regions: at least one region is required'],
    ['bad region name', { regions: { EU_West: aws() } }, 'regions.EU_West: region names are lower-case'],
    ['bad cloud', withRegion({ cloud: 'azure' }), 'regions.eu-west-1.cloud: required, "aws" or "gcp" (got "azure")'],
    ['missing ECS cluster', withRegion({ ecs: { service: 'x' } }), 'regions.eu-west-1.ecs.cluster: required, a non-empty string'],
    ['missing ecs block', withRegion({ ecs: undefined }), 'regions.eu-west-1.ecs: required, an object'],
    ['empty approvers', withRegion({ approvers: [] }), 'regions.eu-west-1.approvers: required, a non-empty list'],
    ['approver not a string', withRegion({ approvers: ['alice', 3] }), 'regions.eu-west-1.approvers:'],
    ['missing Axiom dataset', withRegion({ axiom: {} }), 'regions.eu-west-1.axiom.heartbeatDataset: required'],
    ['unknown threshold', withRegion({ thresholds: { blipWindow: 60 } }), 'regions.eu-west-1.thresholds.blipWindow: unknown threshold'],
    ['negative threshold', withRegion({ thresholds: { recheckIntervalSec: -1 } }), 'regions.eu-west-1.thresholds.recheckIntervalSec: must be a positive number'],
    ['threshold as a string', withRegion({ thresholds: { approvalTimeoutSec: '30m' } }), 'regions.eu-west-1.thresholds.approvalTimeoutSec: must be a positive number'],
    ['recheck longer than the blip window', withRegion({ thresholds: { recheckIntervalSec: 300 } }), 'regions.eu-west-1.thresholds.recheckIntervalSec: must not exceed blipWindowSec'],
    ['sqs queueUrls not a list', withRegion({ sqs: { queueUrls: 'http://q' } }), 'regions.eu-west-1.sqs.queueUrls: required, a list'],
    ['unknown endpoint', { ...withRegion({}), endpoints: { s3: 'http://x' } }, 'endpoints.s3: unknown endpoint'],
    ['empty endpoint', { ...withRegion({}), endpoints: { ecs: '' } }, 'endpoints.ecs: required, a non-empty string'],
    ['monitor mapped to an unknown region', { ...withRegion({}), monitorRegions: { 'mon-1': 'us-east-1' } }, 'monitorRegions.mon-1: must name a configured region (got "us-east-1")'],
    ['bad call timeout', { ...withRegion({}), callTimeoutMs: 0 }, 'callTimeoutMs: must be a positive number'],
    ['bad webhook', { ...withRegion({}), notifications: { slackWebhookUrl: 42 } }, 'notifications.slackWebhookUrl: required, a non-empty string'],
  ])('%s → error naming the key', (_name, raw, message) => {
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(message);
  });

  test('GCP profile: missing project named', () => {
    const { project: _drop, ...noProject } = gcp();
    expect(() => parseConfig({ regions: { 'europe-west1': noProject } })).toThrow('regions.europe-west1.project: required, a non-empty string');
  });
});

describe('loadConfig and configPath', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'liveness-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('reads a valid file', () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify({ regions: { 'eu-west-1': aws() } }));
    expect(Object.keys(loadConfig(file).regions)).toEqual(['eu-west-1']);
  });

  test('names the file in every error: unreadable, not JSON, bad key', () => {
    const missing = join(dir, 'missing.json');
    expect(() => loadConfig(missing)).toThrow(`config file ${missing}: cannot be read`);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "regions": ');
    expect(() => loadConfig(broken)).toThrow(`config file ${broken}: not valid JSON`);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ regions: { 'eu-west-1': { ...aws(), approvers: [] } } }));
    expect(() => loadConfig(bad)).toThrow(`config file ${bad}: regions.eu-west-1.approvers: required`);
  });

  test('LIVENESS_CONFIG overrides the default path', () => {
    expect(configPath({})).toBe('config/regions.json');
    expect(configPath({ LIVENESS_CONFIG: '/etc/liveness.json' })).toBe('/etc/liveness.json');
  });
});

describe('parseScenario', () => {
  /** A valid scenario as an operator writes it, to break one field at a time. */
  const raw = () => ({
    name: 'outage',
    region: 'eu-west-1',
    cloud: 'aws',
    heartbeats: [{ from: -3600, to: -180, everySec: 10 }] as unknown[],
    queues: [{ name: 'jobs', backlog: 500, consumedPerMin: 0 }],
    service: { platform: 'ecs', desired: 2, running: 0, stoppedTasks: [{ taskId: 't1', at: -200, stoppedReason: 'OutOfMemoryError', exitCode: 137 }] } as Record<string, unknown>,
    logs: [{ at: -210, message: 'heap out of memory', repeat: { count: 3, everySec: 5 } }],
    restart: { recoversAfterSec: 60 },
  });

  test('a valid scenario parses, with defaults for what it leaves out', () => {
    const s = parseScenario(raw());
    expect(s).toMatchObject({ name: 'outage', description: '', cloud: 'aws', region: 'eu-west-1', jobTraces: [], restart: { recoversAfterSec: 60 }, faults: [] });
    expect(s.service).toMatchObject({ platform: 'ecs', desired: 2, running: 0, pending: 0, events: [] });
    expect(s.logs[0].repeat).toEqual({ count: 3, everySec: 5 });
    expect(parseScenario({ ...raw(), restart: { recoversAfterSec: null } }).restart.recoversAfterSec).toBeNull();
  });

  test.each<[string, (r: ReturnType<typeof raw>) => unknown, string]>([
    ['not an object', () => [], 'scenario: must be a JSON object'],
    ['bad cloud', (r) => ({ ...r, cloud: 'azure' }), 'cloud: required, "aws" or "gcp" (got "azure")'],
    ['no name', (r) => ({ ...r, name: '' }), 'scenario.name: required, a non-empty string'],
    ['platform for the other cloud', (r) => ({ ...r, cloud: 'gcp' }), 'service.platform: must be "cloud-run" for cloud gcp'],
    ['unknown platform', (r) => ({ ...r, service: { ...r.service, platform: 'k8s' } }), 'service.platform: required, "ecs" or "cloud-run" (got "k8s")'],
    ['missing desired count', (r) => ({ ...r, service: { ...r.service, desired: undefined } }), 'service.desired: required, a number'],
    ['stopped task without a reason', (r) => ({ ...r, service: { ...r.service, stoppedTasks: [{ taskId: 't', at: -1 }] } }), 'service.stoppedTasks[0].stoppedReason: required'],
    ['zero everySec', (r) => ({ ...r, heartbeats: [r.heartbeats[0], { from: 0, everySec: 0 }] }), 'scenario.heartbeats[1].everySec: must be positive'],
    ['span ending before it starts', (r) => ({ ...r, heartbeats: [{ from: 10, to: 5, everySec: 1 }] }), 'scenario.heartbeats[0].to: must be after "from"'],
    ['heartbeats not a list', (r) => ({ ...r, heartbeats: { from: 0, everySec: 1 } }), 'scenario.heartbeats: must be a list'],
    ['queue without a backlog', (r) => ({ ...r, queues: [{ name: 'q' }] }), 'scenario.queues[0].backlog: required, a number'],
    ['log repeat not an object', (r) => ({ ...r, logs: [{ at: 0, message: 'x', repeat: 3 }] }), 'scenario.logs[0].repeat: must be an object'],
    ['no restart block', (r) => ({ ...r, restart: undefined }), 'restart: required, an object'],
    ['negative recovery', (r) => ({ ...r, restart: { recoversAfterSec: -5 } }), 'restart.recoversAfterSec: required, a number of seconds or null'],
    ['unknown fault api', (r) => ({ ...r, faults: [{ api: 's3', kind: 'AccessDenied' }] }), 'scenario.faults[0].api: must be one of axiom, ecs'],
    ['unknown fault kind', (r) => ({ ...r, faults: [{ api: 'ecs', kind: 'Boom' }] }), 'scenario.faults[0].kind: must be one of AccessDenied'],
    ['bad expected answer', (r) => ({ ...r, expect: { answer: 'maybe' } }), 'expect.answer: must be approve, reject or none'],
  ])('%s → error naming the field', (_name, breakIt, message) => {
    const broken = breakIt(raw());
    expect(() => parseScenario(broken)).toThrow(ScenarioError);
    expect(() => parseScenario(broken)).toThrow(message);
  });
});

describe('shipped files', () => {
  test('config/regions.example.json (the README example) is a valid config', () => {
    const config = loadConfig(join(__dirname, '..', '..', 'config', 'regions.example.json'));
    expect(Object.keys(config.regions)).toEqual(['eu-west-1', 'europe-west1']);
    expect(config.regions['eu-west-1'].thresholds.approvalTimeoutSec).toBe(1800);
  });

  test('a parsed scenario reads back as itself', () => {
    const once = parseScenario({ ...JSON.parse(readFileSync(join(__dirname, '..', 'scenarios', 'aws-blip.json'), 'utf8')), description: '' });
    expect(parseScenario(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });
});
