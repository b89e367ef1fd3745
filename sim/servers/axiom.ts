/**
 * The simulated Axiom query API: `POST /v1/datasets/_apl?format=tabular`, the endpoint `@axiomhq/js`
 * 1.8.0 uses when given a `url`. It answers from the World, in Axiom's tabular result shape.
 *
 * It is not an APL engine. It parses exactly the shapes activities/adapters/axiom.ts emits and refuses
 * anything else with a 400, so a change in the adapter's queries shows up here instead of passing by:
 *
 *   ['<dataset>'] | where <field> == "<value>" [and (<predicate>)] | where … | summarize <a> = count(), <b> = max(_time)
 *
 * A query with a `name == "<span>"` clause is the `run_job` trace query; any other is the heartbeat query.
 * A `…region… == "<value>"` clause must name the scenario's region, else the answer is empty (no data
 * for that region). Other clauses (service, environment, the heartbeat predicate) are kept, not evaluated.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { World, WorldFault } from '../world';
import { serveLocal, type SimServer } from './types';

/** One `where` equality on a string, as decoded from the query text. */
export interface AplEquality {
  field: string;
  value: string;
}

export interface ParsedApl {
  dataset: string;
  equalities: AplEquality[];
  /** Predicates the simulator does not evaluate, verbatim (e.g. the configured heartbeat filter). */
  otherPredicates: string[];
  countAlias: string;
  lastAlias: string;
}

/** A query the server received, for tests to assert on (never the token). */
export interface RecordedQuery {
  apl: string;
  startTime?: string;
  endTime?: string;
  format: string | null;
  orgId?: string;
  parsed?: ParsedApl;
  status: number;
}

export type AxiomServer = SimServer & { queries: RecordedQuery[] };

export class AplError extends Error {}

const FIELD = String.raw`(?:\['[^']+'\]|\["[^"]+"\]|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)`;
const STRING = String.raw`"(?:[^"\\]|\\.)*"`;
const EQUALITY = new RegExp(`^(${FIELD})\\s*==\\s*(${STRING})$`, 's');
const SUMMARIZE = /^summarize\s+([A-Za-z_]\w*)\s*=\s*count\(\)\s*,\s*([A-Za-z_]\w*)\s*=\s*max\(_time\)$/;

/** Splits `text` on `sep` where it stands outside string literals and brackets. */
function splitTop(text: string, sep: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0) {
      const m = sep.exec(text.slice(i));
      if (m && m.index === 0) {
        parts.push(text.slice(start, i).trim());
        i += m[0].length - 1;
        start = i + 1;
      }
    }
  }
  if (quote || depth !== 0) throw new AplError('unbalanced quotes or brackets');
  parts.push(text.slice(start).trim());
  return parts;
}

function decodeString(literal: string): string {
  const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t' };
  return literal.slice(1, -1).replace(/\\(.)/gs, (_, c: string) => escapes[c] ?? c);
}

function unbracket(field: string): string {
  return /^\[['"](.*)['"]\]$/.exec(field)?.[1] ?? field;
}

/** Parses the adapter's query shapes (see the file comment); throws AplError for anything else. */
export function parseApl(apl: string): ParsedApl {
  const stages = splitTop(apl, /^\|/);
  const source = /^\[['"]([^'"]+)['"]\]$/.exec(stages[0]);
  if (!source) throw new AplError(`expected a dataset like ['name'] first, got ${JSON.stringify(stages[0])}`);
  const summarize = SUMMARIZE.exec(stages[stages.length - 1]);
  if (stages.length < 2 || !summarize) {
    throw new AplError('expected the query to end with summarize <a> = count(), <b> = max(_time)');
  }
  const parsed: ParsedApl = { dataset: source[1], equalities: [], otherPredicates: [], countAlias: summarize[1], lastAlias: summarize[2] };
  const conjuncts = (predicate: string): void => {
    for (const part of splitTop(predicate, /^\s+and\s+/)) {
      const eq = EQUALITY.exec(part);
      if (eq) parsed.equalities.push({ field: unbracket(eq[1]), value: decodeString(eq[2]) });
      else if (/^\(.*\)$/s.test(part)) parsed.otherPredicates.push(part);
      else throw new AplError(`unsupported predicate ${JSON.stringify(part)}`);
    }
  };
  for (const stage of stages.slice(1, -1)) {
    const where = /^where\s+(.+)$/s.exec(stage);
    if (!where) throw new AplError(`unsupported operator in ${JSON.stringify(stage)}`);
    conjuncts(where[1]);
  }
  return parsed;
}

/** Axiom's error body: `{"code": <status>, "message": "<text>"}`; the SDK surfaces `message`. */
function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify({ code: status, message }));
}

