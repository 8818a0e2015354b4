import {
  CLUSTER_COLOURS,
  ClusterColour,
  ClusterProbeResult,
  weightSplit,
} from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { RunVerifier } from '../engine/CutoverEngine';
import { answerOwners, createResolver, DnsQuerySettings } from './dnsAnswers';
import { answeredOk, assertProbePath, probeOnce } from './HttpProbe';
import { inBatches } from './inBatches';
import { ProbeEndpoints } from './ProbeVerifier';

/** bluegreen.cutover.staged.share: the seed's check. */
export interface ShareCheckSettings extends DnsQuerySettings {
  /** Requests to the hostname per verification. */
  requests: number;
  /** The share the losing cluster may still answer at the final step, 0 to 1. */
  tolerance: number;
}

const percent = (ratio: number) => `${Math.round(ratio * 100)} %`;

/**
 * The cluster the run moved all traffic away from, when it holds its last forward step
 * (all traffic on one side) past the TTL: by then resolver caches had time to expire.
 */
function losingAtFinalStep(
  run: CutoverRunRecord,
  now: number,
): ClusterColour | undefined {
  const { state, plan, floor } = run;
  const final =
    state.phase === 'forward' &&
    state.stepIndex === plan.steps.length - 1 &&
    state.appliedAt !== undefined &&
    now - state.appliedAt >= floor.ttlSeconds * 1000;
  return final ? CLUSTER_COLOURS.find(c => state.weights[c] === 0) : undefined;
}

/**
 * The seed's check, done right: `requests` GETs of the hostname, each resolved anew
 * (through `servers`, or the system's name servers and whatever caches they keep, as
 * users' are), sent to the load balancer the answer belongs to with the service's Host
 * header, and counted by the cluster that answered (the page's CLUSTER_NAME or
 * x-cluster-name) against the share its weight gives it. An answer that is no cluster's
 * load balancer gets no request. While resolver caches lag the observed share is shown,
 * not judged; it is a gate only when the final step has moved all traffic to one side
 * and its TTL has passed: then the losing cluster may answer at most `tolerance` of at
 * least half the requests. Too few answers to judge are noted, not failed.
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
    const total = run.state.weights.blue + run.state.weights.green;
    if (total === 0) return undefined; // only a rollback to an all-zero start
    const endpoints = await options.endpointsOf(run);
    assertProbePath(endpoints.path);
    const owners = await answerOwners(resolver, endpoints);
    const byName = new Map(
      CLUSTER_COLOURS.map(colour => [endpoints.clusters[colour], colour]),
    );
    const counts: Record<ClusterColour, number> = { blue: 0, green: 0 };
    const failures: string[] = [];
    const once = async () => {
      let answer: string[];
      try {
        answer = await resolver.query(endpoints.host, endpoints.recordType);
      } catch (error) {
        failures.push(`${endpoints.host}: ${(error as Error).message}`);
        return;
      }
      const owner = answer.map(a => owners.get(a)).find(Boolean);
      if (!owner) {
        failures.push(`${answer[0]} is no cluster's load balancer`);
        return;
      }
      const reply = await probeOnce({
        url: endpoints.loadBalancers[owner],
        host: endpoints.host,
        path: endpoints.path,
        timeoutMs: settings.timeoutMs,
      });
      const colour = reply.cluster ? byName.get(reply.cluster) : undefined;
      if (answeredOk(reply.status) && colour) counts[colour]++;
      else failures.push(reply.error ?? `HTTP ${reply.status}`);
    };
    await inBatches(settings.requests, 5, once);
    const named = counts.blue + counts.green;
    const clusters: Partial<Record<ClusterColour, ClusterProbeResult>> = {};
    for (const colour of CLUSTER_COLOURS) {
      clusters[colour] = {
        expectedShare: run.state.weights[colour] / total,
        ...(named > 0 && { observedShare: counts[colour] / named }),
      };
    }
    const losing = losingAtFinalStep(run, now());
    if (named < settings.requests / 2) {
      return {
        ok: true,
        clusters,
        notes: [
          `share: ${named} of ${settings.requests} requests to ${
            endpoints.host
          } were answered by a cluster, too few to judge${
            failures[0] ? ` (${failures[0]})` : ''
          }`,
        ],
      };
    }
    if (losing && counts[losing] / named > settings.tolerance) {
      return {
        ok: false,
        reason: `share: ${losing} still answered ${percent(
          counts[losing] / named,
        )} of ${named} requests to ${
          endpoints.host
        } at the final step (${weightSplit(
          run.state.weights,
        )}), past the TTL of ${run.floor.ttlSeconds} s (at most ${percent(
          settings.tolerance,
        )} allowed)`,
        clusters,
      };
    }
    return { ok: true, clusters };
  };
}
