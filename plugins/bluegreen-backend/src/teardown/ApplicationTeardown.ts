import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { sleep } from '../lib/sleep';
import { KubernetesApi } from './KubernetesProxyClient';

/** Removes a cluster's workloads before its infrastructure is destroyed. */
export interface ApplicationTeardown {
  teardown(options: TeardownOptions): Promise<void>;
}

export interface TeardownOptions {
  clusterName: string;
  /** Whose permissions the Kubernetes calls run with: the task's initiator. */
  credentials: BackstageCredentials;
  log: (line: string) => void;
  signal?: AbortSignal;
}

const ARGOCD = '/apis/argoproj.io/v1alpha1/namespaces/argocd';
const INGRESSES = '/apis/networking.k8s.io/v1/ingresses';
const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

// Names come from the cluster: encoded so that a name can never change the path.
const applicationSetPath = (name: string) =>
  `${ARGOCD}/applicationsets/${encodeURIComponent(name)}`;
const applicationPath = (name: string) =>
  `${ARGOCD}/applications/${encodeURIComponent(name)}`;

/**
 * Applications the upstream teardown keeps while the ingresses go: the add-ons (the load
 * balancer controller and external-dns must still run to remove the ALBs and the Route 53
 * records), Argo CD itself, its bootstrap and the platform team.
 */
const KEPT_APPLICATIONS =
  /^.*addon-|^.*argo-cd|^bootstrap-addons|^team-platform/;

/**
 * The upstream `tear-down-applications.sh`, in order: delete every ApplicationSet with
 * orphan cascade (so they stop recreating Applications), delete the workload
 * Applications with Argo CD's resources finalizer (so their Kubernetes resources go with
 * them), then wait until no Ingress is left in the cluster.
 */
export class ArgoCdApplicationTeardown implements ApplicationTeardown {
  constructor(
    private readonly apiFor: (
      clusterName: string,
      credentials: BackstageCredentials,
    ) => KubernetesApi,
    private readonly options: { pollMs: number; timeoutMs: number } = {
      pollMs: 10_000,
      timeoutMs: 20 * 60_000,
    },
  ) {}

  async teardown({ clusterName, credentials, log, signal }: TeardownOptions) {
    const api = this.apiFor(clusterName, credentials);
    const checkCancelled = () => {
      if (signal?.aborted) {
        throw new Error(`application teardown of ${clusterName} was cancelled`);
      }
    };

    const applicationSets = await api.list(`${ARGOCD}/applicationsets`);
    if (applicationSets === undefined) {
      log(
        `${clusterName}: no Argo CD ApplicationSet API; skipping the application teardown`,
      );
      return;
    }
    for (const { metadata } of applicationSets) {
      checkCancelled();
      log(
        `${clusterName}: deleting ApplicationSet ${metadata.name} (orphan cascade)`,
      );
      await api.delete(applicationSetPath(metadata.name), {
        propagationPolicy: 'Orphan',
      });
    }

    const applications = (await api.list(`${ARGOCD}/applications`)) ?? [];
    for (const { metadata } of applications) {
      if (KEPT_APPLICATIONS.test(metadata.name)) {
        continue;
      }
      checkCancelled();
      log(
        `${clusterName}: deleting Application ${metadata.name} with its resources`,
      );
      await api.mergePatch(applicationPath(metadata.name), {
        metadata: { finalizers: [RESOURCES_FINALIZER] },
      });
      await api.delete(applicationPath(metadata.name));
    }

    const deadline = Date.now() + this.options.timeoutMs;
    for (;;) {
      checkCancelled();
      const ingresses = (await api.list(INGRESSES)) ?? [];
      if (ingresses.length === 0) {
        log(`${clusterName}: no ingress left`);
        return;
      }
      const names = ingresses.map(i => i.metadata.name).join(', ');
      if (Date.now() > deadline) {
        throw new Error(
          `application teardown of ${clusterName}: ingresses still present after ${Math.round(
            this.options.timeoutMs / 1000,
          )} s: ${names}`,
        );
      }
      log(`${clusterName}: waiting for ingresses to go: ${names}`);
      await sleep(this.options.pollMs, signal);
    }
  }
}
