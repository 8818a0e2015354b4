import {
  CLUSTER_COLOURS,
  ClusterColour,
  ClusterProbeResult,
} from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
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

/** One check of a hold, with how it counts. */
export interface HoldCheck {
  name: string;
  verify: RunVerifier;
  /**
   * A gate (direct probe, workloads) fails the hold when it cannot run or finish: what
   * cannot be verified must not pass. An informative check (share, DNS, CloudWatch) that
   * cannot run is noted instead: a throttled metrics API or an unreachable name server
   * must not roll back a healthy cutover.
   */
  gate: boolean;
}

const message = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

/** The check's answer, or what to say when it throws or does not finish in time. */
async function settle(
  check: HoldCheck,
  run: CutoverRunRecord,
  timeoutMs: number,
) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([check.verify(run), timeout]);
  } catch (error) {
    const what = `${check.name} could not run: ${message(error)}`;
    return check.gate
      ? { ok: false, reason: what }
      : { ok: true, notes: [what] };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs every check of a hold at once, each within `timeoutMs`: it passes when all pass; a
 * failure names each failing check. Per-cluster results and notes are merged for the card.
 */
export function combineVerifiers(
  checks: HoldCheck[],
  timeoutMs: number,
): RunVerifier {
  return async run => {
    const results = (
      await Promise.all(checks.map(check => settle(check, run, timeoutMs)))
    ).filter(<T>(r: T | undefined): r is T => r !== undefined);
    if (results.length === 0) {
      return undefined;
    }
    const failed = results.filter(r => !r.ok);
    const notes = results.flatMap(r => r.notes ?? []);
    return {
      ok: failed.length === 0,
      ...(failed.length > 0 && {
        reason: failed.map(r => r.reason ?? 'a check failed').join('; '),
      }),
      clusters: mergeClusters(results.map(r => r.clusters ?? {})),
      ...(notes.length > 0 && { notes }),
    };
  };
}
