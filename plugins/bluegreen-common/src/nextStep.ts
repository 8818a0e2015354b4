import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CLUSTER_COLOURS, ClusterColour } from './annotations';
import {
  compareKubernetesVersions,
  EKS_HOURLY_PRICE_USD,
  EksVersionSupport,
} from './eksVersions';
import { ClusterVersionStatus, TrafficStatus } from './traffic';
import { trafficShares } from './weights';

/**
 * "Upgrade the idle cluster": rebuilds one colour at a newer Kubernetes version.
 * @public
 */
export const UPGRADE_TEMPLATE_REF = 'template:default/upgrade-idle-cluster';

/**
 * "Retire cluster generation": destroys one idle colour.
 * @public
 */
export const RETIRE_TEMPLATE_REF = 'template:default/retire-cluster-generation';

/**
 * "Cut over traffic": sets the weights of an entity's records.
 * @public
 */
export const CUTOVER_TEMPLATE_REF = 'template:default/cut-over-traffic';

/** AWS bills a month as about 730 hours (8760 / 12). */
const HOURS_PER_MONTH = 730;

/**
 * One action of the next step: a template to start, with the form values it needs.
 * @public
 */
export interface NextStepAction {
  label: string;
  templateRef: string;
  formData: Record<string, string>;
}

/**
 * What comes next for a generation: `summary`, then the actions joined by " or "
 * (`text` is the whole line).
 * @public
 */
export interface NextStep {
  state:
    | 'finish-cutover'
    | 'retire-or-rebuild'
    | 'cut-over-to-idle'
    | 'rebuild-destroyed'
    | 'move-off-destroyed'
    | 'all-zero';
  summary: string;
  actions: NextStepAction[];
  text: string;
}

/**
 * The generation (System) an entity belongs to: itself for a System, else
 * `system:<namespace>/<spec.system>`; undefined when it names none.
 * @public
 */
export function generationRefOf(entity: Entity): string | undefined {
  const namespace = entity.metadata.namespace ?? 'default';
  if (entity.kind.toLocaleLowerCase('en-US') === 'system') {
    return stringifyEntityRef(entity);
  }
  const system = (entity.spec as { system?: unknown } | undefined)?.system;
  if (typeof system !== 'string' || system === '') {
    return undefined;
  }
  return stringifyEntityRef(
    parseEntityRef(system, {
      defaultKind: 'system',
      defaultNamespace: namespace,
    }),
  );
}

/**
 * The version to rebuild at: the lowest one EKS supports that is newer than the serving
 * cluster's (skipping minor versions is fine, the cluster is built new).
 * @public
 */
export function rebuildVersion(
  servingVersion: string | undefined,
  supported: readonly Pick<EksVersionSupport, 'version'>[],
): string | undefined {
  if (!servingVersion) {
    return undefined;
  }
  return supported
    .map(v => v.version)
    .filter(v => compareKubernetesVersions(v, servingVersion) > 0)
    .sort(compareKubernetesVersions)[0];
}

const dollars = (amount: number) => `$${amount.toFixed(2)}`;

function costOf(cluster: ClusterVersionStatus): string {
  switch (cluster.supportStatus) {
    case 'standard':
    case 'extended': {
      const hourly = EKS_HOURLY_PRICE_USD[cluster.supportStatus];
      const monthly = (hourly * HOURS_PER_MONTH).toFixed(0);
      return ` (${cluster.supportStatus} support, ${dollars(
        hourly,
      )} per hour, about $${monthly} a month)`;
    }
    case 'unsupported':
      return ' (past end of support: EKS may upgrade it at any time)';
    default:
      return '';
  }
}

const other = (colour: ClusterColour): ClusterColour =>
  colour === 'blue' ? 'green' : 'blue';

/**
 * The one line the card shows about what comes next, from the traffic status and the
 * versions EKS supports today. A colour is idle when its weight is 0 (or it has no
 * record); undefined when neither colour has a record (nothing to say about traffic).
 * @public
 */
