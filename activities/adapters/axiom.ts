/**
 * Axiom telemetry: heartbeats and `run_job` traces counted with APL through `@axiomhq/js` 1.8.0.
 *
 * On the wire (read from the SDK's source, checked against the simulated server):
 *   POST <url>/v1/datasets/_apl?format=tabular
 *   Authorization: Bearer <token>   [X-Axiom-Org-Id: <org> when set]
 *   {"apl": "...", "startTime": "<RFC 3339>", "endTime": "<RFC 3339>"}
 * and the tabular answer `{ tables: [{ fields: [{name, type}], columns: [[...], ...] }], status, ... }`.
 * The format is pinned to `tabular` here: 1.x defaults to `legacy` and 2.x to `tabular`, so leaving it
 * implicit would let an upgrade silently change the shape this file parses.
 *
 * Limits of the SDK that shape this file: `query()` takes no AbortSignal (it aborts on its own after
 * 120 s), so the per-call timeout is a race; it retries once by itself, 1 s later, on 500/502/503/504
 * and network errors, which we cannot turn off (at most two HTTP attempts per call, both inside our
 * deadline); and it keeps no HTTP status except 401 ("forbidden") and 429 (AxiomTooManyRequestsError),
 * so other faults are told apart by Axiom's error message.
 */
import { AxiomWithoutBatching } from '@axiomhq/js';
import type { AppConfig, AxiomProfile, RegionProfile } from '../../config/schema';
import { PermanentFault } from '../errors';
import type { Count, TelemetryPort } from '../ports';

export interface AxiomOptions {
  /** API token (`xaat-…`); default `$AXIOM_TOKEN`. */
  token?: string;
  /** Organization ID, only needed for personal tokens; default `$AXIOM_ORG_ID`. */
  orgId?: string;
}

/** The two aggregates every query ends with; the parser below reads them back by these names. */
const TOTAL = 'total';
const LAST_SEEN = 'lastSeen';
const SUMMARIZE = `summarize ${TOTAL} = count(), ${LAST_SEEN} = max(_time)`;

/**
 * The Axiom implementation of the telemetry port. Configuration faults (no token, a bad endpoint or
 * field name) surface on each call as `PermanentFault('BadConfig')`, so the investigation records
 * "could not assess" instead of the worker refusing to start.
 */
export function createAxiomTelemetry(config: AppConfig, options: AxiomOptions = {}): TelemetryPort {
  const client = axiomClient(config, options);
  const run = async (kind: string, apl: string, from: Date, to: Date): Promise<Count> => {
    if (client instanceof PermanentFault) throw client;
    const query = client.query(apl, { startTime: from.toISOString(), endTime: to.toISOString(), format: 'tabular' });
    try {
      return readCount(await withTimeout(query, config.callTimeoutMs, `Axiom ${kind} query`));
    } catch (err) {
      throw classify(kind, err, options.token ?? process.env.AXIOM_TOKEN);
    }
  };
  return {
    heartbeats: async (profile, from, to) => run('heartbeats', heartbeatsApl(profile), from, to),
    jobTraces: async (profile, from, to) => run('run_job traces', jobTracesApl(profile), from, to),
  };
}

function axiomClient(config: AppConfig, options: AxiomOptions): AxiomWithoutBatching | PermanentFault {
  const token = options.token ?? process.env.AXIOM_TOKEN;
  if (!token) return new PermanentFault('BadConfig', 'AXIOM_TOKEN is not set');
  const url = config.endpoints.axiom;
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return new PermanentFault('BadConfig', `endpoints.axiom: not a URL (${JSON.stringify(url)})`);
    }
    // The SDK uses a URL that has a path as the query URL itself, so only an origin is accepted.
    if (parsed.pathname !== '/' || parsed.search) {
      return new PermanentFault('BadConfig', `endpoints.axiom: must be an origin such as https://api.axiom.co (got a path)`);
    }
  }
  const orgId = options.orgId ?? process.env.AXIOM_ORG_ID;
  return new AxiomWithoutBatching({ token, url, ...(orgId ? { orgId } : {}) });
}

/** Runbook step 1: heartbeat events of the region in the window. */
export function heartbeatsApl(profile: RegionProfile): string {
  const a = profile.axiom;
  return [
    dataset(a.heartbeatDataset, 'heartbeatDataset'),
    `where ${field(a.regionField, 'regionField')} == ${aplString(a.regionValue)} and (${predicate(a.heartbeatFilter)})`,
    SUMMARIZE,
  ].join(' | ');
}

