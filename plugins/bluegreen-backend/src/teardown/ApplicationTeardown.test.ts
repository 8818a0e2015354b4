/*
 * The application teardown through the real Kubernetes backend's proxy against a real
 * kube-apiserver (@bluegreen/example-kubernetes: kine and kube-apiserver, no controllers),
 * with Argo CD's CRDs and objects. Deletes behave as on any cluster: propagationPolicy
 * Orphan leaves an `orphan` finalizer and Argo CD's resources finalizer keeps an
 * Application, with its deletionTimestamp, until the harness, playing Argo CD and the
 * garbage collector, deletes the Application's Ingresses and removes the finalizers.
 */
import {
  AuthService,
  coreServices,
  createBackendPlugin,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import {
  installArgoCdCrds,
  KubernetesCluster,
  playArgoCd,
  startKubernetesCluster,
} from '@bluegreen/example-kubernetes';
import { ArgoCdApplicationTeardown } from './ApplicationTeardown';
import { KubernetesProxyClient } from './KubernetesProxyClient';

// Starting the API servers and the Kubernetes backend takes seconds on 2 cores.
jest.setTimeout(120_000);

const ARGOCD = '/apis/argoproj.io/v1alpha1/namespaces/argocd';
const INGRESSES = '/apis/networking.k8s.io/v1/ingresses';
const GREEN = 'eks-blueprint-green';
/** The same API server, reached with a token that may read but not delete. */
const GREEN_VIEWER = 'eks-blueprint-green-as-viewer';
const KEPT = [
  'addon-aws-load-balancer-controller',
  'addon-external-dns',
  'argo-cd',
  'bootstrap-addons',
  'team-platform',
];

/** A ClusterRole on Argo CD's kinds and Ingresses, bound to `user`. */
function role(name: string, user: string, argoVerbs: string[]) {
  return [
    [
      '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      {
        metadata: { name },
        rules: [
          {
            apiGroups: ['argoproj.io'],
            resources: ['applications', 'applicationsets'],
            verbs: argoVerbs,
          },
          {
            apiGroups: ['networking.k8s.io'],
            resources: ['ingresses'],
            verbs: ['get', 'list'],
          },
        ],
      },
    ],
    [
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      {
        metadata: { name },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name,
        },
        subjects: [
          { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user },
        ],
      },
    ],
  ] as const;
}

/** Argo CD's objects of a GitOps Bridge cluster, and burnham's Ingress. */
async function seed(cluster: KubernetesCluster) {
  for (const name of ['workloads', 'addons']) {
    await cluster.create(`${ARGOCD}/applicationsets`, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name },
      spec: { generators: [] },
    });
  }
  for (const name of [...KEPT, 'team-burnham']) {
    await cluster.create(`${ARGOCD}/applications`, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name },
      spec: { destination: { namespace: name } },
    });
  }
  await cluster.create(
    '/apis/networking.k8s.io/v1/namespaces/team-burnham/ingresses',
    {
      metadata: { name: 'burnham-ingress' },
      spec: {
        rules: [
          {
            host: 'burnham.eks-blueprint.example.com',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: {
                    service: { name: 'burnham', port: { number: 80 } },
                  },
                },
              ],
            },
          },
        ],
      },
    },
  );
}

const names = async (cluster: KubernetesCluster, apiPath: string) =>
  ((await cluster.request('GET', apiPath)).body.items ?? []).map(
    (i: any) => i.metadata.name,
  );

