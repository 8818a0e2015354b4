import {
  ClusterIdentity,
  KubernetesCluster,
  startKubernetesCluster,
} from './cluster';
import {
  KubernetesFixtures,
  fixtureCluster,
  loadKubernetesFixtures,
  withAllPodsReady,
} from './fixtures';
import { makeDeploymentReady, seedFixtureCluster } from './seed';

/** The service account the Kubernetes backend reaches each example cluster as. */
export const BACKSTAGE_SERVICE_ACCOUNT = {
  namespace: 'backstage',
  name: 'backstage',
  identity: 'system:serviceaccount:backstage:backstage',
};

/**
 * What Backstage needs in each cluster, as a platform team would grant it: get and list the
 * kinds the Kubernetes backend fetches (its default object types, ConfigMaps among them, in
 * every namespace; no Secrets) and Argo CD's, and — for the retire template's application
 * teardown — patch and delete Applications and delete ApplicationSets in argocd.
 */
export const BACKSTAGE_RBAC: Array<[string, object]> = [
  [
    '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    {
      metadata: { name: 'backstage-read' },
      rules: [
        {
          apiGroups: [''],
          resources: [
            'nodes',
            'pods',
            'services',
            'configmaps',
            'limitranges',
            'resourcequotas',
          ],
          verbs: ['get', 'list'],
        },
        {
          apiGroups: ['apps'],
          resources: [
            'deployments',
            'replicasets',
            'statefulsets',
            'daemonsets',
          ],
          verbs: ['get', 'list'],
        },
        {
          apiGroups: ['autoscaling'],
          resources: ['horizontalpodautoscalers'],
          verbs: ['get', 'list'],
        },
        {
          apiGroups: ['batch'],
          resources: ['jobs', 'cronjobs'],
          verbs: ['get', 'list'],
        },
        {
          apiGroups: ['networking.k8s.io'],
          resources: ['ingresses'],
          verbs: ['get', 'list'],
        },
        {
          apiGroups: ['argoproj.io'],
          resources: ['applications', 'applicationsets'],
          verbs: ['get', 'list'],
        },
      ],
    },
  ],
  [
    '/apis/rbac.authorization.k8s.io/v1/namespaces/argocd/roles',
    {
      metadata: { name: 'backstage-teardown' },
      // The teardown adds Argo CD's resources finalizer to an Application, then deletes
      // it; ApplicationSets it only deletes (orphan cascade).
      rules: [
        {
          apiGroups: ['argoproj.io'],
          resources: ['applications'],
          verbs: ['patch', 'delete'],
        },
        {
          apiGroups: ['argoproj.io'],
          resources: ['applicationsets'],
          verbs: ['delete'],
        },
      ],
    },
  ],
  ...(
    [
      ['clusterrolebindings', 'ClusterRole', 'backstage-read'],
      ['namespaces/argocd/rolebindings', 'Role', 'backstage-teardown'],
    ] as const
  ).map(([collection, kind, name]): [string, object] => [
    `/apis/rbac.authorization.k8s.io/v1/${collection}`,
    {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name },
      subjects: [
        {
          kind: 'ServiceAccount',
          namespace: BACKSTAGE_SERVICE_ACCOUNT.namespace,
          name: BACKSTAGE_SERVICE_ACCOUNT.name,
        },
      ],
    },
  ]),
];

export interface ExampleClustersOptions {
  /** Default fixtures/clusters.yaml. */
  fixtures?: KubernetesFixtures;
  /** Every pod ready (withAllPodsReady): the cutover pre-flight passes both ways. */
  allReady?: boolean;
  /** Tokens to issue on every cluster besides admin, as startKubernetesCluster takes them. */
  identities?: Record<string, ClusterIdentity>;
  /** Lifetime of Backstage's service-account tokens. Default 1 day. */
  tokenExpirationSeconds?: number;
}

/** The example's clusters, each a real kube-apiserver seeded from the fixtures. */
export interface ExampleClusters {
  /** By cluster name, e.g. eks-blueprint-blue. */
  clusters: Record<string, KubernetesCluster>;
  /** The fixtures they were seeded from. */
  fixtures: KubernetesFixtures;
  /**
   * The Kubernetes backend's cluster locator: one `config` entry per cluster, with its CA
   * data and the backstage service account's token (verified TLS, no skipTLSVerify).
   */
  clusterLocatorMethods(): object[];
  /** The `kubernetes` config block of the Kubernetes backend for these clusters. */
  kubernetesConfig(): {
    serviceLocatorMethod: { type: string };
    clusterLocatorMethods: object[];
  };
  /** The deployment's pods recover (see makeDeploymentReady). */
  makeDeploymentReady(
    clusterName: string,
    namespace: string,
    deployment: string,
  ): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts one real API server per fixture cluster (in parallel), seeds it with the
 * cluster's workloads and Argo CD's objects, and gives the backstage service account its
 * RBAC and a TokenRequest token. If one fails, those started are stopped.
 */
export async function startExampleClusters(
  options: ExampleClustersOptions = {},
): Promise<ExampleClusters> {
  const loaded = options.fixtures ?? loadKubernetesFixtures();
  const fixtures = options.allReady ? withAllPodsReady(loaded) : loaded;
  const started: KubernetesCluster[] = [];
  const stop = async () => {
    await Promise.all(started.map(c => c.stop()));
  };
  const byName = new Map<string, KubernetesCluster>();
  // allSettled: a failure stops every cluster, including one still starting then.
  const results = await Promise.allSettled(
    fixtures.clusters.map(async fixture => {
      const cluster = await startKubernetesCluster({
        name: fixture.name,
        identities: options.identities,
      });
      started.push(cluster);
      await seedFixtureCluster(cluster, fixture);
      const { namespace, name } = BACKSTAGE_SERVICE_ACCOUNT;
      await cluster.create('/api/v1/namespaces', {
        metadata: { name: namespace },
      });
      await cluster.create(`/api/v1/namespaces/${namespace}/serviceaccounts`, {
        metadata: { name },
      });
      for (const [collection, object] of BACKSTAGE_RBAC) {
        await cluster.create(collection, object);
      }
      await cluster.serviceAccountToken(
        namespace,
        name,
        options.tokenExpirationSeconds,
      );
      byName.set(fixture.name, cluster);
    }),
  );
  const failed = results.find(
    (r): r is PromiseRejectedResult => r.status === 'rejected',
  );
  if (failed) {
    await stop();
    throw failed.reason;
  }
  // In the fixtures' order, whichever started first.
  const clusters = Object.fromEntries(
    fixtures.clusters.map(({ name }) => [name, byName.get(name)!]),
  );
  const clusterLocatorMethods = () => [
    {
      type: 'config',
      clusters: fixtures.clusters.map(({ name }) =>
        clusters[name].backstageCluster(BACKSTAGE_SERVICE_ACCOUNT.identity),
      ),
    },
  ];
  return {
    clusters,
    fixtures,
    clusterLocatorMethods,
    kubernetesConfig: () => ({
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: clusterLocatorMethods(),
    }),
    makeDeploymentReady: async (clusterName, namespace, deployment) => {
      const cluster = clusters[clusterName];
      if (!cluster) {
        throw new Error(`no example cluster '${clusterName}'`);
      }
      await makeDeploymentReady(
        cluster,
        fixtureCluster(fixtures, clusterName),
        namespace,
        deployment,
      );
    },
    stop,
  };
}