function faultResponse(res: ServerResponse, fault: WorldFault, dataset: string): number {
  switch (fault.kind) {
    case 'AccessDenied':
      sendError(res, 403, 'Forbidden: the token may not query this dataset');
      return 403;
    case 'NotFound':
      sendError(res, 404, `dataset "${dataset}" not found`);
      return 404;
    case 'Throttled': {
      const reset = String(Math.ceil(Date.now() / 1000) + 1);
      // The SDK reads X-RateLimit-* for this URL (its query check wants a path ending in /_apl).
      sendError(res, 429, 'Too Many Requests', {
        'X-RateLimit-Scope': 'organization',
        'X-RateLimit-Limit': '1000',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': reset,
        'X-QueryLimit-Limit': '1000',
        'X-QueryLimit-Remaining': '0',
        'X-QueryLimit-Reset': reset,
      });
      return 429;
    }
    default:
      sendError(res, 500, 'Internal Server Error');
      return 500;
  }
}

function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > limit) reject(new Error('request body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** The tabular answer to `summarize <count> = count(), <last> = max(_time)`: one row. */
function tabular(q: ParsedApl, start: string, end: string, count: number, lastSeenAt: string | undefined) {
  return {
    format: 'tabular',
    status: {
      elapsedTime: 1200,
      blocksExamined: 1,
      rowsExamined: count,
      rowsMatched: count,
      numGroups: 0,
      isPartial: false,
      cacheStatus: 1,
      minBlockTime: start,
      maxBlockTime: end,
    },
    tables: [
      {
        name: '0',
        sources: [{ name: q.dataset }],
        fields: [
          { name: q.countAlias, type: 'integer', agg: { name: 'count', args: [], fields: [] } },
          { name: q.lastAlias, type: 'datetime', agg: { name: 'max', args: [], fields: ['_time'] } },
        ],
        order: [],
        groups: [],
        range: { field: '_time', start, end },
        columns: [[count], [lastSeenAt ?? null]],
      },
    ],
    datasetNames: [q.dataset],
    fieldsMetaMap: { [q.dataset]: [] },
  };
}

async function handle(world: World, queries: RecordedQuery[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'POST' || url.pathname !== '/v1/datasets/_apl') {
    return sendError(res, 404, `no route ${req.method} ${url.pathname}`);
  }
  if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) return sendError(res, 401, 'Unauthorized');
  const body = await readBody(req);
  let input: { apl?: unknown; startTime?: unknown; endTime?: unknown };
  try {
    input = JSON.parse(body);
  } catch {
    return sendError(res, 400, 'invalid request: body is not JSON');
  }
  const orgId = req.headers['x-axiom-org-id'];
  const record: RecordedQuery = {
    apl: String(input.apl ?? ''),
    startTime: typeof input.startTime === 'string' ? input.startTime : undefined,
    endTime: typeof input.endTime === 'string' ? input.endTime : undefined,
    format: url.searchParams.get('format'),
    orgId: typeof orgId === 'string' ? orgId : undefined,
    status: 400,
  };
  queries.push(record);
  if (record.format !== 'tabular') {
    return sendError(res, 400, `invalid request: the simulator answers format=tabular only (got ${record.format})`);
  }
  const from = new Date(record.startTime ?? NaN);
  const to = new Date(record.endTime ?? NaN);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
    return sendError(res, 400, 'invalid request: startTime and endTime must be RFC 3339 times');
  }
  try {
    record.parsed = parseApl(record.apl);
  } catch (err) {
    if (err instanceof AplError) return sendError(res, 400, `parse error: ${err.message}`);
    throw err;
  }
  const q = record.parsed;
  const traces = q.equalities.some((e) => e.field === 'name');
  try {
    world.call('axiom', traces ? 'jobTraces' : 'heartbeats', q.dataset);
  } catch (err) {
    if (!(err instanceof WorldFault)) throw err;
    record.status = faultResponse(res, err, q.dataset);
    return;
  }
  world.observe(to);
  const regionClause = q.equalities.find((e) => /region$/i.test(e.field));
  const otherRegion = regionClause !== undefined && regionClause.value !== world.scenario.region;
  const c = otherRegion ? { count: 0, lastSeenAt: undefined } : traces ? world.jobTraces(from, to) : world.heartbeats(from, to);
  record.status = 200;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(tabular(q, from.toISOString(), to.toISOString(), c.count, c.lastSeenAt)));
}

/** Starts the simulated Axiom query API on 127.0.0.1 (any free port). Any non-empty Bearer token is accepted. */
export async function startAxiomServer(world: World): Promise<AxiomServer> {
  const queries: RecordedQuery[] = [];
  const server = createServer((req, res) => {
    handle(world, queries, req, res).catch((err: Error) => {
      if (!res.headersSent) sendError(res, 500, `simulator error: ${err.message}`);
      else res.destroy();
    });
  });
  return { ...(await serveLocal(server)), queries };
}