describe('ArgoCdApplicationTeardown through the Kubernetes backend proxy, on a real kube-apiserver', () => {
  let cluster: KubernetesCluster;
  // A second API server, without Argo CD's CRDs.
  let bare: KubernetesCluster;
  let services: { auth: AuthService; discovery: DiscoveryService } | undefined;
  const stopList: Array<() => void> = [];

  beforeAll(async () => {
    // The Kubernetes backend's proxy loads @kubernetes/client-node (ESM) with import().
    if (!process.env.NODE_OPTIONS?.includes('--experimental-vm-modules')) {
      throw new Error(
        'This test runs the real Kubernetes backend proxy, which needs NODE_OPTIONS=--experimental-vm-modules for jest (scripts/test.sh sets it).',
      );
    }
    cluster = await startKubernetesCluster({
      name: GREEN,
      identities: {
        backstage: { user: 'backstage' },
        viewer: { user: 'viewer' },
      },
    });
    bare = await startKubernetesCluster({ name: 'no-argocd' });
    await installArgoCdCrds(cluster);
    for (const [apiPath, object] of [
      ...role('teardown', 'backstage', ['get', 'list', 'patch', 'delete']),
      ...role('viewer', 'viewer', ['get', 'list']),
    ]) {
      await cluster.create(apiPath, object);
    }
    for (const name of ['argocd', 'team-burnham']) {
      await cluster.create('/api/v1/namespaces', { metadata: { name } });
    }
    await startTestBackend({
      features: [
        kubernetesPlugin,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    cluster.backstageCluster('backstage', GREEN),
                    cluster.backstageCluster('viewer', GREEN_VIEWER),
                    bare.backstageCluster('admin'),
                  ],
                },
              ],
            },
          },
        }),
        createBackendPlugin({
          pluginId: 'capture',
          register(env) {
            env.registerInit({
              deps: {
                auth: coreServices.auth,
                discovery: coreServices.discovery,
              },
              async init(deps) {
                services = deps;
              },
            });
          },
        }),
      ],
    });
  });
  afterAll(async () => {
    await cluster?.stop();
    await bare?.stop();
  });
  beforeEach(() => seed(cluster));
  afterEach(async () => {
    // Whatever a test left: finish its deletions and remove the rest.
    const argoCd = playArgoCd(cluster);
    stopList.push(argoCd.stop);
    for (const kind of ['applicationsets', 'applications']) {
      await cluster.request('DELETE', `${ARGOCD}/${kind}`);
    }
    await cluster.request(
      'DELETE',
      '/apis/networking.k8s.io/v1/namespaces/team-burnham/ingresses',
    );
    for (const kind of ['applicationsets', 'applications']) {
      while ((await names(cluster, `${ARGOCD}/${kind}`)).length > 0) {
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    }
    stopList.splice(0).forEach(stop => stop());
  });

  function teardownOf(clusterName: string, timeoutMs = 10_000) {
    const teardown = new ArgoCdApplicationTeardown(
      (name, credentials) =>
        new KubernetesProxyClient({
          ...services!,
          credentials,
          clusterName: name,
        }),
      { pollMs: 20, timeoutMs },
    );
    const lines: string[] = [];
    const run = (signal?: AbortSignal) =>
      teardown.teardown({
        clusterName,
        credentials: mockCredentials.user('user:default/platform-engineer'),
        log: line => lines.push(line),
        signal,
      });
    return { run, lines };
  }

  it("orphans the ApplicationSets, deletes the workload Applications with Argo CD's resources finalizer, and waits until their Ingresses are gone", async () => {
    const argoCd = playArgoCd(cluster);
    stopList.push(argoCd.stop);
    const { run, lines } = teardownOf(GREEN);

    await run();

    expect(await names(cluster, `${ARGOCD}/applicationsets`)).toEqual([]);
    expect((await names(cluster, `${ARGOCD}/applications`)).sort()).toEqual(
      KEPT,
    );
    expect(await names(cluster, INGRESSES)).toEqual([]);
    // What the API server held when Argo CD (the harness) came to finish each deletion:
    // the orphan finalizer of propagationPolicy Orphan, and Argo CD's own.
    expect(
      argoCd.finished
        .map(f => `${f.kind}/${f.name}: ${f.finalizers.join(',')}`)
        .sort(),
    ).toEqual([
      'applications/team-burnham: resources-finalizer.argocd.argoproj.io',
      'applicationsets/addons: orphan',
      'applicationsets/workloads: orphan',
    ]);
    expect(lines).toContain(
      `${GREEN}: deleting Application team-burnham with its resources`,
    );
    expect(lines[lines.length - 1]).toBe(`${GREEN}: no ingress left`);
  });

  it('fails, naming the ingresses, when they do not go in time (nothing plays Argo CD)', async () => {
    const { run } = teardownOf(GREEN, 1000);
    await expect(run()).rejects.toThrow(
      `application teardown of ${GREEN}: ingresses still present after 1 s: burnham-ingress`,
    );
    // The API server keeps the Application until its finalizer goes.
    const app = await cluster.request(
      'GET',
      `${ARGOCD}/applications/team-burnham`,
    );
    expect(app.body.metadata.deletionTimestamp).toEqual(expect.any(String));
    expect(app.body.metadata.finalizers).toEqual([
      'resources-finalizer.argocd.argoproj.io',
    ]);
  });

  it('stops waiting when the task is cancelled', async () => {
    const { run } = teardownOf(GREEN, 60_000);
    const controller = new AbortController();
    const running = run(controller.signal);
    setTimeout(() => controller.abort(), 300);
    await expect(running).rejects.toThrow(
      `application teardown of ${GREEN} was cancelled`,
    );
  });

  it("skips a cluster without Argo CD (the API server's plain-text 404 for an API group it does not serve)", async () => {
    const { run, lines } = teardownOf('no-argocd');
    await run();
    expect(lines).toEqual([
      'no-argocd: no Argo CD ApplicationSet API; skipping the application teardown',
    ]);
  });

  it('a token without the delete verb is refused by RBAC, and the error names the user, the verb and the resource; nothing is deleted', async () => {
    const { run } = teardownOf(GREEN_VIEWER);
    await expect(run()).rejects.toThrow(
      `the Kubernetes API of ${GREEN_VIEWER} refused DELETE ${ARGOCD}/applicationsets/addons?propagationPolicy=Orphan (403): applicationsets.argoproj.io "addons" is forbidden: User "viewer" cannot delete resource "applicationsets" in API group "argoproj.io" in the namespace "argocd"`,
    );
    expect((await names(cluster, `${ARGOCD}/applicationsets`)).sort()).toEqual([
      'addons',
      'workloads',
    ]);
  });
});

