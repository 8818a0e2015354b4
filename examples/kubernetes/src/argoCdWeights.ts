/*
 * Plays the part of Argo CD that carries a GitOps Bridge cluster's route53_weight to the
 * workloads, as a LOCAL STAND-IN (no Argo CD runs here): the bootstrap ApplicationSet
 * reads the in-cluster cluster secret's annotations, and the workload's chart writes the
 * weight into its Ingress's external-dns `aws-weight` annotation. Every poll, each Ingress
 * with that annotation in a namespace a workload Application deploys to gets the secret's
 * route53_weight, as Argo CD's next sync would.
 */
import { KubernetesCluster } from './cluster';
import { playEvery } from './standInLoop';

const ARGOCD = '/apis/argoproj.io/v1alpha1/namespaces/argocd';
const AWS_WEIGHT = 'external-dns.alpha.kubernetes.io/aws-weight';
const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** One sync: the Ingresses it changed, as `<namespace>/<name>=<weight>`. */
export async function syncArgoCdWeights(
  cluster: KubernetesCluster,
): Promise<string[]> {
  const secrets = await cluster.request(
    'GET',
    `/api/v1/namespaces/argocd/secrets?labelSelector=${encodeURIComponent(
      'argocd.argoproj.io/secret-type=cluster',
    )}`,
  );
  const weight = (secrets.body as any)?.items?.[0]?.metadata?.annotations
    ?.route53_weight;
  if (secrets.status !== 200 || weight === undefined) return [];
  const applications = await cluster.request('GET', `${ARGOCD}/applications`);
  // The workload Applications (the add-ons' carry no resources finalizer).
  const namespaces = new Set<string>(
    ((applications.body as any)?.items ?? [])
      .filter((a: any) =>
        (a.metadata.finalizers ?? []).includes(RESOURCES_FINALIZER),
      )
      .map((a: any) => a.spec?.destination?.namespace)
      .filter(Boolean),
  );
  const changed: string[] = [];
  for (const namespace of namespaces) {
    const path = `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(
      namespace,
    )}/ingresses`;
    const ingresses = await cluster.request('GET', path);
    for (const ingress of (ingresses.body as any)?.items ?? []) {
      const annotations = ingress.metadata.annotations ?? {};
      if (!(AWS_WEIGHT in annotations) || annotations[AWS_WEIGHT] === weight) {
        continue;
      }
      const patched = await cluster.request(
        'PATCH',
        `${path}/${encodeURIComponent(ingress.metadata.name)}`,
        { metadata: { annotations: { [AWS_WEIGHT]: weight } } },
        { contentType: 'application/merge-patch+json' },
      );
      if (patched.status === 200) {
        changed.push(`${namespace}/${ingress.metadata.name}=${weight}`);
      }
    }
  }
  return changed;
}

/** Syncs every `pollMs` (default 1000) until stopped; `log` hears each change. */
export function playArgoCdWeights(
  cluster: KubernetesCluster,
  options: { pollMs?: number; log?: (message: string) => void } = {},
): { stop(): Promise<void> } {
  const prefix = `Argo CD stand-in (${cluster.name}):`;
  return playEvery(
    options.pollMs ?? 1000,
    async () =>
      (await syncArgoCdWeights(cluster)).map(
        change => `${prefix} synced ${AWS_WEIGHT} ${change}`,
      ),
    message =>
      options.log?.(
        message.startsWith(prefix) ? message : `${prefix} ${message}`,
      ),
  );
}
