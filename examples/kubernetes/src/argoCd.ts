import { KubernetesCluster } from './cluster';

const ARGOCD = '/apis/argoproj.io/v1alpha1/namespaces/argocd';
const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** Minimal CRDs of Argo CD's Application and ApplicationSet (schema left open). */
export function argoCdCrds(): object[] {
  return [
    ['applications', 'Application', 'app'],
    ['applicationsets', 'ApplicationSet', 'appset'],
  ].map(([plural, kind, short]) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.argoproj.io` },
    spec: {
      group: 'argoproj.io',
      scope: 'Namespaced',
      names: {
        plural,
        singular: kind.toLowerCase(),
        kind,
        shortNames: [short],
      },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              'x-kubernetes-preserve-unknown-fields': true,
            },
          },
        },
      ],
    },
  }));
}

/** Installs the CRDs and waits until the API serves them. */
export async function installArgoCdCrds(cluster: KubernetesCluster) {
  for (const crd of argoCdCrds()) {
    await cluster.create(
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      crd,
    );
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await cluster.request('GET', `${ARGOCD}/applicationsets`);
    if (res.status === 200) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`Argo CD CRDs not served: ${res.status}`);
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

/**
 * Plays, on a cluster with no controllers, what Argo CD and the garbage collector do when
 * an Application or ApplicationSet is deleted: an Application carrying Argo CD's resources
 * finalizer has its resources deleted (the Ingresses of its destination namespace), then
 * the finalizer removed; an `orphan` finalizer (propagationPolicy Orphan) is removed. Until
 * then the API server keeps the object, with its deletionTimestamp, as on any cluster.
 * Returns what it finished (kind, name, the finalizers it found) and a function to stop.
 */
export function playArgoCd(
  cluster: KubernetesCluster,
  options: { pollMs?: number } = {},
): {
  stop(): void;
  finished: Array<{ kind: string; name: string; finalizers: string[] }>;
} {
  let stopped = false;
  const finished: Array<{ kind: string; name: string; finalizers: string[] }> =
    [];
  const finish = async (kind: string, item: any) => {
    const finalizers: string[] = item.metadata.finalizers ?? [];
    if (finalizers.includes(RESOURCES_FINALIZER)) {
      const namespace = item.spec?.destination?.namespace;
      if (namespace) {
        await cluster.request(
          'DELETE',
          `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(
            namespace,
          )}/ingresses`,
        );
      }
    }
    const patched = await cluster.request(
      'PATCH',
      `${ARGOCD}/${kind}/${encodeURIComponent(item.metadata.name)}`,
      {
        metadata: {
          finalizers: finalizers.filter(
            f => f !== RESOURCES_FINALIZER && f !== 'orphan',
          ),
        },
      },
      { contentType: 'application/merge-patch+json' },
    );
    // Recorded once done: a failed patch is tried again on the next poll.
    if (patched.status === 200) {
      finished.push({ kind, name: item.metadata.name, finalizers });
    }
  };
  const loop = async () => {
    while (!stopped) {
      for (const kind of ['applicationsets', 'applications']) {
        const res = await cluster
          .request('GET', `${ARGOCD}/${kind}`)
          .catch(() => undefined);
        for (const item of res?.body?.items ?? []) {
          if (item.metadata.deletionTimestamp) {
            await finish(kind, item).catch(() => undefined);
          }
        }
      }
      await new Promise(resolve => setTimeout(resolve, options.pollMs ?? 50));
    }
  };
  loop();
  return {
    stop: () => {
      stopped = true;
    },
    finished,
  };
}
