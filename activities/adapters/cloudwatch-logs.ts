/**
 * The CloudWatch Logs port: error-ish lines of the service's log group over the incident window, via
 * FilterLogEvents across all streams.
 */
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { RegionProfile } from '../../config/schema';
import type { LogLine, LogPort } from '../ports';
import { awsProfile, type AwsClients } from './aws-client';

/**
 * Used when the profile sets no `logs.filterPattern`. Filtering on the server matters: a healthy
 * backend logs a heartbeat every few seconds, which would otherwise fill the line limit long before the
 * errors. Terms are case-sensitive in CloudWatch, hence the variants; `?` means "any of".
 */
export const DEFAULT_FILTER_PATTERN = [
  'ERROR', 'Error', 'error', 'FATAL', 'Fatal', 'fatal', 'Exception', 'exception', 'panic', 'Traceback',
  'OutOfMemory', 'OOM', '"out of memory"', 'killed', 'Killed', 'SIGKILL',
  'refused', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'timeout', 'exited', 'crash',
].map((t) => `?${t}`).join(' ');

/** FilterLogEvents pages can be empty while a search is still running; never follow them forever. */
const MAX_PAGES = 50;
/** The API's own cap on one page. */
const PAGE_LIMIT = 10_000;

/** Structured (JSON) log lines often carry their level; plain lines have none. */
function severityOf(message: string): string | undefined {
  if (!message.startsWith('{')) return undefined;
  try {
    const o = JSON.parse(message) as Record<string, unknown>;
    const level = o.level ?? o.severity ?? o.levelname;
    return typeof level === 'string' ? level.toUpperCase() : undefined;
  } catch {
    return undefined;
  }
}

export function createCloudWatchLogs(clients: AwsClients): LogPort {
  return {
    async read(profile: RegionProfile, from: Date, to: Date, limit: number): Promise<LogLine[]> {
      const p = awsProfile(profile);
      const logGroupName = p.logs.logGroup;
      const lines: LogLine[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES && lines.length < limit; page++) {
        const res = await clients.call(`CloudWatch Logs FilterLogEvents ${logGroupName}`, (abortSignal) =>
          clients.logs(p.awsRegion).send(
            new FilterLogEventsCommand({
              logGroupName,
              startTime: from.getTime(),
              // endTime is inclusive in CloudWatch; the port's window is [from, to).
              endTime: to.getTime() - 1,
              filterPattern: p.logs.filterPattern ?? DEFAULT_FILTER_PATTERN,
              limit: Math.min(PAGE_LIMIT, limit - lines.length),
              nextToken,
            }),
            { abortSignal },
          ),
        );
        for (const e of res.events ?? []) {
          if (e.timestamp === undefined || e.message === undefined) continue;
          lines.push({ at: new Date(e.timestamp).toISOString(), message: e.message, severity: severityOf(e.message) });
        }
        nextToken = res.nextToken;
        if (!nextToken) break;
      }
      return lines.sort((a, b) => a.at.localeCompare(b.at)).slice(-limit);
    },
  };
}
