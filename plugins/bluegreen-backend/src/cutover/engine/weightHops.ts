import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  CLUSTER_COLOURS,
  ingressWeightFor,
  Weights,
} from '@bluegreen/plugin-bluegreen-common';
import { EntityWorkloads } from '../../kubernetes/EntityWorkloads';
import { TrafficTarget } from '../../security/TrafficTargets';

/** What a hop holds now: each cluster's weight there, or why it cannot be read. */
export type HopReading =
  | { weights: Partial<Weights> }
  | {
      /** Shown once on the run; the hop is then not waited for. */
      unreadable: string;
    };

/**
 * One place a GitOps step's weights pass through on their way to Route 53, as the engine
 * can read it (in order: the Argo CD cluster secrets, the Ingresses, Route 53).
 */
export interface WeightHop {
  /** Named in the run's history and in the failure of a hop that does not move. */
  name: string;
  read(entity: Entity, target: TrafficTarget): Promise<HopReading>;
}

const CLUSTER_SECRETS = `/api/v1/namespaces/argocd/secrets?labelSelector=${encodeURIComponent(
  'argocd.argoproj.io/secret-type=cluster',
)}`;

/**
 * The GitOps Bridge cluster secret's `route53_weight` annotation in each cluster (what the
 * seed reads with `kubectl get secret -n argocd -l argocd.argoproj.io/secret-type=cluster`),
 * through the Kubernetes backend's proxy with the plugin's own credentials. Only the
 * metadata is asked for (PartialObjectMetadataList): the secret's data, the cluster's
 * credentials, never reaches the backend. Without RBAC to list secrets there (the
 * example's backstage service account has none), the hop is unreadable.
 */
export function argoCdSecretHop(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}): WeightHop {
  const name = "the Argo CD cluster secrets' route53_weight";
  return {
    name,
    async read(_entity, target) {
      const weights: Partial<Weights> = {};
      for (const colour of CLUSTER_COLOURS) {
        const cluster = target.clusters[colour];
        const { token } = await options.auth.getPluginRequestToken({
          onBehalfOf: await options.auth.getOwnServiceCredentials(),
          targetPluginId: 'kubernetes',
        });
        const res = await fetch(
          `${await options.discovery.getBaseUrl(
            'kubernetes',
          )}/proxy${CLUSTER_SECRETS}`,
          {
            signal: AbortSignal.timeout(30_000),
            headers: {
              Authorization: `Bearer ${token}`,
              'Backstage-Kubernetes-Cluster': cluster,
              Accept:
                'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
            },
          },
        );
        if (!res.ok) {
          // The API server's Status message (e.g. "secrets is forbidden: ...").
          const text = await res.text();
          let why = text;
          try {
            why = JSON.parse(text).message ?? text;
          } catch {
            // not JSON: the text itself
          }
          return {
            unreadable: `${cluster} answered ${res.status}: ${why.slice(
              0,
              200,
            )}`,
          };
        }
        const body = (await res.json()) as {
          items?: Array<{
            metadata?: { annotations?: Record<string, string> };
          }>;
        };
        const annotation =
          body.items?.[0]?.metadata?.annotations?.route53_weight;
        if (annotation === undefined) {
          return {
            unreadable: `${cluster} has no cluster secret with a route53_weight annotation in argocd`,
          };
        }
        if (/^\d+$/.test(annotation)) {
          weights[colour] = Number(annotation);
        }
      }
      return { weights };
    },
  };
}

/**
 * Each cluster's Ingress of the hostname, its external-dns `aws-weight` annotation, read
 * through the Kubernetes backend as the card reads it.
 */
export function ingressHop(options: {
  workloads: EntityWorkloads;
  credentials: () => Promise<BackstageCredentials>;
}): WeightHop {
  return {
    name: "the Ingresses' external-dns aws-weight",
    async read(entity, target) {
      const workloads = await options.workloads.read(
        entity,
        target.clusters,
        await options.credentials(),
      );
      const weights: Partial<Weights> = {};
      for (const colour of CLUSTER_COLOURS) {
        // A cluster that does not answer now has not shown the weight yet.
        if (workloads[colour].state !== 'ok') continue;
        const found = ingressWeightFor(
          workloads[colour],
          target.hostname,
          target.clusters[colour],
        );
        if (!found) {
          return {
            unreadable: `no Ingress of ${target.hostname} with set identifier ${target.clusters[colour]} is known in ${target.clusters[colour]}`,
          };
        }
        weights[colour] = found.weight;
      }
      return { weights };
    },
  };
}

/** The weighted records themselves: where the step takes effect. */
export function route53Hop(
  read: (target: TrafficTarget) => Promise<Weights>,
): WeightHop {
  return {
    name: 'Route 53',
    read: async (_entity, target) => ({ weights: await read(target) }),
  };
}
