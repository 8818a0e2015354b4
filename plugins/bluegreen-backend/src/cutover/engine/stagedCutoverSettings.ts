import { Resolver } from 'node:dns';
import { Config } from '@backstage/config';
import { CloudWatchCheckSettings } from '../probes/CloudWatchVerifier';
import { DnsCheckSettings } from '../probes/DnsVerifier';
import { normalizeDnsName } from '../probes/dnsAnswers';
import { ShareCheckSettings } from '../probes/ShareVerifier';
import {
  DEFAULT_PROBE_THRESHOLDS,
  ProbeThresholds,
} from '../probes/ProbeVerifier';
import { DnsFloorSettings } from './CutoverRuns';
import { GitopsStepSettings } from './GitopsRunWriter';

/** bluegreen.cutover.staged, read once at startup. */
export interface StagedCutoverSettings {
  /** How often the engine verifies each hold. */
  probeIntervalMs: number;
  /** How long one verification's checks may take. */
  verifyTimeoutMs: number;
  floor: DnsFloorSettings;
  /** How long a step's write may wait for INSYNC before it fails. */
  insyncTimeoutSeconds: number;
  thresholds: ProbeThresholds;
  /** Load balancer DNS name → the URL to probe it at. */
  loadBalancers: Record<string, string>;
  /** The DNS check; off without the zone's name servers. */
  dns?: DnsCheckSettings;
  /** The seed's check through the hostname; off with 0 requests. */
  share?: ShareCheckSettings;
  /** The load balancers' CloudWatch metrics; off unless configured. */
  cloudWatch?: CloudWatchCheckSettings;
  /** gitops-mode steps (their template is bluegreen.cutover.templateRef). */
  gitops: Omit<GitopsStepSettings, 'templateRef'>;
  leaseTtlMs: number;
  /** A paused run rolls back in stages after this long. */
  maxPauseMs: number;
}

/** Name servers by address, as Node's resolver takes them (`ip`, `ip:port`, `[v6]:port`). */
function servers(config: Config | undefined, key: string) {
  const list = config?.getOptionalStringArray(key);
  if (!list) return undefined;
  try {
    new Resolver().setServers(list);
  } catch (error) {
    throw new Error(
      `bluegreen.cutover.${key} must list name servers by IP address (ip or ip:port, not a host name): ${
        (error as Error).message
      }`,
    );
  }
  return list;
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

/** A period GetMetricData takes: 1, 5, 10, 30 or a multiple of 60 seconds. */
function period(seconds: number): number {
  if (
    !Number.isInteger(seconds) ||
    !([1, 5, 10, 30].includes(seconds) || seconds % 60 === 0)
  ) {
    throw new Error(
      `bluegreen.cutover.staged.cloudWatch.periodSeconds must be 1, 5, 10, 30 or a multiple of 60, got ${seconds}`,
    );
  }
  return seconds;
}

export function readStagedCutoverSettings(root: Config): StagedCutoverSettings {
  const cutover = root.getOptionalConfig('bluegreen.cutover');
  const get = (key: string, fallback: number) =>
    cutover ? positive(cutover, key, fallback) : fallback;
  const ratioOf = (key: string, fallback: number) => {
    const value = get(key, fallback);
    if (value > 1) {
      throw new Error(
        `bluegreen.cutover.${key} must be at most 1, got ${value}`,
      );
    }
    return value;
  };
  const ratio = ratioOf(
    'staged.probe.minSuccessRatio',
    DEFAULT_PROBE_THRESHOLDS.minSuccessRatio,
  );
  // A list, not a map: config keys cannot hold the dots of a DNS name.
  const loadBalancers: Record<string, string> = {};
  const dimensions: Record<string, string> = {};
  for (const entry of cutover?.getOptionalConfigArray('staged.loadBalancers') ??
    []) {
    const name = normalizeDnsName(entry.getString('dnsName'));
    const url = entry.getOptionalString('url');
    if (url !== undefined && !/^https?:\/\/[^\s]+$/.test(url)) {
      throw new Error(
        `bluegreen.cutover.staged.loadBalancers (${name}).url must be an http(s) URL, got ${url}`,
      );
    }
    if (url) loadBalancers[name] = url.replace(/\/$/, '');
    const dimension = entry.getOptionalString('cloudWatchDimension');
    if (dimension !== undefined && !/^app\/[^/\s]+\/[^/\s]+$/.test(dimension)) {
      throw new Error(
        `bluegreen.cutover.staged.loadBalancers (${name}).cloudWatchDimension must be an Application Load Balancer's LoadBalancer dimension app/<name>/<id>, got ${dimension}`,
      );
    }
    if (dimension) dimensions[name] = dimension;
  }
  const ttl = cutover?.getOptionalNumber('staged.ttlSeconds');
  const timeoutMs = get(
    'staged.probe.timeoutMs',
    DEFAULT_PROBE_THRESHOLDS.timeoutMs,
  );
  const dnsServers = servers(cutover, 'staged.dns.servers');
  const shareRequests = Math.round(
    cutover?.getOptionalNumber('staged.share.requests') ?? 20,
  );
  if (!(shareRequests >= 0)) {
    throw new Error(
      `bluegreen.cutover.staged.share.requests must be 0 (off) or more, got ${shareRequests}`,
    );
  }
  const tolerance = ratioOf('staged.share.tolerance', 0.1);
  return {
    probeIntervalMs: get('staged.probeIntervalSeconds', 10) * 1000,
    verifyTimeoutMs: get('staged.verifyTimeoutSeconds', 30) * 1000,
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
      timeoutMs,
    },
    loadBalancers,
    ...(dnsServers && {
      dns: {
        servers: dnsServers,
        queries: Math.round(get('staged.dns.queries', 20)),
        timeoutMs,
      },
    }),
    ...(cutover?.has('staged.cloudWatch') && {
      cloudWatch: {
        max5xxRatio: ratioOf('staged.cloudWatch.max5xxRatio', 0.01),
        maxP95Ms: get('staged.cloudWatch.maxP95Ms', 1000),
        periodSeconds: period(get('staged.cloudWatch.periodSeconds', 60)),
        dimensions,
      },
    }),
    ...(shareRequests > 0 && {
      share: {
        requests: shareRequests,
        servers: servers(cutover, 'staged.share.servers'),
        tolerance,
        timeoutMs,
      },
    }),
    gitops: {
      taskTimeoutMs: get('staged.gitops.taskTimeoutMinutes', 30) * 60_000,
      // Argo CD looks at its repositories every 3 minutes, external-dns at the
      // Ingresses every minute: a hop gets both, and room to spare.
      hopTimeoutMs: get('staged.gitops.hopTimeoutSeconds', 600) * 1000,
      pollMs: get('staged.gitops.pollSeconds', 5) * 1000,
    },
    leaseTtlMs: get('leaseSeconds', 60) * 1000,
    maxPauseMs: get('staged.maxPauseMinutes', 60) * 60_000,
  };
}
