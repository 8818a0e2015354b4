import { Config } from '@backstage/config';
import {
  DEFAULT_PROBE_THRESHOLDS,
  ProbeThresholds,
} from '../probes/ProbeVerifier';
import { DnsFloorSettings } from './CutoverRuns';

/** bluegreen.cutover.staged, read once at startup. */
export interface StagedCutoverSettings {
  /** How often the engine verifies each hold. */
  probeIntervalMs: number;
  floor: DnsFloorSettings;
  /** How long a step's write may wait for INSYNC before it fails. */
  insyncTimeoutSeconds: number;
  thresholds: ProbeThresholds;
  /** Load balancer DNS name → the URL to probe it at. */
  loadBalancers: Record<string, string>;
  leaseTtlMs: number;
}

function positive(config: Config, key: string, fallback: number): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new Error(
      `bluegreen.cutover.${key} must be a positive number, got ${value}`,
    );
  }
  return value;
}

export function readStagedCutoverSettings(root: Config): StagedCutoverSettings {
  const cutover = root.getOptionalConfig('bluegreen.cutover');
  const get = (key: string, fallback: number) =>
    cutover ? positive(cutover, key, fallback) : fallback;
  const ratio = get(
    'staged.probe.minSuccessRatio',
    DEFAULT_PROBE_THRESHOLDS.minSuccessRatio,
  );
  if (ratio > 1) {
    throw new Error(
      `bluegreen.cutover.staged.probe.minSuccessRatio must be at most 1, got ${ratio}`,
    );
  }
  // A list, not a map: config keys cannot hold the dots of a DNS name.
  const loadBalancers: Record<string, string> = {};
  for (const entry of cutover?.getOptionalConfigArray('staged.loadBalancers') ??
    []) {
    const name = entry.getString('dnsName').toLowerCase().replace(/\.$/, '');
    const url = entry.getString('url');
    if (!/^https?:\/\/[^\s]+$/.test(url)) {
      throw new Error(
        `bluegreen.cutover.staged.loadBalancers (${name}).url must be an http(s) URL, got ${url}`,
      );
    }
    loadBalancers[name] = url.replace(/\/$/, '');
  }
  const ttl = cutover?.getOptionalNumber('staged.ttlSeconds');
  return {
    probeIntervalMs: get('staged.probeIntervalSeconds', 10) * 1000,
    floor: {
      insyncSeconds: get('staged.insyncSeconds', 60),
      ...(ttl !== undefined && { ttlSeconds: get('staged.ttlSeconds', ttl) }),
    },
    insyncTimeoutSeconds: get('staged.insyncTimeoutSeconds', 300),
    thresholds: {
      requests: Math.round(
        get('staged.probe.requests', DEFAULT_PROBE_THRESHOLDS.requests),
      ),
      minSuccessRatio: ratio,
      maxP95Ms: get('staged.probe.maxP95Ms', DEFAULT_PROBE_THRESHOLDS.maxP95Ms),
      timeoutMs: get(
        'staged.probe.timeoutMs',
        DEFAULT_PROBE_THRESHOLDS.timeoutMs,
      ),
    },
    loadBalancers,
    leaseTtlMs: get('leaseSeconds', 60) * 1000,
  };
}
