/**
 * CloudWatch GetMetricData for the ECS and SQS adapters: a few metric series over one window, returned
 * as plain ascending (time, value) points.
 */
import { GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { AwsClients } from './aws-client';

export interface MetricQuery {
  /** Query ID: lower-case letter first, then letters, digits, underscores (CloudWatch's rule). */
  id: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  stat: 'Average' | 'Sum' | 'Maximum' | 'Minimum';
}

export interface Point {
  at: Date;
  value: number;
}

/** A handful of series never needs more pages than this; the bound keeps a misbehaving API finite. */
const MAX_PAGES = 5;

/** Fetches each query's datapoints in [start, end) at `periodSec` resolution, oldest first. */
export async function metricSeries(
  clients: AwsClients,
  region: string,
  queries: MetricQuery[],
  start: Date,
  end: Date,
  periodSec = 60,
): Promise<Map<string, Point[]>> {
  const out = new Map<string, Point[]>(queries.map((q) => [q.id, []]));
  const metricQueries: MetricDataQuery[] = queries.map((q) => ({
    Id: q.id,
    MetricStat: {
      Metric: {
        Namespace: q.namespace,
        MetricName: q.metric,
        Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: periodSec,
      Stat: q.stat,
    },
    ReturnData: true,
  }));
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await clients.call('CloudWatch GetMetricData', (abortSignal) =>
      clients.cloudwatch(region).send(
        new GetMetricDataCommand({ MetricDataQueries: metricQueries, StartTime: start, EndTime: end, ScanBy: 'TimestampAscending', NextToken: nextToken }),
        { abortSignal },
      ),
    );
    for (const r of res.MetricDataResults ?? []) {
      const points = out.get(r.Id ?? '');
      if (!points) continue;
      (r.Timestamps ?? []).forEach((at, i) => {
        const value = r.Values?.[i];
        if (value !== undefined && Number.isFinite(value)) points.push({ at, value });
      });
    }
    nextToken = res.NextToken;
    if (!nextToken) break;
  }
  // The ScanBy order is a request, not a promise every implementation keeps; sort once here.
  for (const points of out.values()) points.sort((a, b) => a.at.getTime() - b.at.getTime());
  return out;
}

/** The newest datapoint's value, if any. */
export function latest(points: Point[] | undefined): number | undefined {
  return points?.length ? points[points.length - 1].value : undefined;
}

/** The sum of the datapoints, or undefined when the series has none (metric not published). */
export function total(points: Point[] | undefined): number | undefined {
  return points?.length ? points.reduce((s, p) => s + p.value, 0) : undefined;
}
