import {
  CLUSTER_COLOURS,
  ClusterColour,
  ClusterProbeResult,
  ProbeThresholdOverrides,
} from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { RunVerifier } from '../engine/CutoverEngine';
import { HttpProbeOptions, HttpProbeResult, probeHttp } from './HttpProbe';

/** When a cluster's direct probe fails a hold. */
export interface ProbeThresholds {
  /** Requests per cluster per verification. */
  requests: number;
  /** Of those, the share that must succeed (2xx), 0 to 1. */
  minSuccessRatio: number;
  /** The p95 latency allowed, ms. */
  maxP95Ms: number;
  timeoutMs: number;
}

/** 20 requests, 99 % of them answered 2xx, p95 under a second. */
export const DEFAULT_PROBE_THRESHOLDS: ProbeThresholds = {
  requests: 20,
  minSuccessRatio: 0.99,
  maxP95Ms: 1000,
  timeoutMs: 2000,
};

/** Where a run's clusters are probed: the service's hostname and path, each cluster's load balancer. */
export interface ProbeEndpoints {
  host: string;
  path: string;
  /** The clusters' names (their set identifiers, and what their pages say). */
  clusters: Record<ClusterColour, string>;
  /** The weighted records' type (A, AAAA, CNAME). */
  recordType: string;
  /** A cluster's load balancer URL (from its record's alias target, mapped by configuration). */
  loadBalancers: Record<ClusterColour, string>;
  /** What a DNS answer names for each cluster: its record's alias target (a DNS name), or its values. */
  answers: Record<ClusterColour, { aliasTarget?: string; values: string[] }>;
  /** The service's own pass marks (its annotations): they can only tighten the configured ones. */
  overrides: ProbeThresholdOverrides;
}

/**
 * The direct probe of each cluster that serves traffic at the run's current weights
 * (weight above 0): every verification sends it `requests` GETs through its own load
 * balancer, and a success ratio or p95 past the thresholds fails the hold, naming the
 * cluster and the numbers.
 */
export function probeVerifier(options: {
  endpointsOf(run: CutoverRunRecord): Promise<ProbeEndpoints>;
  thresholds?: ProbeThresholds;
  probe?: (options: HttpProbeOptions) => Promise<HttpProbeResult>;
}): RunVerifier {
  const configured = options.thresholds ?? DEFAULT_PROBE_THRESHOLDS;
  const probe = options.probe ?? probeHttp;
  return async run => {
    const endpoints = await options.endpointsOf(run);
    // A service's annotations may only tighten the configured pass marks.
    const { minSuccessRatio, maxP95Ms } = endpoints.overrides;
    const thresholds = {
      ...configured,
      minSuccessRatio: Math.max(
        configured.minSuccessRatio,
        minSuccessRatio ?? 0,
      ),
      maxP95Ms: Math.min(configured.maxP95Ms, maxP95Ms ?? Infinity),
    };
    const problems: string[] = [];
    const clusters: Partial<Record<ClusterColour, ClusterProbeResult>> = {};
    for (const colour of CLUSTER_COLOURS) {
      if (run.state.weights[colour] === 0) {
        continue; // serves nothing: nothing to verify
      }
      const result = await probe({
        url: endpoints.loadBalancers[colour],
        host: endpoints.host,
        path: endpoints.path,
        count: thresholds.requests,
        timeoutMs: thresholds.timeoutMs,
      });
      clusters[colour] = {
        requests: result.requests,
        successRatio: result.successRatio,
        ...(result.p95Ms !== undefined && { p95Ms: result.p95Ms }),
      };
      const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10} %`;
      if (result.successRatio < thresholds.minSuccessRatio) {
        problems.push(
          `${colour}: ${percent(result.successRatio)} of ${
            result.requests
          } probes succeeded (at least ${percent(
            thresholds.minSuccessRatio,
          )} needed; ${result.failures.join(', ')})`,
        );
      } else if (
        result.p95Ms === undefined ||
        result.p95Ms > thresholds.maxP95Ms
      ) {
        problems.push(
          `${colour}: p95 ${Math.round(result.p95Ms ?? Infinity)} ms over ${
            result.requests
          } probes (at most ${thresholds.maxP95Ms} ms allowed)`,
        );
      }
    }
    return problems.length
      ? { ok: false, reason: problems.join('; '), clusters }
      : { ok: true, clusters };
  };
}