export function nextStep(input: {
  status: Pick<TrafficStatus, 'entityRef' | 'weights' | 'clusters'>;
  supportedVersions: readonly Pick<EksVersionSupport, 'version'>[];
  /** The generation's System ref; the retire and rebuild forms need it. */
  generation?: string;
}): NextStep | undefined {
  const { status, supportedVersions, generation } = input;
  if (status.weights.blue === undefined && status.weights.green === undefined) {
    return undefined;
  }
  const weights = {
    blue: status.weights.blue ?? 0,
    green: status.weights.green ?? 0,
  };
  const shares = trafficShares(weights);
  const split = CLUSTER_COLOURS.map(
    c => `${c} ${Math.round(shares[c])} %`,
  ).join(' · ');
  const forGeneration: Record<string, string> = generation
    ? { generation }
    : {};
  const cutover: Omit<NextStepAction, 'label'> = {
    templateRef: CUTOVER_TEMPLATE_REF,
    formData: { entity: status.entityRef },
  };
  const step = (
    state: NextStep['state'],
    summary: string,
    actions: NextStepAction[],
  ): NextStep => ({
    state,
    summary,
    actions,
    text: `${summary} — ${actions.map(a => a.label).join(' or ')}`,
  });
  const destroyed = (c: ClusterColour) =>
    status.clusters[c].source === 'not-found';

  const idle = CLUSTER_COLOURS.filter(c => weights[c] === 0);
  if (idle.length === 2) {
    return step(
      'all-zero',
      `${split}: both weights are 0, which bluegreen refuses to set, yet Route 53 holds it and splits traffic equally`,
      [{ label: 'set the weights', ...cutover }],
    );
  }
  const weightedDestroyed = CLUSTER_COLOURS.find(
    c => weights[c] > 0 && destroyed(c),
  );
  if (weightedDestroyed) {
    return step(
      'move-off-destroyed',
      `${split} · ${weightedDestroyed}'s EKS cluster does not exist, yet it has weight ${weights[weightedDestroyed]}`,
      [
        {
          label: `move its traffic to ${other(weightedDestroyed)}`,
          ...cutover,
        },
      ],
    );
  }
  if (idle.length === 0) {
    return step('finish-cutover', split, [
      { label: 'finish the cutover', ...cutover },
    ]);
  }

  const idleColour = idle[0];
  const serving = other(idleColour);
  const servingVersion = status.clusters[serving].version;
  const target = rebuildVersion(servingVersion, supportedVersions);
  const rebuild: NextStepAction = {
    label: target ? `rebuild it at ${target}` : 'rebuild it',
    templateRef: UPGRADE_TEMPLATE_REF,
    formData: {
      ...forGeneration,
      colour: idleColour,
      ...(target ? { kubernetes_version: target } : {}),
    },
  };
  const serves = `${serving} serves ${Math.round(shares[serving])} %`;
  if (destroyed(idleColour)) {
    return step('rebuild-destroyed', `${serves} · ${idleColour} destroyed`, [
      rebuild,
    ]);
  }
  const idleCluster = status.clusters[idleColour];
  const idleOn = `${serves} · ${idleColour} idle${
    idleCluster.version ? ` on ${idleCluster.version}` : ''
  }${costOf(idleCluster)}`;
  // The new generation before its cutover: moving traffic to it comes first.
  if (
    idleCluster.version &&
    servingVersion &&
    compareKubernetesVersions(idleCluster.version, servingVersion) > 0
  ) {
    return step(
      'cut-over-to-idle',
      `${idleOn}, newer than ${serving}'s ${servingVersion}`,
      [{ label: `cut over to ${idleColour}`, ...cutover }],
    );
  }
  return step('retire-or-rebuild', idleOn, [
    {
      label: 'retire it',
      templateRef: RETIRE_TEMPLATE_REF,
      formData: { ...forGeneration, colour: idleColour },
    },
    rebuild,
  ]);
}
