import { CLUSTER_COLOURS, ClusterColour } from './annotations';
import { TrafficStatus } from './traffic';
import { compareKubernetesVersions } from './eksVersions';
import { trafficShares, Weights } from './weights';
import { ClusterWorkloads, isReady, parity } from './workloads';

/**
 * One pre-flight check; `ok` undefined means it could not be told.
 * @public
 */
export interface PreflightCheck {
  id: string;
  label: string;
  ok?: boolean;
  detail: string;
}

const other = (colour: ClusterColour): ClusterColour =>
  colour === 'blue' ? 'green' : 'blue';

/**
 * What the pre-flight checks look at: the two clusters, the weights Route 53 holds now and
 * what is wrong with the record group. The dialog takes it from the traffic status, the
 * server from its own read.
 * @public
 */
export interface PreflightInput {
  clusters: Record<ClusterColour, { name: string; version?: string }>;
  weights: Partial<Weights>;
  problems: string[];
  recordCount: number;
}

/**
 * The pre-flight input of a traffic status (what the dialog shows).
 * @public
 */
export function preflightInputOf(status: TrafficStatus): PreflightInput {
  return {
    clusters: status.clusters,
    weights: status.weights,
    problems: status.problems,
    recordCount: status.records.length,
  };
}

/**
 * What to know before moving traffic: the clusters that will serve must be reachable
 * and ready, must run what the other cluster runs, and green must not be older. The
 * cutover dialog shows them; the backend refuses a cutover that fails one unless forced.
 * @public
 */
export function preflightChecks(
  status: PreflightInput,
  workloads: Record<ClusterColour, ClusterWorkloads>,
  weights: Weights,
): PreflightCheck[] {
  const serving = CLUSTER_COLOURS.filter(colour => weights[colour] > 0);
  const checks: PreflightCheck[] = serving.map(colour =>
    readinessCheck(colour, status.clusters[colour].name, workloads[colour]),
  );
  // Parity where a cluster's share of the traffic grows (100/100 -> 30/70 grows green's
  // although its weight falls); a weight Route 53 does not hold is a share of 0.
  const { blue: nowBlue, green: nowGreen } = status.weights;
  const now =
    nowBlue !== undefined && nowGreen !== undefined
      ? trafficShares({ blue: nowBlue, green: nowGreen })
      : { blue: 0, green: 0 };
  const next = trafficShares(weights);
  for (const colour of serving) {
    if (next[colour] > now[colour]) {
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
      : `${status.recordCount} weighted records, one per cluster`,
  });
  return checks;
}

/**
 * The checks that did not pass: failed, or could not be told. Either refuses a cutover
 * unless it is forced.
 * @public
 */
export function failedChecks(checks: PreflightCheck[]): PreflightCheck[] {
  return checks.filter(c => c.ok !== true);
}

/**
 * Whether a cluster runs every deployment of the entity with all its replicas ready (and
 * serves something): the pre-flight's check of each cluster that will serve, and the
 * staged cutover's during each hold.
 * @public
 */
export function readinessCheck(
  colour: ClusterColour,
  name: string,
  w: ClusterWorkloads,
): PreflightCheck {
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
  // Every deployment scaled to 0 is "ready" and serves nothing.
  const running = w.deployments.some(d => d.ready > 0);
  let detail = `${name}: ${w.deployments.length} deployments ready`;
  if (w.deployments.length === 0) {
    detail = `${name} runs no workloads of this entity`;
  } else if (notReady.length > 0) {
    detail = `${name}: ${notReady
      .map(d => `${d.name} ${d.ready}/${d.desired}`)
      .join(', ')} not ready`;
  } else if (!running) {
    detail = `${name}: every deployment is scaled to 0`;
  }
  return {
    id: `ready-${colour}`,
    label: `${colour} workloads ready`,
    ok: running && notReady.length === 0,
    detail,
  };
}
