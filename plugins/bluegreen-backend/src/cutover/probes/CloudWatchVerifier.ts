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

/**
 * The optional CloudWatch check: each serving cluster's Application Load Balancer
 * metrics since the step took effect (GetMetricData: RequestCount and
 * HTTPCode_Target_5XX_Count sums, TargetResponseTime p95 per period). A load balancer
 * whose dimension is not configured, or that served nothing yet, is not judged.
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
    const endpoints = await options.endpointsOf(run);
    const period = settings.periodSeconds;
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
                  query('errors', 'HTTPCode_Target_5XX_Count', 'Sum'),
                  query('p95', 'TargetResponseTime', 'p95'),
                ],
                StartTime: new Date(run.state.appliedAt),
                EndTime: new Date(Math.ceil(now() / 1000) * 1000),
              }),
            )
          ).MetricDataResults ?? [];
      } catch (error) {
        throw new Error(
          `CloudWatch GetMetricData for ${colour} failed: ${redactAwsMessage(
            (error as Error).message,
          )}`,
        );
      }
      const byId = (id: string) => results.find(r => r.Id === id);
      const requests = sum(byId('requests'));
      const errors = sum(byId('errors'));
      const p95s = byId('p95')?.Values ?? [];
      const result = {
        requests,
        errorRatio: requests ? errors / requests : 0,
        ...(p95s.length && { p95Ms: Math.max(...p95s) * 1000 }),
      };
      clusters[colour] = { cloudWatch: result };
      if (requests === 0) continue;
      const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10} %`;
      if (result.errorRatio > settings.max5xxRatio) {
        problems.push(
          `CloudWatch: ${colour}'s load balancer answered ${percent(
            result.errorRatio,
          )} of ${requests} requests with a target 5xx (at most ${percent(
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
