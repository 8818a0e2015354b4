import {
  CLUSTER_COLOURS,
  ClusterColour,
  compareKubernetesVersions,
  MAX_WEIGHT,
  MIN_WEIGHT,
  TrafficStatus,
  Weights,
  weightsProblem,
} from '@bluegreen/plugin-bluegreen-common';
import { ClusterWorkloads, isReady, parity } from './workloads';

/** The targets the cutover dialog offers. */
export type CutoverTarget = 'to-green' | 'to-blue' | 'custom';

export const TARGET_WEIGHTS: Record<
  Exclude<CutoverTarget, 'custom'>,
  Weights
> = {
  'to-green': { blue: 0, green: 100 },
  'to-blue': { blue: 100, green: 0 },
};

/** Why a weight typed into the dialog is not acceptable, or undefined. */
export function weightFieldProblem(text: string): string | undefined {
  if (!/^\d+$/.test(text.trim())) {
    return `a whole number from ${MIN_WEIGHT} to ${MAX_WEIGHT}`;
  }
  const value = Number(text);
  if (value < MIN_WEIGHT || value > MAX_WEIGHT) {
    return `must be between ${MIN_WEIGHT} and ${MAX_WEIGHT}`;
  }
  return undefined;
}

/** Why a plan is refused before it is sent, or undefined. */
export function planProblem(
  weights: Weights,
  current: Partial<Weights>,
): string | undefined {
  const problem = weightsProblem(weights);
  if (problem) {
    return problem;
  }
  if (weights.blue === current.blue && weights.green === current.green) {
    return 'these are the current weights';
  }
  return undefined;
}

/** One pre-flight check; `ok` undefined means it could not be told. */
export interface PreflightCheck {
  id: string;
  label: string;
  ok?: boolean;
  detail: string;
}

const other = (colour: ClusterColour): ClusterColour =>
  colour === 'blue' ? 'green' : 'blue';

/**
 * What to know before moving traffic: the clusters that will serve must be reachable
 * and ready, must run what the other cluster runs, and green must not be older.
 */
export function preflightChecks(
  status: TrafficStatus,
  workloads: Record<ClusterColour, ClusterWorkloads>,
  weights: Weights,
): PreflightCheck[] {
  const serving = CLUSTER_COLOURS.filter(colour => weights[colour] > 0);
  const checks: PreflightCheck[] = serving.map(colour => {
    const w = workloads[colour];
    const name = status.clusters[colour].name;
    if (w.state !== 'ok') {
      return {
        id: `ready-${colour}`,
        label: `${colour} workloads ready`,
        detail:
          w.state === 'loading'
            ? `${name}: not loaded yet`
            : `${name} unreachable: ${w.error}`,
      };
    }
    const notReady = w.deployments.filter(d => !isReady(d));
    let detail = `${name}: ${w.deployments.length} deployments ready`;
    if (w.deployments.length === 0) {
      detail = `${name} runs no workloads of this entity`;
    } else if (notReady.length > 0) {
      detail = `${name}: ${notReady
        .map(d => `${d.name} ${d.ready}/${d.desired}`)
        .join(', ')} not ready`;
    }
    return {
      id: `ready-${colour}`,
      label: `${colour} workloads ready`,
      ok: w.deployments.length > 0 && notReady.length === 0,
      detail,
    };
  });
  for (const colour of serving) {
    if (weights[colour] > (status.weights[colour] ?? 0)) {
      const result = parity(
        {
          name: status.clusters[other(colour)].name,
          workloads: workloads[other(colour)],
        },
        { name: status.clusters[colour].name, workloads: workloads[colour] },
      );
      checks.push({
        id: `parity-${colour}`,
        label: `${colour} runs what ${other(colour)} runs`,
        ok: result.ok,
        detail: result.message,
      });
    }
  }
  const blue = status.clusters.blue.version;
  const green = status.clusters.green.version;
  checks.push({
    id: 'version-order',
    label: 'green is not older than blue',
    ok: blue && green ? compareKubernetesVersions(green, blue) >= 0 : undefined,
    detail:
      blue && green
        ? `blue ${blue}, green ${green}`
        : 'a cluster version is unknown',
  });
  checks.push({
    id: 'records',
    label: 'Route 53 records as expected',
    ok: status.problems.length === 0,
    detail: status.problems.length
      ? status.problems.join('; ')
      : `${status.records.length} weighted records, one per cluster`,
  });
  return checks;
}
