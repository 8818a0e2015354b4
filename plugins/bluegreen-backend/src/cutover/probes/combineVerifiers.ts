import {
  CLUSTER_COLOURS,
  ClusterColour,
  ClusterProbeResult,
} from '@bluegreen/plugin-bluegreen-common';
import { RunVerifier } from '../engine/CutoverEngine';

type Clusters = Partial<Record<ClusterColour, ClusterProbeResult>>;

/** Each check fills its own fields of a cluster's result: merged field by field. */
function mergeClusters(all: Clusters[]): Clusters {
  const merged: Clusters = {};
  for (const colour of CLUSTER_COLOURS) {
    const parts = all.map(c => c[colour]).filter(Boolean);
    if (parts.length) merged[colour] = Object.assign({}, ...parts);
  }
  return merged;
}

/**
 * Runs every verifier of a hold at once: it passes when all pass; a failure names each
 * failing check. Per-cluster results are merged for the card.
 */
export function combineVerifiers(...verifiers: RunVerifier[]): RunVerifier {
  return async run => {
    const results = (
      await Promise.all(
        verifiers.map(verify =>
          verify(run).catch(error => ({
            ok: false,
            reason: `a check could not run: ${(error as Error).message}`,
            clusters: undefined,
          })),
        ),
      )
    ).filter(<T>(r: T | undefined): r is T => r !== undefined);
    if (results.length === 0) {
      return undefined;
    }
    const failed = results.filter(r => !r.ok);
    return {
      ok: failed.length === 0,
      ...(failed.length > 0 && {
        reason: failed.map(r => r.reason ?? 'a check failed').join('; '),
      }),
      clusters: mergeClusters(results.map(r => r.clusters ?? {})),
    };
  };
}
