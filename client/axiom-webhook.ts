/**
 * Parsing of Axiom monitor webhooks into alerts. Two bodies are accepted:
 *
 * 1. Axiom's default notifier body:
 *    `{"action": "Open"|"Closed", "event": {"monitorID", "title", "body", "description", "queryStartTime",
 *      "queryEndTime", "timestamp", "value", "matchedEvent", "groupKeys", "groupValues"}}`
 *    with times in Go's `time.String()` form (`2026-12-04 10:15:00.123456789 +0000 UTC`).
 * 2. The custom-template body documented in the README:
 *    `{"status": "open"|"closed", "region": "eu-west-1", "monitorId"?: "…", "firedAt"?: "<RFC 3339>", "alertId"?: "…"}`
 *
 * The region comes from the group values (a group key named like `region`), else from the config's
 * monitor → region map.
 */
import type { AppConfig } from '../config/schema';
import type { Alert } from '../workflows/types';

export class WebhookError extends Error {
  constructor(
    readonly status: 400 | 422,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

export interface ParsedWebhook {
  action: 'open' | 'closed';
  alert: Alert;
}

/** Group keys that carry the region, most specific first. */
const REGION_KEYS = ['region', 'cloud.region', 'resource.cloud.region', 'aws.region', 'gcp.region', 'location'];

type O = Record<string, unknown>;
const isObj = (v: unknown): v is O => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses Go's `time.String()` output (and RFC 3339) to an ISO string; undefined when it is neither. */
export function parseAxiomTime(v: unknown): string | undefined {
  if (typeof v !== 'string' || !v.trim()) return undefined;
  const go = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? ([+-]\d{2})(\d{2})(?: [A-Za-z0-9+-]+)?(?: m=[+-][\d.]+)?$/.exec(v.trim());
  const text = go ? `${go[1]}T${go[2]}${go[3] ? go[3].slice(0, 4) : ''}${go[4]}:${go[5]}` : v.trim();
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function regionFromGroups(event: O): string | undefined {
  const keys = event.groupKeys;
  const values = event.groupValues;
  if (!Array.isArray(keys) || !Array.isArray(values)) return undefined;
  for (const wanted of REGION_KEYS) {
    const i = keys.findIndex((k) => typeof k === 'string' && k.replace(/^\['|'\]$/g, '').toLowerCase() === wanted);
    if (i >= 0 && typeof values[i] === 'string' && values[i]) return values[i] as string;
  }
  return undefined;
}

function checkRegion(region: string | undefined, config: AppConfig, hint: string): string {
  if (!region) throw new WebhookError(422, `cannot tell the region: ${hint}`);
  if (!config.regions[region]) {
    throw new WebhookError(422, `unknown region ${JSON.stringify(region)}; configured regions: ${Object.keys(config.regions).join(', ')}`);
  }
  return region;
}

function parseDefault(body: O, config: AppConfig, receivedAt: Date): ParsedWebhook {
  const action = body.action;
  if (action !== 'Open' && action !== 'Closed') {
    throw new WebhookError(400, `"action" must be "Open" or "Closed" (got ${JSON.stringify(action)})`);
  }
  if (!isObj(body.event)) throw new WebhookError(400, '"event" is required, an object');
  const event = body.event;
  const monitorId = typeof event.monitorID === 'string' && event.monitorID ? event.monitorID : undefined;
  if (event.groupKeys !== undefined && !Array.isArray(event.groupKeys)) throw new WebhookError(400, '"event.groupKeys" must be a list');
  if (event.groupValues !== undefined && !Array.isArray(event.groupValues)) throw new WebhookError(400, '"event.groupValues" must be a list');
  if (event.timestamp !== undefined && parseAxiomTime(event.timestamp) === undefined) {
    throw new WebhookError(400, `"event.timestamp" is not a time (got ${JSON.stringify(event.timestamp)})`);
  }
  const region = checkRegion(
    regionFromGroups(event) ?? (monitorId ? config.monitorRegions[monitorId] : undefined),
    config,
    `no group key named ${REGION_KEYS.join('/')} in event.groupKeys, and monitor ${monitorId ?? '(no event.monitorID)'} is not in the config's monitorRegions`,
  );
  const firedAt = parseAxiomTime(event.timestamp) ?? parseAxiomTime(event.queryEndTime) ?? receivedAt.toISOString();
  return {
    action: action === 'Open' ? 'open' : 'closed',
    alert: { region, firedAt, source: 'axiom', monitorId, alertId: monitorId ? `${monitorId}@${firedAt}` : undefined },
  };
}

function parseCustom(body: O, config: AppConfig, receivedAt: Date): ParsedWebhook {
  const status = typeof body.status === 'string' ? body.status.toLowerCase() : body.status;
  if (status !== 'open' && status !== 'closed') throw new WebhookError(400, `"status" must be "open" or "closed" (got ${JSON.stringify(body.status)})`);
  if (body.region !== undefined && typeof body.region !== 'string') throw new WebhookError(400, '"region" must be a string');
  const monitorId = typeof body.monitorId === 'string' ? body.monitorId : undefined;
  const region = checkRegion(
    (body.region as string | undefined) || (monitorId ? config.monitorRegions[monitorId] : undefined),
    config,
    '"region" is missing and "monitorId" is not in the config\'s monitorRegions',
  );
  let firedAt = receivedAt.toISOString();
  if (body.firedAt !== undefined) {
    const t = parseAxiomTime(body.firedAt);
    if (!t) throw new WebhookError(400, `"firedAt" must be an RFC 3339 time (got ${JSON.stringify(body.firedAt)})`);
    firedAt = t;
  }
  const alertId = typeof body.alertId === 'string' ? body.alertId : undefined;
  return { action: status, alert: { region, firedAt, source: 'axiom', monitorId, alertId } };
}

/** Validates a webhook body; throws WebhookError (400 malformed, 422 unknown region) naming the field. */
export function parseAxiomWebhook(body: unknown, config: AppConfig, receivedAt = new Date()): ParsedWebhook {
  if (!isObj(body)) throw new WebhookError(400, 'the body must be a JSON object');
  if ('action' in body || 'event' in body) return parseDefault(body, config, receivedAt);
  if ('status' in body) return parseCustom(body, config, receivedAt);
  throw new WebhookError(400, 'unrecognised body: expected Axiom\'s {"action", "event"} or the custom {"status", "region"}');
}
