import type {
  ClusterObjects,
  ObjectsByEntityResponse,
} from '@backstage/plugin-kubernetes-common';

/**
 * One deployment of the entity in one cluster, as far as traffic readiness goes.
 * @public
 */
export interface DeploymentSummary {
  name: string;
  namespace?: string;
  ready: number;
  desired: number;
  /** Pods of this deployment that are not ready, with why when Kubernetes says. */
  podsNotReady: string[];
}

/**
 * One of the entity's Ingresses with its external-dns weight: in GitOps mode, the source
 * external-dns writes to Route 53 (the hop before Route 53).
 * @public
 */
export interface IngressWeight {
  /** `<namespace>/<name>` */
  name: string;
  hosts: string[];
  setIdentifier?: string;
  /** The `aws-weight` annotation as written (external-dns reads a value it cannot parse as 0). */
  weight?: string;
}

/**
 * What the Kubernetes backend told about the entity's workloads in one cluster.
 * @public
 */
export type ClusterWorkloads =
  | { state: 'loading' }
  | { state: 'unreachable'; error: string }
  | {
      state: 'ok';
      deployments: DeploymentSummary[];
      /** Its Ingresses that carry external-dns weight annotations, when it has any. */
      ingresses?: IngressWeight[];
    };

type Meta = {
  name?: string;
  namespace?: string;
  ownerReferences?: Array<{ kind?: string; name?: string }>;
};
type Deployment = {
  metadata?: Meta;
  spec?: { replicas?: number };
  status?: { readyReplicas?: number };
};
type Ingress = {
  metadata?: Meta & { annotations?: Record<string, string> };
  spec?: { rules?: Array<{ host?: string }> };
};
const EXTERNAL_DNS = 'external-dns.alpha.kubernetes.io/';
type Pod = {
  metadata?: Meta;
  status?: {
    conditions?: Array<{ type?: string; status?: string }>;
    containerStatuses?: Array<{
      ready?: boolean;
      restartCount?: number;
      state?: { waiting?: { reason?: string } };
    }>;
  };
};

function resourcesOf<T>(objects: ClusterObjects, type: string): T[] {
  return (objects.resources.find(r => r.type === type)?.resources ??
    []) as unknown as T[];
}

function owner(meta: Meta | undefined, kind: string): string | undefined {
  return meta?.ownerReferences?.find(ref => ref.kind === kind)?.name;
}

function podProblem(pod: Pod): string | undefined {
  const ready = pod.status?.conditions?.find(c => c.type === 'Ready');
  if (ready?.status === 'True') {
    return undefined;
  }
  const waiting = pod.status?.containerStatuses?.find(
    c => c.state?.waiting?.reason,
  );
  const restarts = Math.max(
    0,
    ...(pod.status?.containerStatuses ?? []).map(c => c.restartCount ?? 0),
  );
  const why = [
    waiting?.state?.waiting?.reason,
    restarts > 0 ? `${restarts} restarts` : undefined,
  ].filter(Boolean);
  return `${pod.metadata?.name}${why.length ? ` (${why.join(', ')})` : ''}`;
}

/**
 * The entity's deployments in the named cluster, with their not-ready pods found through
 * the ReplicaSets that own them. A cluster missing from the response or answering with
 * errors is unreachable, with the errors as the reason.
 * @public
 */
