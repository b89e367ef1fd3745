import type { AppConfig } from '../config/schema';
import type { LogEvidence, LogSignature } from '../workflows/types';
import { asActivityFailure } from './errors';
import type { LogLine, LogPort } from './ports';
import { profileOf } from './region';

/** At most this many lines are read; enough for signatures, small enough for one activity. */
const MAX_LINES = 5000;
const MAX_SIGNATURES = 8;

const OOM = /out ?of ?memory|OutOfMemoryError|OOM[- ]?kill|exit code 137|exitCode[=: ]+137|memory limit exceeded|JavaScript heap out of memory/i;
const CRASH = /restart(ing)? loop|crash ?loop|back-?off restarting|container (exited|crashed)|exited with code [1-9]|Essential container in task exited|failed to start and listen/i;
const CONNECTIVITY = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|connection refused|connection reset|could not connect|connection timed out|too many connections|no route to host|getaddrinfo/i;
const EXCEPTION = /\b([A-Z][A-Za-z]*(Error|Exception))\b|(^|\s)Error: |\bpanic:|Traceback \(most recent call last\)|Unhandled(Promise)?Rejection/;

/** Reduces a log line to a signature: variable parts (numbers, IDs, addresses) masked, so repeats group. */
export function signatureOf(message: string): string {
  return message
    .split('\n')[0]
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, '<addr>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/\d+/g, '<n>')
    .trim()
    .slice(0, 160);
}

function group(lines: LogLine[]): LogSignature[] {
  const by = new Map<string, LogSignature>();
  for (const line of lines) {
    const sig = signatureOf(line.message);
    const entry = by.get(sig);
    if (entry) entry.count++;
    else by.set(sig, { signature: sig, count: 1, sample: line.message.slice(0, 300) });
  }
  return [...by.values()].sort((a, b) => b.count - a.count).slice(0, MAX_SIGNATURES);
}

/** Runbook step 5's reading of the logs: exceptions, OOM kills, crash/restart loops, connectivity errors. */
export function analyzeLogs(lines: LogLine[], from: string, to: string): LogEvidence {
  return {
    status: 'ok',
    from,
    to,
    scanned: lines.length,
    exceptions: group(lines.filter((l) => EXCEPTION.test(l.message) && !CONNECTIVITY.test(l.message))),
    oomKills: lines.filter((l) => OOM.test(l.message)).length,
    crashLoops: lines.filter((l) => CRASH.test(l.message)).length,
    connectivityErrors: group(lines.filter((l) => CONNECTIVITY.test(l.message))),
  };
}

export interface LogCheckInput {
  region: string;
  from: string;
  to: string;
}

export function createLogActivities(config: AppConfig, logs: LogPort) {
  return {
    /** Runbook step 5: the service's logs over the incident window. */
    async examineLogs({ region, from, to }: LogCheckInput): Promise<LogEvidence> {
      const profile = profileOf(config, region);
      try {
        const lines = await logs.read(profile, new Date(from), new Date(to), MAX_LINES);
        return analyzeLogs(lines, from, to);
      } catch (err) {
        return asActivityFailure('logs', err);
      }
    },
  };
}