describe('ArgoCdApplicationTeardown paths', () => {
  it('URL-encodes object names, so that a name from the cluster cannot change the API path', async () => {
    const name = 'x/../../../api/v1/namespaces/kube-system/secrets?watch=1#';
    const paths: string[] = [];
    const api = {
      list: async (path: string) => {
        paths.push(`GET ${path}`);
        return path.endsWith('/ingresses') ? [] : [{ metadata: { name } }];
      },
      delete: async (path: string) => {
        paths.push(`DELETE ${path}`);
      },
      mergePatch: async (path: string) => {
        paths.push(`PATCH ${path}`);
      },
    };
    const teardown = new ArgoCdApplicationTeardown(() => api, {
      pollMs: 1,
      timeoutMs: 1000,
    });

    await teardown.teardown({
      clusterName: 'eks-blueprint-green',
      credentials: mockCredentials.user(),
      log: () => {},
    });

    const encoded = encodeURIComponent(name);
    expect(encoded).not.toMatch(/[/?#]/);
    expect(paths).toEqual([
      `GET ${ARGOCD}/applicationsets`,
      `DELETE ${ARGOCD}/applicationsets/${encoded}`,
      `GET ${ARGOCD}/applications`,
      `PATCH ${ARGOCD}/applications/${encoded}`,
      `DELETE ${ARGOCD}/applications/${encoded}`,
      `GET ${INGRESSES}`,
    ]);
  });
});
