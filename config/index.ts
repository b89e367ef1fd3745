/**
 * Parses and validates the config file. Every error names the key that is wrong, e.g.
 * `regions.eu-west-1.ecs.cluster: required, a non-empty string`.
 */
import { readFileSync } from 'node:fs';
import {
  AppConfig,
  AxiomProfile,
  DEFAULT_TASK_QUEUE,
  DEFAULT_THRESHOLDS,
  Endpoints,
  RegionProfile,
} from './schema';
import type { Thresholds } from '../workflows/types';

export * from './schema';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function isConfigError(err: unknown): err is ConfigError {
  return err instanceof ConfigError;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) throw new ConfigError(`${path}: required, an object`);
  return v;
}

function str(o: Obj, key: string, path: string, fallback?: string): string {
  const v = o[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(`${path}.${key}: required, a non-empty string`);
  return v;
}

function optStr(o: Obj, key: string, path: string): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, path);
}

function strList(o: Obj, key: string, path: string, allowEmpty = false): string[] {
  const v = o[key];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s.trim() === '') || (!allowEmpty && v.length === 0)) {
    throw new ConfigError(`${path}.${key}: required, a ${allowEmpty ? '' : 'non-empty '}list of non-empty strings`);
  }
  return v as string[];
}

function thresholds(v: unknown, path: string): Thresholds {
  if (v === undefined) return { ...DEFAULT_THRESHOLDS };
  const o = obj(v, path);
  const out: Thresholds = { ...DEFAULT_THRESHOLDS };
  for (const [key, value] of Object.entries(o)) {
    if (!(key in DEFAULT_THRESHOLDS)) {
      throw new ConfigError(`${path}.${key}: unknown threshold (known: ${Object.keys(DEFAULT_THRESHOLDS).join(', ')})`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new ConfigError(`${path}.${key}: must be a positive number of seconds`);
    }
    out[key as keyof Thresholds] = value;
  }
  if (out.recheckIntervalSec > out.blipWindowSec) {
    throw new ConfigError(`${path}.recheckIntervalSec: must not exceed blipWindowSec (${out.blipWindowSec})`);
  }
  return out;
}

function axiomProfile(v: unknown, path: string, region: string): AxiomProfile {
  const o = obj(v, path);
  return {
    heartbeatDataset: str(o, 'heartbeatDataset', path),
    heartbeatFilter: str(o, 'heartbeatFilter', path, `['service.name'] == "backend-background" and message == "heartbeat"`),
    tracesDataset: str(o, 'tracesDataset', path, 'traces'),
    regionField: str(o, 'regionField', path, `['cloud.region']`),
    regionValue: str(o, 'regionValue', path, region),
    traceService: str(o, 'traceService', path, 'legion-backend'),
    traceEnvironment: str(o, 'traceEnvironment', path, 'production'),
    traceSpanName: str(o, 'traceSpanName', path, 'run_job'),
  };
}

function regionProfile(region: string, v: unknown): RegionProfile {
  const path = `regions.${region}`;
  const o = obj(v, path);
  const common = {
    region,
    axiom: axiomProfile(o.axiom, `${path}.axiom`, region),
    approvers: strList(o, 'approvers', path),
    thresholds: thresholds(o.thresholds, `${path}.thresholds`),
  };
  const cloud = o.cloud;
  if (cloud === 'aws') {
    const ecs = obj(o.ecs, `${path}.ecs`);
    const sqs = obj(o.sqs, `${path}.sqs`);
    const logs = obj(o.logs, `${path}.logs`);
    return {
      ...common,
      cloud,
      awsRegion: str(o, 'awsRegion', path, region),
      ecs: { cluster: str(ecs, 'cluster', `${path}.ecs`), service: str(ecs, 'service', `${path}.ecs`) },
      sqs: { queueUrls: strList(sqs, 'queueUrls', `${path}.sqs`, true) },
      logs: { logGroup: str(logs, 'logGroup', `${path}.logs`), filterPattern: optStr(logs, 'filterPattern', `${path}.logs`) },
    };
  }
  if (cloud === 'gcp') {
    const run = obj(o.cloudRun, `${path}.cloudRun`);
    const pubsub = obj(o.pubsub, `${path}.pubsub`);
    const logs = o.logs === undefined ? {} : obj(o.logs, `${path}.logs`);
    return {
      ...common,
      cloud,
      project: str(o, 'project', path),
      location: str(o, 'location', path),
      cloudRun: { service: str(run, 'service', `${path}.cloudRun`) },
      pubsub: { subscriptions: strList(pubsub, 'subscriptions', `${path}.pubsub`, true) },
      logs: { filter: optStr(logs, 'filter', `${path}.logs`) },
    };
  }
  throw new ConfigError(`${path}.cloud: required, "aws" or "gcp" (got ${JSON.stringify(cloud)})`);
}

const ENDPOINT_KEYS: (keyof Endpoints)[] = [
  'axiom', 'ecs', 'sqs', 'cloudwatch', 'cloudwatchLogs', 'run', 'monitoring', 'logging', 'pubsub',
];

function endpoints(v: unknown): Endpoints {
  if (v === undefined) return {};
  const o = obj(v, 'endpoints');
  const out: Endpoints = {};
  for (const key of Object.keys(o)) {
    if (!ENDPOINT_KEYS.includes(key as keyof Endpoints)) {
      throw new ConfigError(`endpoints.${key}: unknown endpoint (known: ${ENDPOINT_KEYS.join(', ')})`);
    }
    out[key as keyof Endpoints] = str(o, key, 'endpoints');
  }
  return out;
}

/** Validates a parsed config object; throws ConfigError naming the first bad key. */
export function parseConfig(raw: unknown): AppConfig {
  const o = obj(raw, 'config');
  const regionsRaw = obj(o.regions, 'regions');
  if (Object.keys(regionsRaw).length === 0) throw new ConfigError('regions: at least one region is required');
  const regions: Record<string, RegionProfile> = {};
  for (const [name, profile] of Object.entries(regionsRaw)) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
      throw new ConfigError(`regions.${name}: region names are lower-case letters, digits and dashes`);
    }
    regions[name] = regionProfile(name, profile);
  }
  const monitorRegions: Record<string, string> = {};
  if (o.monitorRegions !== undefined) {
    for (const [monitor, region] of Object.entries(obj(o.monitorRegions, 'monitorRegions'))) {
      if (typeof region !== 'string' || !(region in regions)) {
        throw new ConfigError(`monitorRegions.${monitor}: must name a configured region (got ${JSON.stringify(region)})`);
      }
      monitorRegions[monitor] = region;
    }
  }
  const notifications = o.notifications === undefined ? {} : obj(o.notifications, 'notifications');
  const callTimeoutMs = o.callTimeoutMs ?? 10_000;
  if (typeof callTimeoutMs !== 'number' || callTimeoutMs <= 0) {
    throw new ConfigError('callTimeoutMs: must be a positive number of milliseconds');
  }
  if (o.searchAttributes !== undefined && typeof o.searchAttributes !== 'boolean') {
    throw new ConfigError('searchAttributes: must be true or false');
  }
  return {
    taskQueue: str(o, 'taskQueue', 'config', DEFAULT_TASK_QUEUE),
    searchAttributes: o.searchAttributes === true,
    regions,
    monitorRegions,
    endpoints: endpoints(o.endpoints),
    notifications: { slackWebhookUrl: optStr(notifications, 'slackWebhookUrl', 'notifications') },
    callTimeoutMs,
  };
}

/** Reads and validates a config file; the error names the file and the bad key. */
export function loadConfig(file: string): AppConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`config file ${file}: cannot be read (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${file}: not valid JSON (${(err as Error).message})`);
  }
  try {
    return parseConfig(raw);
  } catch (err) {
    if (isConfigError(err)) throw new ConfigError(`config file ${file}: ${err.message}`);
    throw err;
  }
}

/** The config file path: `$LIVENESS_CONFIG`, else `config/regions.json` under the working directory. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.LIVENESS_CONFIG ?? 'config/regions.json';
}
