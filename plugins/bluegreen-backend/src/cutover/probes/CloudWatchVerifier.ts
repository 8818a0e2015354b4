import {
  CloudWatchClient,
  GetMetricDataCommand,
  MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  CLUSTER_COLOURS,
  ClusterColour,
  ClusterProbeResult,
} from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { redactAwsMessage } from '../../aws/redactAwsError';
import { RunVerifier } from '../engine/CutoverEngine';
import { ProbeEndpoints } from './ProbeVerifier';

/** bluegreen.cutover.staged.cloudWatch: when a load balancer's metrics fail a hold. */
export interface CloudWatchCheckSettings {
  /** Target 5xx / requests allowed, 0 to 1. */
  max5xxRatio: number;
  /** The highest per-period p95 of TargetResponseTime allowed, ms. */
  maxP95Ms: number;
  /** The metrics' period (ALB metrics: 60). */
  periodSeconds: number;
  /** Load balancer DNS name → its `LoadBalancer` dimension (app/<name>/<id>). */
  dimensions: Record<string, string>;
}

const sum = (result?: MetricDataResult) =>
  (result?.Values ?? []).reduce((a, b) => a + b, 0);

/** A period's p95 counts only with this many requests in it (a sparse minute is noise). */
const MIN_P95_REQUESTS = 20;

/**
 * The optional CloudWatch check: each serving cluster's Application Load Balancer
 * metrics over the whole periods since the step took effect (GetMetricData:
 * RequestCount, HTTPCode_Target_5XX_Count and HTTPCode_ELB_5XX_Count sums — the load
 * balancer's own 503s when no target is healthy are not in RequestCount — and the
 * TargetResponseTime p95 of each period with enough requests). A load balancer whose
 * dimension is not configured, or that served nothing yet, is not judged.
 */
export function cloudWatchVerifier(options: {
  endpointsOf(run: CutoverRunRecord): Promise<ProbeEndpoints>;
  cloudWatch(): Promise<CloudWatchClient>;
  settings: CloudWatchCheckSettings;
  now?: () => number;
}): RunVerifier {
  const { settings } = options;
  const now = options.now ?? Date.now;
  return async run => {
    if (run.state.appliedAt === undefined) return undefined;
    const period = settings.periodSeconds;
    // Whole periods after the step took effect: CloudWatch rounds a StartTime down,
    // which would count the step before.
    const start = Math.ceil(run.state.appliedAt / 1000 / period) * period;
    const end = Math.floor(now() / 1000 / period) * period;
    if (end <= start) return undefined;
    const endpoints = await options.endpointsOf(run);
    const clusters: Partial<Record<ClusterColour, ClusterProbeResult>> = {};
    const problems: string[] = [];
    const client = await options.cloudWatch();
    for (const colour of CLUSTER_COLOURS) {
      const { aliasTarget, values } = endpoints.answers[colour];
      const dimension = settings.dimensions[aliasTarget ?? values[0]];
      if (run.state.weights[colour] === 0 || !dimension) continue;
      const query = (id: string, metricName: string, stat: string) => ({
        Id: id,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/ApplicationELB',
            MetricName: metricName,
            Dimensions: [{ Name: 'LoadBalancer', Value: dimension }],
          },
          Period: period,
          Stat: stat,
        },
      });
      let results: MetricDataResult[];
      try {
        results =
          (
            await client.send(
              new GetMetricDataCommand({
                MetricDataQueries: [
                  query('requests', 'RequestCount', 'Sum'),
                  query('target5xx', 'HTTPCode_Target_5XX_Count', 'Sum'),
                  query('elb5xx', 'HTTPCode_ELB_5XX_Count', 'Sum'),
                  query('p95', 'TargetResponseTime', 'p95'),
                ],
                StartTime: new Date(start * 1000),
                EndTime: new Date(end * 1000),
              }),
              { abortSignal: AbortSignal.timeout(10_000) },
            )
          ).MetricDataResults ?? [];
      } catch (error) {
        throw new Error(
          `GetMetricData for ${colour} failed: ${redactAwsMessage(
            (error as Error).message,
          )}`,
        );
      }
      const byId = (id: string) => results.find(r => r.Id === id);
      const elb5xx = sum(byId('elb5xx'));
      const requests = sum(byId('requests')) + elb5xx;
      const errors = sum(byId('target5xx')) + elb5xx;
      // Per period: a p95 counts when its period had enough requests.
      const perPeriod = new Map<number, number>();
      const counted = byId('requests');
      (counted?.Timestamps ?? []).forEach((t, i) =>
        perPeriod.set(new Date(t).getTime(), counted!.Values?.[i] ?? 0),
      );
      const p95 = byId('p95');
      const p95s = (p95?.Timestamps ?? [])
        .map((t, i) => ({ t: new Date(t).getTime(), v: p95!.Values?.[i] }))
        .filter(
          ({ t, v }) =>
            v !== undefined && (perPeriod.get(t) ?? 0) >= MIN_P95_REQUESTS,
        )
        .map(({ v }) => v! * 1000);
      const result = {
        requests,
        errorRatio: requests ? errors / requests : 0,
        ...(p95s.length > 0 && { p95Ms: Math.max(...p95s) }),
      };
      clusters[colour] = { cloudWatch: result };
      if (requests === 0) continue;
      const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10} %`;
      if (result.errorRatio > settings.max5xxRatio) {
        problems.push(
          `CloudWatch: ${colour}'s load balancer answered ${percent(
            result.errorRatio,
          )} of ${requests} requests with a 5xx (at most ${percent(
            settings.max5xxRatio,
          )} allowed)`,
        );
      } else if (
        result.p95Ms !== undefined &&
        result.p95Ms > settings.maxP95Ms
      ) {
        problems.push(
          `CloudWatch: ${colour}'s TargetResponseTime p95 ${Math.round(
            result.p95Ms,
          )} ms (at most ${settings.maxP95Ms} ms allowed)`,
        );
      }
    }
    return problems.length
      ? { ok: false, reason: problems.join('; '), clusters }
      : { ok: true, clusters };
  };
}
