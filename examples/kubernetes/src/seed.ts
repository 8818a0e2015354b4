import type {
  KubernetesFixtureCluster,
  KubernetesObject,
} from '@bluegreen/example-sandbox';
import { expandCluster } from '@bluegreen/example-sandbox';
import { KubernetesCluster } from './cluster';

/** Where each kind the fixtures expand to is created. */
const COLLECTIONS: Record<string, (namespace?: string) => string> = {
  Namespace: () => '/api/v1/namespaces',
  Deployment: ns => `/apis/apps/v1/namespaces/${ns}/deployments`,
  ReplicaSet: ns => `/apis/apps/v1/namespaces/${ns}/replicasets`,
  Pod: ns => `/api/v1/namespaces/${ns}/pods`,
  Service: ns => `/api/v1/namespaces/${ns}/services`,
  Ingress: ns => `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`,
};

/**
 * Creates a fixture cluster's objects (examples/sandbox/fixtures/kubernetes.yaml, expanded
 * as the sandbox expands them) in a real API server, owners first, and then writes each
 * object's status, playing the controllers and kubelets that would report it: Deployments
 * and ReplicaSets with their ready counts, Pods Running or waiting in CrashLoopBackOff.
 * The API server assigns uids; owner references are pointed at them. Pod metrics are left
 * out (no metrics API runs). Returns the objects as the API server holds them.
 */
export async function seedFixtureCluster(
  cluster: KubernetesCluster,
  fixture: KubernetesFixtureCluster,
): Promise<KubernetesObject[]> {
  const uids = new Map<string, string>();
  const created: KubernetesObject[] = [];
  for (const object of expandCluster(fixture)) {
    const collection = COLLECTIONS[object.kind];
    if (!collection) {
      continue;
    }
    const {
      uid: _uid,
      resourceVersion: _rv,
      creationTimestamp: _created,
      generation: _generation,
      ownerReferences,
      ...metadata
    } = object.metadata as Record<string, any>;
    const { status, ...rest } = object as KubernetesObject & {
      status?: unknown;
      spec?: Record<string, unknown>;
    };
    const spec =
      object.kind === 'Service' && rest.spec
        ? // The cluster's own service range assigns the address.
          (({ clusterIP: _ip, clusterIPs: _ips, ...s }) => s)(
            rest.spec as Record<string, unknown>,
          )
        : rest.spec;
    const body = {
      ...rest,
      ...(spec && { spec }),
      metadata: {
        ...metadata,
        ...(ownerReferences && {
          ownerReferences: ownerReferences.map((ref: any) => ({
            ...ref,
            uid: uids.get(
              `${ref.kind}/${object.metadata.namespace}/${ref.name}`,
            ),
          })),
        }),
      },
    };
    const path = collection(object.metadata.namespace);
    const res = await cluster.request('POST', path, body);
    if (res.status === 409 && object.kind === 'Namespace') {
      continue; // default, kube-system and friends exist already
    }
    if (res.status !== 201) {
      throw new Error(
        `seeding ${object.kind} ${object.metadata.name} of ${fixture.name}: ${
          res.status
        } ${JSON.stringify(res.body?.message ?? res.body)}`,
      );
    }
    uids.set(
      `${object.kind}/${object.metadata.namespace}/${object.metadata.name}`,
      res.body.metadata.uid,
    );
    let stored = res.body;
    if (status && object.kind !== 'Namespace') {
      const patched = await cluster.request(
        'PATCH',
        `${path}/${encodeURIComponent(object.metadata.name)}/status`,
        { status },
        { contentType: 'application/merge-patch+json' },
      );
      if (patched.status !== 200) {
        throw new Error(
          `status of ${object.kind} ${object.metadata.name}: ${
            patched.status
          } ${JSON.stringify(patched.body?.message ?? patched.body)}`,
        );
      }
      stored = patched.body;
    }
    created.push(stored);
  }
  return created;
}