/** Runbook step 2a, the runbook's own query narrowed to the region. */
export function jobTracesApl(profile: RegionProfile): string {
  const a: AxiomProfile = profile.axiom;
  return [
    dataset(a.tracesDataset, 'tracesDataset'),
    `where ['service.name'] == ${aplString(a.traceService)}`,
    `where ['resource.deployment.environment'] == ${aplString(a.traceEnvironment)}`,
    `where name == ${aplString(a.traceSpanName)}`,
    `where ${field(a.regionField, 'regionField')} == ${aplString(a.regionValue)}`,
    SUMMARIZE,
  ].join(' | ');
}

/** An APL string literal: double-quoted, backslash escapes. Other control characters are refused. */
export function aplString(value: string): string {
  const escapes: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) {
    throw new PermanentFault('BadConfig', `axiom: value ${JSON.stringify(value)} contains a control character`);
  }
  return `"${value.replace(/[\\"\n\r\t]/g, (c) => escapes[c])}"`;
}

function dataset(name: string, key: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new PermanentFault('BadConfig', `axiom.${key}: ${JSON.stringify(name)} is not a dataset name`);
  }
  return `['${name}']`;
}

/** A field reference as APL writes it: `a.b_c` or `['any.name']` / `["any.name"]`. */
const FIELD_REF = /^(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|\['[^'\\\]\n]+'\]|\["[^"\\\]\n]+"\])$/;

function field(ref: string, key: string): string {
  if (!FIELD_REF.test(ref)) {
    throw new PermanentFault('BadConfig', `axiom.${key}: ${JSON.stringify(ref)} is not an APL field reference like ['cloud.region']`);
  }
  return ref;
}

/**
 * The configured heartbeat predicate is trusted APL, but it is pasted inside `( … )` of one `where`:
 * a `|` or an unbalanced parenthesis outside string literals would change the query's shape.
 */
function predicate(apl: string): string {
  const bad = () =>
    new PermanentFault('BadConfig', `axiom.heartbeatFilter: must be one APL predicate (balanced, no "|"): ${JSON.stringify(apl)}`);
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < apl.length; i++) {
    const c = apl[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' || c === '\n' || c === '\r') throw bad();
    if (depth < 0) throw bad();
  }
  if (depth !== 0 || quote) throw bad();
  return apl;
}

interface TabularTable {
  fields?: { name: string }[];
  columns?: unknown[][];
}

/** Reads `total` and `lastSeen` from the first table; a summarize over no rows may come back empty. */
function readCount(result: { tables?: TabularTable[] }): Count {
  const table = result.tables?.[0];
  if (!table || !Array.isArray(table.fields)) throw new Error('Axiom answered without a result table');
  const column = (name: string) => {
    const i = table.fields!.findIndex((f) => f.name === name);
    if (i < 0) throw new Error(`Axiom answered without the "${name}" column`);
    return table.columns?.[i]?.[0];
  };
  const total = column(TOTAL) ?? 0;
  const last = column(LAST_SEEN);
  if (typeof total !== 'number') throw new Error(`Axiom answered a non-numeric count (${JSON.stringify(total)})`);
  if (total === 0 || last === null || last === undefined) return { count: total };
  const at = new Date(String(last));
  if (Number.isNaN(at.getTime())) throw new Error(`Axiom answered an unreadable time (${JSON.stringify(last)})`);
  return { count: total, lastSeenAt: at.toISOString() };
}

class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // The SDK cannot be cancelled: the abandoned request ends on its own (its 120 s abort), unobserved.
  work.catch(() => undefined);
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sorts SDK errors into permanent faults and retryable ones. The SDK's messages are Axiom's own
 * `message` field, so the patterns follow Axiom's error texts; anything unrecognised is retryable
 * (the activity's bounded retry policy then turns it into "could not assess").
 */
function classify(kind: string, err: unknown, token: string | undefined): Error {
  if (err instanceof PermanentFault || err instanceof TimeoutError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  // Never let the token reach evidence or logs, should a message ever echo a request.
  const message = (token ? raw.split(token).join('***') : raw).slice(0, 300);
  const what = `Axiom ${kind} query`;
  if (err instanceof Error && err.constructor.name === 'AxiomTooManyRequestsError') {
    return new Error(`${what} was throttled: ${message}`);
  }
  if (/forbidden|unauthori[sz]ed|unauthenticated|permission|access denied|invalid token/i.test(message)) {
    return new PermanentFault('AccessDenied', `${what}: access denied (${message})`);
  }
  if (/not found|does not exist|no such dataset|unknown dataset/i.test(message)) {
    return new PermanentFault('NotFound', `${what}: ${message}`);
  }
  if (/parse|syntax|invalid (query|apl)|bad request|unknown (field|column|function)/i.test(message)) {
    return new PermanentFault('BadConfig', `${what} was rejected: ${message}`);
  }
  return new Error(`${what} failed: ${message}`);
}
