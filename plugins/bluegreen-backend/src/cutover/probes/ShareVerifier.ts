import {
  CLUSTER_COLOURS,
  ClusterColour,
  ClusterProbeResult,
} from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { RunVerifier } from '../engine/CutoverEngine';
import { answerOwners, createResolver, DnsQuerySettings } from './dnsAnswers';
import { answeredOk, assertProbePath, probeOnce } from './HttpProbe';
import { ProbeEndpoints } from './ProbeVerifier';

/** bluegreen.cutover.staged.share: the seed's check. */
export interface ShareCheckSettings extends DnsQuerySettings {
  /** Requests to the hostname per verification. */
  requests: number;
  /** How far the final step's observed share may be from its expected one, 0 to 1. */
  tolerance: number;
}

const percent = (ratio: number) => `${Math.round(ratio * 100)} %`;

/** Is the run holding its last forward step, past the TTL (resolver caches had time to expire)? */
function pastFinalTtl(run: CutoverRunRecord, now: number): boolean {
  const { state, plan, floor } = run;
  return (
    state.phase === 'forward' &&
    state.stepIndex === plan.steps.length - 1 &&
    state.appliedAt !== undefined &&
    now - state.appliedAt >= floor.ttlSeconds * 1000
  );
}

/**
 * The seed's check, done right: `requests` GETs of the hostname, each resolved as users
 * resolve it (the system resolver and its caches, or configured servers), counted by the
 * cluster that answered (the page's CLUSTER_NAME or x-cluster-name), against the share
 * the weights give it. While resolver caches lag the observed share is shown, not
 * judged; it is a gate only for the final step, past the record's TTL, with a tolerance
 * plus three standard deviations of the sample.
 */
export function shareVerifier(options: {
  endpointsOf(run: CutoverRunRecord): Promise<ProbeEndpoints>;
  settings: ShareCheckSettings;
  now?: () => number;
}): RunVerifier {
  const { settings } = options;
  const now = options.now ?? Date.now;
  const resolver = createResolver(settings);
  return async run => {
    const endpoints = await options.endpointsOf(run);
    assertProbePath(endpoints.path);
    const owners = await answerOwners(resolver, endpoints);
    const byName = new Map(
      CLUSTER_COLOURS.map(colour => [endpoints.clusters[colour], colour]),
    );
    const counts: Record<ClusterColour, number> = { blue: 0, green: 0 };
    const failures: string[] = [];
    const once = async () => {
      let address: string;
      try {
        [address] = await resolver.query(endpoints.host, endpoints.recordType);
      } catch (error) {
        failures.push(`${endpoints.host}: ${(error as Error).message}`);
        return;
      }
      // Where DNS sent it: the load balancer that address belongs to (its configured
      // URL, if any), else the address itself.
      const owner = owners.get(address);
      const url = owner
        ? endpoints.loadBalancers[owner]
        : `https://${address.includes(':') ? `[${address}]` : address}`;
      const answer = await probeOnce({
        url,
        host: endpoints.host,
        path: endpoints.path,
        timeoutMs: settings.timeoutMs,
      });
      const colour = answer.cluster ? byName.get(answer.cluster) : undefined;
      if (answeredOk(answer.status) && colour) counts[colour]++;
      else failures.push(answer.error ?? `HTTP ${answer.status}`);
    };
    for (let i = 0; i < settings.requests; i += 5) {
      const batch = Math.min(5, settings.requests - i);
      await Promise.all(Array.from({ length: batch }, once));
    }
    const named = counts.blue + counts.green;
    const gate = pastFinalTtl(run, now());
    if (named === 0) {
      return gate
        ? {
            ok: false,
            reason: `share: none of ${settings.requests} requests to ${endpoints.host} was answered by a cluster (${failures[0]})`,
          }
        : undefined;
    }
    const total = run.state.weights.blue + run.state.weights.green;
    const clusters: Partial<Record<ClusterColour, ClusterProbeResult>> = {};
    const problems: string[] = [];
    for (const colour of CLUSTER_COLOURS) {
      const expectedShare = run.state.weights[colour] / total;
      const observedShare = counts[colour] / named;
      clusters[colour] = { observedShare, expectedShare };
      const allowed =
        settings.tolerance +
        3 * Math.sqrt((expectedShare * (1 - expectedShare)) / named);
      if (gate && Math.abs(observedShare - expectedShare) > allowed) {
        problems.push(
          `share: ${colour} answered ${percent(
            observedShare,
          )} of ${named} requests to ${endpoints.host}, ${percent(
            expectedShare,
          )} expected (±${percent(
            allowed,
          )}) at the final step, past the TTL of ${run.floor.ttlSeconds} s`,
        );
      }
    }
    return problems.length
      ? { ok: false, reason: problems.join('; '), clusters }
      : { ok: true, clusters };
  };
}
