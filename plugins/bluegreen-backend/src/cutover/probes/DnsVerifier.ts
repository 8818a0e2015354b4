import {
  CLUSTER_COLOURS,
  ClusterColour,
  ClusterProbeResult,
} from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { RunVerifier } from '../engine/CutoverEngine';
import { answerOwners, createResolver, DnsQuerySettings } from './dnsAnswers';
import { inBatches } from './inBatches';
import { ProbeEndpoints } from './ProbeVerifier';

/** bluegreen.cutover.staged.dns: the zone's name servers, asked directly. */
export interface DnsCheckSettings extends DnsQuerySettings {
  servers: string[];
  /** Queries of the weighted record per verification. */
  queries: number;
}

/**
 * The DNS check: `queries` queries of the weighted record sent to the zone's own name
 * servers, which answer each one by weight (no resolver cache in between), counted per
 * set identifier. The shares are shown, not judged (20 weighted draws are noisy); the
 * hold fails when an answer names a cluster the run set to weight 0 (Route 53 serves
 * something other than what the run wrote: reverted, or changed by someone). No answer at
 * all is noted, not judged.
 */
export function dnsVerifier(options: {
  endpointsOf(run: CutoverRunRecord): Promise<ProbeEndpoints>;
  settings: DnsCheckSettings;
}): RunVerifier {
  const { settings } = options;
  const resolver = createResolver(settings);
  return async run => {
    const endpoints = await options.endpointsOf(run);
    const owners = await answerOwners(resolver, endpoints);
    const counts: Record<ClusterColour | 'other', number> = {
      blue: 0,
      green: 0,
      other: 0,
    };
    const errors: string[] = [];
    await inBatches(settings.queries, 10, async () => {
      try {
        const answer = await resolver.query(
          endpoints.host,
          endpoints.recordType,
        );
        // An ELB answers a few of its addresses: any of them names it.
        const owner = answer.map(a => owners.get(a)).find(Boolean);
        counts[owner ?? 'other']++;
      } catch (error) {
        errors.push((error as Error).message);
      }
    });
    const answered = counts.blue + counts.green + counts.other;
    // Nothing to judge: noted, not failed (an unreachable name server is not a sign
    // the cutover is wrong).
    if (answered === 0) {
      return {
        ok: true,
        notes: [
          `DNS: none of ${settings.queries} queries of ${
            endpoints.host
          } was answered by ${settings.servers.join(', ')} (${errors[0]})`,
        ],
      };
    }
    const clusters: Partial<Record<ClusterColour, ClusterProbeResult>> = {};
    const problems: string[] = [];
    for (const colour of CLUSTER_COLOURS) {
      clusters[colour] = { dnsShare: counts[colour] / answered };
      if (run.state.weights[colour] === 0 && counts[colour] > 0) {
        problems.push(
          `DNS: ${counts[colour]} of ${answered} answers for ${endpoints.host} named ${colour}, which the run set to weight 0 (Route 53 does not serve what the run wrote)`,
        );
      }
    }
    const notes =
      counts.other > 0
        ? [
            `DNS: ${counts.other} of ${answered} answers named no cluster's record`,
          ]
        : [];
    return {
      ok: problems.length === 0,
      ...(problems.length > 0 && { reason: problems.join('; ') }),
      clusters,
      ...(notes.length > 0 && { notes }),
    };
  };
}
