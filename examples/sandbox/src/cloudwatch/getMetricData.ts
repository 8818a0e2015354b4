/*
 * CloudWatch GetMetricData as a LOCAL STAND-IN (not CloudWatch), AWS JSON 1.0 as the SDK
 * speaks it (`X-Amz-Target: GraniteServiceVersion20100801.GetMetricData`). It answers the
 * Application Load Balancer metrics bluegreen reads (AWS/ApplicationELB RequestCount,
 * HTTPCode_Target_5XX_Count, TargetResponseTime) of the clusters' load balancer
 * stand-ins, computed from the requests they served.
 */
import crypto from 'node:crypto';
import { SandboxFixtures } from '../fixtures';
import { normalizeName } from '../route53/store';
import { LoadBalancerStandIns, ServedRequest } from '../loadBalancers/server';

export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801.';

/**
 * The `LoadBalancer` dimension of an ALB here (app/<name>/<id>): its name is its DNS
 * name's first label without the trailing number, as with AWS; AWS's id cannot be
 * derived from the DNS name, so here it is made up from it, the same on every start.
 */
export function loadBalancerDimension(dnsName: string): string {
  const name = normalizeName(dnsName).split('.')[0].replace(/-\d+$/, '');
  const id = crypto
    .createHash('sha256')
    .update(normalizeName(dnsName))
    .digest('hex')
    .slice(0, 16);
  return `app/${name.slice(0, 32)}/${id}`;
}

export class CloudWatchError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
  }
}

interface MetricDataQuery {
  Id?: string;
  MetricStat?: {
    Metric?: {
      Namespace?: string;
      MetricName?: string;
      Dimensions?: Array<{ Name?: string; Value?: string }>;
    };
    Period?: number;
    Stat?: string;
  };
}

/** What one served request adds to a count metric. */
function countOf(metric: string, r: ServedRequest): number {
  // The stand-ins always reach their "target": the load balancer's own 5xx never happen.
  if (metric === 'HTTPCode_ELB_5XX_Count') return 0;
  if (metric === 'HTTPCode_Target_5XX_Count') {
    return Number(r.status >= 500 && r.status < 600);
  }
  return 1;
}

function statOf(stat: string, requests: ServedRequest[], metric: string) {
  const values =
    metric === 'TargetResponseTime'
      ? requests.map(r => r.ms / 1000)
      : requests.map(r => countOf(metric, r));
  if (values.length === 0) return undefined;
  const percentile = /^p(\d+(\.\d+)?)$/.exec(stat);
  if (percentile) {
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.ceil((Number(percentile[1]) / 100) * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
  }
  const sum = values.reduce((a, b) => a + b, 0);
  switch (stat) {
    case 'Sum':
      return sum;
    case 'SampleCount':
      return values.length;
    case 'Average':
      return sum / values.length;
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    default:
      throw new CloudWatchError(
        'InvalidParameterValue',
        `the stand-in does not compute the statistic ${stat}`,
      );
  }
}

const METRICS = [
  'RequestCount',
  'HTTPCode_Target_5XX_Count',
  'HTTPCode_ELB_5XX_Count',
  'TargetResponseTime',
];

/** GetMetricData over the load balancer stand-ins' traffic, per period, newest first. */
export function getMetricData(
  body: string,
  ctx: { fixtures: SandboxFixtures; loadBalancers?: LoadBalancerStandIns },
) {
  let input: {
    MetricDataQueries?: MetricDataQuery[];
    StartTime?: number;
    EndTime?: number;
  };
  try {
    input = JSON.parse(body || '{}');
  } catch {
    throw new CloudWatchError('SerializationException', 'the body is not JSON');
  }
  const { StartTime: start, EndTime: end } = input;
  if (typeof start !== 'number' || typeof end !== 'number' || end <= start) {
    throw new CloudWatchError(
      'ValidationError',
      'StartTime and EndTime (epoch seconds) are required, EndTime after StartTime',
    );
  }
  const clusterOf = new Map<string, string>();
  for (const zone of ctx.fixtures.route53?.hostedZones ?? []) {
    for (const record of zone.records ?? []) {
      if (record.aliasTarget && record.setIdentifier) {
        clusterOf.set(
          loadBalancerDimension(record.aliasTarget.dnsName),
          record.setIdentifier,
        );
      }
    }
  }
  const results = (input.MetricDataQueries ?? []).map(query => {
    const stat = query.MetricStat;
    const metric = stat?.Metric;
    const period = stat?.Period ?? 60;
    if (
      !query.Id ||
      !stat?.Stat ||
      metric?.Namespace !== 'AWS/ApplicationELB' ||
      !METRICS.includes(metric.MetricName ?? '')
    ) {
      throw new CloudWatchError(
        'InvalidParameterValue',
        `query ${
          query.Id
        }: the stand-in answers only AWS/ApplicationELB ${METRICS.join(
          ', ',
        )} by MetricStat`,
      );
    }
    if (!(period >= 1)) {
      throw new CloudWatchError(
        'InvalidParameterValue',
        `query ${query.Id}: Period must be at least 1`,
      );
    }
    const dimension = metric.Dimensions?.find(
      d => d.Name === 'LoadBalancer',
    )?.Value;
    const cluster = dimension ? clusterOf.get(dimension) : undefined;
    const served = cluster ? ctx.loadBalancers?.traffic(cluster) ?? [] : [];
    // Each request in its period, once (not a scan of the log per period).
    const first = Math.floor(start / period) * period;
    const byPeriod = new Map<number, ServedRequest[]>();
    for (const r of served) {
      const t = Math.floor(r.at / 1000 / period) * period;
      if (t >= first && t < end) {
        const bucket = byPeriod.get(t) ?? [];
        bucket.push(r);
        byPeriod.set(t, bucket);
      }
    }
    const timestamps: number[] = [];
    const values: number[] = [];
    for (const t of [...byPeriod.keys()].sort((a, b) => b - a)) {
      const value = statOf(stat.Stat, byPeriod.get(t)!, metric.MetricName!);
      if (value !== undefined) {
        timestamps.push(t);
        values.push(value);
      }
    }
    return {
      Id: query.Id,
      Label: metric.MetricName,
      StatusCode: 'Complete',
      Timestamps: timestamps,
      Values: values,
    };
  });
  return { MetricDataResults: results, Messages: [] };
}
