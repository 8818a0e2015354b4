/*
 * The real Backstage Kubernetes backend against a real kube-apiserver (this package's
 * harness): the config locator with the cluster's CA data and a token bound to a read-only
 * ClusterRole, no skipTLSVerify. The example's green cluster is seeded from the sandbox's
 * fixtures; the seeder plays the controllers and kubelets (it writes the statuses).
 */
import { AddressInfo } from 'node:net';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { loadKubernetesFixtures } from '@bluegreen/example-sandbox';
import { clusterWorkloads } from '@bluegreen/plugin-bluegreen-common';
import { KubernetesCluster, startKubernetesCluster } from './cluster';
import { seedFixtureCluster } from './seed';

jest.setTimeout(120_000);

const burnham = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'burnham',
    annotations: { 'backstage.io/kubernetes-id': 'burnham' },
  },
  spec: { type: 'service', owner: 'group:default/team-burnham' },
};

describe('the Backstage Kubernetes backend against a real kube-apiserver', () => {
  let cluster: KubernetesCluster;
  let baseUrl: string;

  beforeAll(async () => {
    if (!process.env.NODE_OPTIONS?.includes('--experimental-vm-modules')) {
      throw new Error(
        'This test runs the real Kubernetes backend, which needs NODE_OPTIONS=--experimental-vm-modules for jest (scripts/test.sh sets it).',
      );
    }
    cluster = await startKubernetesCluster({
      name: 'eks-blueprint-green',
      identities: { backstage: { user: 'backstage' } },
    });
    await cluster.create('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      metadata: { name: 'backstage-read' },
      rules: [
        {
          apiGroups: ['', 'apps', 'autoscaling', 'batch', 'networking.k8s.io'],
          resources: ['*'],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    });
    await cluster.create(
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      {
        metadata: { name: 'backstage-read' },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'backstage-read',
        },
        subjects: [
          {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'User',
            name: 'backstage',
          },
        ],
      },
    );
    // The example's green cluster, as examples/sandbox/fixtures/kubernetes.yaml has it.
    await seedFixtureCluster(
      cluster,
      loadKubernetesFixtures().clusters.find(c => c.name === cluster.name)!,
    );

    const { server } = await startTestBackend({
      features: [
        kubernetesPlugin,
        catalogServiceMock.factory({ entities: [burnham] }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [cluster.backstageCluster('backstage')],
                },
              ],
            },
          },
        }),
      ],
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => cluster?.stop());

  it("answers burnham's deployments over verified TLS, no errors: burnham 3/3, burnham-worker 1/2 with its CrashLoopBackOff pod, as kubectl reads them", async () => {
    const res = await fetch(
      `${baseUrl}/api/kubernetes/resources/workloads/query`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: mockCredentials.user.header(),
        },
        body: JSON.stringify({
          entityRef: 'component:default/burnham',
          auth: {},
        }),
      },
    );
    expect(res.status).toBe(200);
    const response = await res.json();
    expect(response.items.map((i: any) => [i.cluster.name, i.errors])).toEqual([
      ['eks-blueprint-green', []],
    ]);
    // What the card shows, computed as the card computes it.
    const workloads = clusterWorkloads(response, 'eks-blueprint-green');
    expect(workloads).toEqual({
      state: 'ok',
      deployments: [
        {
          name: 'burnham',
          namespace: 'team-burnham',
          ready: 3,
          desired: 3,
          podsNotReady: [],
        },
        {
          name: 'burnham-worker',
          namespace: 'team-burnham',
          ready: 1,
          desired: 2,
          podsNotReady: [
            expect.stringMatching(
              /^burnham-worker-\w+-\w+ \(CrashLoopBackOff, 5 restarts\)$/,
            ),
          ],
        },
      ],
    });

    const kubectl = await cluster.kubectl(
      ['get', 'deployment', '-n', 'team-burnham', '-l', 'app=burnham'],
      { as: 'backstage' },
    );
    expect(kubectl).toMatch(/\nburnham\s+3\/3\s/);
    expect(kubectl).toMatch(/\nburnham-worker\s+1\/2\s/);
  });
});
