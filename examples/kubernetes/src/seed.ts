import { installArgoCdCrds } from './argoCd';
import { KubernetesCluster } from './cluster';
import {
  KubernetesFixtureCluster,
  KubernetesObject,
  fixtureObjects,
} from './fixtures';

const ARGOCD = '/apis/argoproj.io/v1alpha1/namespaces/argocd';
const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** Where each kind the fixtures expand to is created. */
const COLLECTIONS: Record<string, (namespace?: string) => string> = {
  Namespace: () => '/api/v1/namespaces',
  Node: () => '/api/v1/nodes',
  Deployment: ns => `/apis/apps/v1/namespaces/${ns}/deployments`,
  ReplicaSet: ns => `/apis/apps/v1/namespaces/${ns}/replicasets`,
  Pod: ns => `/api/v1/namespaces/${ns}/pods`,
  Service: ns => `/api/v1/namespaces/${ns}/services`,
  Ingress: ns => `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`,
};

const collectionOf = (object: KubernetesObject) => {
  const collection = COLLECTIONS[object.kind];
  if (!collection) {
    throw new Error(`the seeder cannot create a ${object.kind}`);
  }
  return collection(object.metadata.namespace);
};

/** Writes an object's status subresource, as its controller or kubelet would. */
async function writeStatus(
  cluster: KubernetesCluster,
  object: KubernetesObject,
): Promise<KubernetesObject> {
  const res = await cluster.request(
    'PATCH',
    `${collectionOf(object)}/${encodeURIComponent(
      object.metadata.name,
    )}/status`,
    // A merge patch keeps keys it does not name: null removes a count that is now zero.
    {
      status: {
        ...(object.kind === 'Deployment' && { unavailableReplicas: null }),
        ...(object.status as object),
      },
    },
    { contentType: 'application/merge-patch+json' },
  );
  if (res.status !== 200) {
    throw new Error(
      `status of ${object.kind} ${object.metadata.name}: ${
        res.status
      } ${JSON.stringify(res.body?.message ?? res.body)}`,
    );
  }
  return res.body;
}

/**
 * Creates a fixture cluster's objects (fixtures/clusters.yaml) in a real API server,
 * owners first, and then writes each object's status, playing the controllers and
 * kubelets that would report it: Deployments and ReplicaSets with their ready counts,
 * Pods Running or waiting in CrashLoopBackOff. The API server assigns uids; owner
 * references are pointed at them. Pod metrics are left out (no metrics API runs). Then
 * Argo CD's side of a GitOps Bridge cluster (seedArgoCd). Returns the workload objects as
 * the API server holds them.
 */
export async function seedFixtureCluster(
  cluster: KubernetesCluster,
  fixture: KubernetesFixtureCluster,
): Promise<KubernetesObject[]> {
  const uids = new Map<string, string>();
  const created: KubernetesObject[] = [];
  for (const object of fixtureObjects(fixture)) {
    const { status, ...body } = object;
    const { ownerReferences } = object.metadata as {
      ownerReferences?: Array<{ kind: string; name: string }>;
    };
    if (ownerReferences) {
      body.metadata = {
        ...object.metadata,
        ownerReferences: ownerReferences.map(ref => ({
          ...ref,
          uid: uids.get(`${ref.kind}/${object.metadata.namespace}/${ref.name}`),
        })),
      };
    }
    const stored = await cluster.create(collectionOf(object), body);
    uids.set(
      `${object.kind}/${object.metadata.namespace}/${object.metadata.name}`,
      stored.metadata.uid,
    );
    created.push(status ? await writeStatus(cluster, object) : stored);
  }
  await seedNodes(cluster, fixture);
  await seedArgoCd(cluster, fixture);
  return created;
}

/** The cluster's worker Nodes, each Ready as its kubelet would report (no kubelet runs). */
async function seedNodes(
  cluster: KubernetesCluster,
  fixture: KubernetesFixtureCluster,
) {
  for (let i = 0; i < (fixture.nodes ?? 2); i++) {
    const node: KubernetesObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: `ip-10-0-${i + 1}-10.us-west-2.compute.internal`,
        labels: { 'eks.amazonaws.com/nodegroup': `${fixture.name}-core` },
      },
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status',
            lastHeartbeatTime: new Date().toISOString(),
            lastTransitionTime: new Date().toISOString(),
          },
        ],
      },
    };
    const { status, ...body } = node;
    await cluster.create(collectionOf(node), body);
    await writeStatus(cluster, node);
  }
}

