/**
 * Cloud Monitoring reads: `projects.timeSeries.list` for one metric type over a window, reduced to plain
 * numbers. The Pub/Sub and Cloud Run adapters say which metric; this file says how to read it.
 */
import type { protos } from '@google-cloud/monitoring';
import type { GcpClients } from './gcp-client';

type TimeSeries = protos.google.monitoring.v3.ITimeSeries;
type Timestamp = protos.google.protobuf.ITimestamp;

/** A metric point: the end of its interval (ms since epoch) and its value. */
export interface Point {
  at: number;
  value: number;
}

export interface MetricQuery {
  project: string;
  /** `metric.type = "…"` plus resource label clauses, in the Monitoring filter language. */
  filter: string;
  from: Date;
  to: Date;
  /** Server-side reduction, e.g. sum over revisions per minute. */
  aggregation?: protos.google.monitoring.v3.IAggregation;
}

/** Metric types the adapters read. */
export const METRICS = {
  undelivered: 'pubsub.googleapis.com/subscription/num_undelivered_messages',
  oldestUnackedAge: 'pubsub.googleapis.com/subscription/oldest_unacked_message_age',
  acked: 'pubsub.googleapis.com/subscription/ack_message_count',
  runInstances: 'run.googleapis.com/container/instance_count',
} as const;

/**
 * One page is plenty: the windows are at most tens of minutes of per-minute points, so a reply this
 * large means the filter is too broad, and reading on would not make the figures more right.
 */
const PAGE_SIZE = 1000;

function timestamp(t: Date): Timestamp {
  const ms = t.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

function millis(t: Timestamp | null | undefined): number {
  return Number(t?.seconds ?? 0) * 1000 + Math.round(Number(t?.nanos ?? 0) / 1e6);
}

/** Points of every returned series, oldest first (the API answers newest first). */
function pointsOf(series: TimeSeries): Point[] {
  return (series.points ?? [])
    .map((p) => ({
      at: millis(p.interval?.endTime),
      // INT64 arrives as a decimal string over REST; DOUBLE as a number.
      value: Number(p.value?.int64Value ?? p.value?.doubleValue ?? 0),
    }))
    .sort((a, b) => a.at - b.at);
}

export interface MetricReader {
  /** Each matching series' points over [from, to], oldest first; [] when Monitoring has no data. */
  series(what: string, query: MetricQuery): Promise<Point[][]>;
}

export function createMetricReader(clients: GcpClients): MetricReader {
  return {
    async series(what, { project, filter, from, to, aggregation }) {
      const [series] = await clients.call(what, () =>
        clients.metrics.listTimeSeries(
          {
            name: `projects/${project}`,
            filter,
            interval: { startTime: timestamp(from), endTime: timestamp(to) },
            aggregation,
            view: 'FULL',
            pageSize: PAGE_SIZE,
          },
          { ...clients.gaxOptions, autoPaginate: false },
        ),
      );
      return series.map(pointsOf).filter((points) => points.length > 0);
    },
  };
}

/**
 * The newest (or oldest) point across series; series that share that time are summed, as one figure
 * split over labels (e.g. instance state) is.
 */
function edge(series: Point[][], newest: boolean): Point | undefined {
  let found: Point | undefined;
  for (const points of series) {
    const p = newest ? points[points.length - 1] : points[0];
    if (!found || (newest ? p.at > found.at : p.at < found.at)) found = { ...p };
    else if (p.at === found.at) found.value += p.value;
  }
  return found;
}

export const latest = (series: Point[][]) => edge(series, true);
export const earliest = (series: Point[][]) => edge(series, false);

/** The sum of every point of every series (for DELTA metrics such as message counts). */
export function total(series: Point[][]): number {
  return series.reduce((sum, points) => sum + points.reduce((s, p) => s + p.value, 0), 0);
}
