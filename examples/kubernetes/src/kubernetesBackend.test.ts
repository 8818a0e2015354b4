/*
 * The real Backstage Kubernetes backend against a real kube-apiserver (this package's
 * harness): the config locator with the cluster's CA data and a token bound to a read-only
 * ClusterRole, no skipTLSVerify. The harness plays the Deployment controller (it sets the
 * status); nothing else runs.
 */
import { AddressInfo } from 'node:net';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { KubernetesCluster, startKubernetesCluster } from './cluster';

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
    const post = async (apiPath: string, object: object) => {
      const res = await cluster.request('POST', apiPath, object);
      if (res.status !== 201) {
        throw new Error(
          `POST ${apiPath}: ${res.status} ${JSON.stringify(res.body)}`,
        );
      }
      return res.body;
    };
    await post('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      metadata: { name: 'backstage-read' },
      rules: [
        {
          apiGroups: ['', 'apps', 'autoscaling', 'batch', 'networking.k8s.io'],
          resources: ['*'],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    });
    await post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
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
    });
    const labels = { app: 'burnham', 'backstage.io/kubernetes-id': 'burnham' };
    await post('/api/v1/namespaces', {
      metadata: { name: 'team-burnham', labels },
    });
    for (const [name, replicas, ready] of [
      ['burnham', 3, 3],
      ['burnham-worker', 2, 1],
    ] as const) {
      await post('/apis/apps/v1/namespaces/team-burnham/deployments', {
        metadata: { name, labels },
        spec: {
          replicas,
          selector: { matchLabels: { ...labels, deployment: name } },
          template: {
            metadata: { labels: { ...labels, deployment: name } },
            spec: {
              containers: [{ name, image: 'public.ecr.aws/nginx/nginx:1.27' }],
            },
          },
        },
      });
      // Playing the Deployment controller: the status it would report.
      const res = await cluster.request(
        'PATCH',
        `/apis/apps/v1/namespaces/team-burnham/deployments/${name}/status`,
        {
          status: { replicas, readyReplicas: ready, availableReplicas: ready },
        },
        { contentType: 'application/merge-patch+json' },
      );
      if (res.status !== 200) {
        throw new Error(`status of ${name}: ${res.status}`);
      }
    }

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
                  clusters: [
                    {
                      name: cluster.name,
                      url: cluster.url,
                      caData: cluster.caData,
                      authProvider: 'serviceAccount',
                      serviceAccountToken: cluster.tokens.backstage,
                      // No metrics-server runs on these API servers.
                      skipMetricsLookup: true,
                    },
                  ],
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

  it("answers burnham's deployments with their ready counts over verified TLS, no errors, as kubectl reads them", async () => {
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
    const { items } = (await res.json()) as { items: any[] };
    expect(items).toHaveLength(1);
    expect(items[0].cluster.name).toBe('eks-blueprint-green');
    expect(items[0].errors).toEqual([]);
    const deployments = items[0].resources.find(
      (r: any) => r.type === 'deployments',
    ).resources;
    const seen = Object.fromEntries(
      deployments.map((d: any) => [
        d.metadata.name,
        `${d.status.readyReplicas}/${d.spec.replicas}`,
      ]),
    );
    expect(seen).toEqual({ burnham: '3/3', 'burnham-worker': '1/2' });

    const kubectl = await cluster.kubectl(
      ['get', 'deployment', '-n', 'team-burnham', '-l', 'app=burnham'],
      { as: 'backstage' },
    );
    expect(kubectl).toMatch(/\nburnham\s+3\/3\s/);
    expect(kubectl).toMatch(/\nburnham-worker\s+1\/2\s/);
  });
});