/**
 * Argo CD's objects of a GitOps Bridge cluster, without Argo CD running: its CRDs, the
 * in-cluster cluster secret whose annotations carry the GitOps metadata (route53_weight
 * among them, as modules/eks_cluster writes it), the two bootstrap ApplicationSets, the
 * add-on Applications, and one workload Application (with Argo CD's resources finalizer)
 * per namespace marked argoCdApplication.
 */
export async function seedArgoCd(
  cluster: KubernetesCluster,
  fixture: KubernetesFixtureCluster,
) {
  await cluster.create('/api/v1/namespaces', {
    metadata: { name: 'argocd' },
  });
  await installArgoCdCrds(cluster);
  await cluster.create('/api/v1/namespaces/argocd/secrets', {
    metadata: {
      name: fixture.name,
      labels: {
        'argocd.argoproj.io/secret-type': 'cluster',
        environment: fixture.gitopsBridge?.env ?? fixture.name,
      },
      annotations: {
        ...fixture.gitopsBridge,
        route53_weight: String(fixture.route53Weight ?? 0),
      },
    },
    type: 'Opaque',
    stringData: {
      name: fixture.name,
      server: 'https://kubernetes.default.svc',
      config: JSON.stringify({ tlsClientConfig: { insecure: false } }),
    },
  });
  for (const name of ['bootstrap-addons', 'bootstrap-workloads']) {
    await cluster.create(`${ARGOCD}/applicationsets`, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name },
      spec: {
        goTemplate: true,
        generators: [
          {
            clusters: {
              selector: {
                matchLabels: { 'argocd.argoproj.io/secret-type': 'cluster' },
              },
            },
          },
        ],
        template: { metadata: { name: `${name}-{{.name}}` }, spec: {} },
      },
    });
  }
  const application = (
    name: string,
    namespace: string,
    finalizers?: string[],
  ) =>
    cluster.create(`${ARGOCD}/applications`, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name, ...(finalizers && { finalizers }) },
      spec: {
        project: 'default',
        destination: { server: 'https://kubernetes.default.svc', namespace },
      },
      // As Argo CD's controller reports a deployed Application (no controller runs).
      status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } },
    });
  await application('argo-cd', 'argocd');
  await application(`addon-${fixture.name}-external-dns`, 'external-dns');
  await application(
    `addon-${fixture.name}-aws-load-balancer-controller`,
    'kube-system',
  );
  for (const ns of fixture.namespaces ?? []) {
    if (ns.argoCdApplication) {
      await application(ns.name, ns.name, [RESOURCES_FINALIZER]);
    }
  }
}

/**
 * Plays the kubelet and the Deployment controller once a deployment's pods recover: every
 * pod of `deployment` Running and Ready, the ReplicaSet's and Deployment's ready counts
 * equal to their replicas (the statuses `fixtureObjects` gives it without notReady).
 */
export async function makeDeploymentReady(
  cluster: KubernetesCluster,
  fixture: KubernetesFixtureCluster,
  namespace: string,
  deployment: string,
) {
  const healed: KubernetesFixtureCluster = {
    ...fixture,
    namespaces: fixture.namespaces?.map(ns =>
      ns.name !== namespace
        ? ns
        : {
            ...ns,
            deployments: ns.deployments?.map(d =>
              d.name === deployment ? { ...d, notReady: [] } : d,
            ),
          },
    ),
  };
  const objects = fixtureObjects(healed).filter(
    o =>
      o.metadata.namespace === namespace &&
      o.metadata.labels?.['app.kubernetes.io/name'] === deployment &&
      ['Deployment', 'ReplicaSet', 'Pod'].includes(o.kind),
  );
  if (!objects.some(o => o.kind === 'Deployment')) {
    throw new Error(
      `no deployment ${namespace}/${deployment} in the fixture of ${fixture.name}`,
    );
  }
  // Pods first, then their owners, as the readiness would propagate.
  for (const kind of ['Pod', 'ReplicaSet', 'Deployment']) {
    for (const object of objects.filter(o => o.kind === kind)) {
      await writeStatus(cluster, object);
    }
  }
}
