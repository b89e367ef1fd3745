/**
 * The Cloud Logging log port: the Cloud Run service's warning-and-worse entries over a window, via
 * `entries.list`. The same read, at ERROR and a small limit, gives the service check its recent errors.
 */
import type { Entry } from '@google-cloud/logging';
import type { RegionProfile } from '../../config/schema';
import type { LogLine, LogPort } from '../ports';
import { gcpProfile, type GcpClients } from './gcp-client';

/** Cloud Logging caps a page at 1000 entries. */
const MAX_PAGE = 1000;
/** Evidence carries short samples; a multi-kilobyte stack trace is cut here already. */
const MAX_MESSAGE = 2000;

export interface CloudRunLogReader extends LogPort {
  /** Entries of at least `minSeverity`, the newest `limit` in [from, to), oldest first. */
  entries(profile: RegionProfile, from: Date, to: Date, limit: number, minSeverity: 'WARNING' | 'ERROR'): Promise<LogLine[]>;
}

/** Text payloads as they are; structured (JSON) payloads by their `message` field, as Cloud Logging shows them. */
function messageOf(entry: Entry): string {
  const data = entry.data as unknown;
  let text: string;
  if (typeof data === 'string') text = data;
  else if (data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string') {
    text = (data as { message: string }).message;
  } else text = JSON.stringify(data ?? '');
  return text.slice(0, MAX_MESSAGE);
}

function quote(value: string): string {
  return JSON.stringify(value);
}

export function createCloudLogging(clients: GcpClients): CloudRunLogReader {
  async function entries(profile: RegionProfile, from: Date, to: Date, limit: number, minSeverity: 'WARNING' | 'ERROR'): Promise<LogLine[]> {
    const gcp = gcpProfile(profile);
    if (limit <= 0) return [];
    const filter = [
      `resource.type="cloud_run_revision"`,
      `resource.labels.service_name=${quote(gcp.cloudRun.service)}`,
      `resource.labels.location=${quote(gcp.location)}`,
      `severity>=${minSeverity}`,
      `timestamp>=${quote(from.toISOString())}`,
      `timestamp<${quote(to.toISOString())}`,
      ...(gcp.logs.filter ? [`(${gcp.logs.filter})`] : []),
    ].join(' AND ');
    const logging = clients.logging(gcp.project);
    const lines: LogLine[] = [];
    let pageToken: string | undefined;
    // Newest first, so that `limit` keeps the newest lines (as the port promises); reversed at the end.
    do {
      const [page, next] = await clients.call(`logging.entries.list ${gcp.cloudRun.service}`, () =>
        logging.getEntries({
          resourceNames: [`projects/${gcp.project}`],
          filter,
          orderBy: 'timestamp desc',
          pageSize: Math.min(limit - lines.length, MAX_PAGE),
          pageToken,
          autoPaginate: false,
          gaxOptions: clients.gaxOptions,
        }),
      );
      for (const entry of page) {
        const at = entry.metadata.timestamp;
        lines.push({
          at: (at instanceof Date ? at : new Date(String(at))).toISOString(),
          message: messageOf(entry),
          severity: entry.metadata.severity === undefined ? undefined : String(entry.metadata.severity),
        });
      }
      pageToken = (next as { pageToken?: string } | null | undefined)?.pageToken || undefined;
    } while (pageToken && lines.length < limit);
    return lines.slice(0, limit).reverse();
  }

  return {
    entries,
    read: (profile, from, to, limit) => entries(profile, from, to, limit, 'WARNING'),
  };
}