export function clusterWorkloads(
  response: ObjectsByEntityResponse | undefined,
  clusterName: string,
  loadingError?: string,
): ClusterWorkloads {
  if (loadingError) {
    return { state: 'unreachable', error: loadingError };
  }
  if (!response) {
    return { state: 'loading' };
  }
  const objects = response.items.find(i => i.cluster.name === clusterName);
  if (!objects) {
    return {
      state: 'unreachable',
      error: `the Kubernetes backend does not know a cluster named ${clusterName}`,
    };
  }
  if (objects.errors.length > 0) {
    return {
      state: 'unreachable',
      error: objects.errors
        .map(e =>
          'statusCode' in e && e.statusCode
            ? `${e.errorType} (HTTP ${e.statusCode})`
            : `${e.errorType}${'message' in e ? `: ${e.message}` : ''}`,
        )
        .join('; '),
    };
  }
  const replicaSetOwner = new Map<string, string>();
  for (const rs of resourcesOf<Deployment>(objects, 'replicasets')) {
    const deployment = owner(rs.metadata, 'Deployment');
    if (deployment && rs.metadata?.name) {
      replicaSetOwner.set(rs.metadata.name, deployment);
    }
  }
  const pods = resourcesOf<Pod>(objects, 'pods');
  const deployments = resourcesOf<Deployment>(objects, 'deployments').map(d => {
    const name = d.metadata?.name ?? 'unnamed';
    const podsNotReady = pods
      .filter(
        p =>
          replicaSetOwner.get(owner(p.metadata, 'ReplicaSet') ?? '') === name,
      )
      .map(podProblem)
      .filter((problem): problem is string => Boolean(problem));
    return {
      name,
      namespace: d.metadata?.namespace,
      ready: d.status?.readyReplicas ?? 0,
      desired: d.spec?.replicas ?? 1,
      podsNotReady,
    };
  });
  const ingresses = resourcesOf<Ingress>(objects, 'ingresses')
    .filter(
      i => i.metadata?.annotations?.[`${EXTERNAL_DNS}aws-weight`] !== undefined,
    )
    .map(i => ({
      name: `${i.metadata?.namespace}/${i.metadata?.name}`,
      hosts: (i.spec?.rules ?? []).flatMap(r => (r.host ? [r.host] : [])),
      setIdentifier: i.metadata?.annotations?.[`${EXTERNAL_DNS}set-identifier`],
      weight: i.metadata?.annotations?.[`${EXTERNAL_DNS}aws-weight`],
    }));
  return {
    state: 'ok',
    deployments: deployments.sort((a, b) => a.name.localeCompare(b.name)),
    ...(ingresses.length > 0 && { ingresses }),
  };
}

/**
 * The external-dns weight the cluster's Ingress gives `hostname`'s record of
 * `setIdentifier` (the hop before Route 53 in GitOps mode), as external-dns reads it: a
 * value that is not a whole number counts as 0.
 * @public
 */
export function ingressWeightFor(
  workloads: ClusterWorkloads,
  hostname: string,
  setIdentifier: string,
): { ingress: string; weight: number } | undefined {
  if (workloads.state !== 'ok') return undefined;
  const host = hostname.toLowerCase().replace(/\.$/, '');
  const ingress = workloads.ingresses?.find(
    i =>
      i.setIdentifier === setIdentifier &&
      i.hosts.some(h => h.toLowerCase() === host),
  );
  if (!ingress) return undefined;
  // As Go's ParseInt: digits only, no spaces, no sign.
  const raw = ingress.weight ?? '';
  return { ingress: ingress.name, weight: /^\d+$/.test(raw) ? Number(raw) : 0 };
}

/**
 * A deployment is ready when all of its desired replicas are.
 * @public
 */
export function isReady(deployment: DeploymentSummary): boolean {
  return deployment.ready >= deployment.desired;
}

/**
 * A workload comparison: `undefined` when it cannot be told yet.
 * @public
 */
export interface ParityResult {
  ok?: boolean;
  message: string;
}

/**
 * Does `to` run, ready, every workload `from` runs? Names what is missing or not ready.
 * @public
 */
export function parity(
  from: { name: string; workloads: ClusterWorkloads },
  to: { name: string; workloads: ClusterWorkloads },
): ParityResult {
  if (from.workloads.state !== 'ok' || to.workloads.state !== 'ok') {
    const unknown = [from, to].filter(c => c.workloads.state !== 'ok');
    return {
      message: `cannot compare workloads: ${unknown
        .map(c => c.name)
        .join(' and ')} ${
        unknown.some(c => c.workloads.state === 'loading')
          ? 'not loaded yet'
          : 'unreachable'
      }`,
    };
  }
  const target = new Map(to.workloads.deployments.map(d => [d.name, d]));
  const missing = from.workloads.deployments
    .map(d => d.name)
    .filter(name => !target.has(name));
  // Scaled to 0 where the other runs replicas is not running it.
  const notReady = from.workloads.deployments
    .map(d => ({ d: target.get(d.name), runs: d.ready > 0 }))
    .filter(
      ({ d, runs }) =>
        d !== undefined && (!isReady(d) || (runs && d.ready === 0)),
    )
    .map(({ d }) => `${d!.name} ${d!.ready}/${d!.desired}`);
  if (from.workloads.deployments.length === 0) {
    return {
      ok: false,
      message: `${from.name} runs no workloads of this entity to compare with`,
    };
  }
  if (missing.length === 0 && notReady.length === 0) {
    return {
      ok: true,
      message: `${to.name} runs all ${from.workloads.deployments.length} workloads ${from.name} runs, ready`,
    };
  }
  const parts = [
    missing.length ? `missing ${missing.join(', ')}` : undefined,
    notReady.length ? `not ready ${notReady.join(', ')}` : undefined,
  ].filter(Boolean);
  return { ok: false, message: `${to.name}: ${parts.join('; ')}` };
}
