/*
 * The real Backstage Kubernetes backend against the example's two clusters, real
 * kube-apiservers seeded from fixtures/clusters.yaml (the seeder plays the controllers
 * and kubelets: it writes the statuses). The backend reaches them through the config
 * locator with each cluster's CA data and the backstage service account's TokenRequest
 * token, bound to the read-only RBAC of BACKSTAGE_RBAC; no skipTLSVerify.
 */
import { AddressInfo } from 'node:net';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { clusterWorkloads } from '@bluegreen/plugin-bluegreen-common';
import {
  BACKSTAGE_SERVICE_ACCOUNT,
  ExampleClusters,
  startExampleClusters,
} from './exampleClusters';

jest.setTimeout(120_000);

const BLUE = 'eks-blueprint-blue';
const GREEN = 'eks-blueprint-green';
const burnham = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'burnham',
    annotations: { 'backstage.io/kubernetes-id': 'burnham' },
  },
  spec: { type: 'service', owner: 'group:default/team-burnham' },
};

describe("the Backstage Kubernetes backend against the example's real kube-apiservers", () => {
  let example: ExampleClusters;
  let baseUrl: string;

  beforeAll(async () => {
    if (!process.env.NODE_OPTIONS?.includes('--experimental-vm-modules')) {
      throw new Error(
        'This test runs the real Kubernetes backend, which needs NODE_OPTIONS=--experimental-vm-modules for jest (scripts/test.sh sets it).',
      );
    }
    example = await startExampleClusters();
    const { server } = await startTestBackend({
      features: [
        kubernetesPlugin,
        catalogServiceMock.factory({ entities: [burnham] }),
        mockServices.rootConfig.factory({
          data: { kubernetes: example.kubernetesConfig() },
        }),
      ],
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => example?.stop());

  async function burnhamWorkloads() {
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
    return res.json();
  }
  const kubectl = (cluster: string) =>
    example.clusters[cluster].kubectl(
      ['get', 'deployment', '-n', 'team-burnham', '-l', 'app=burnham'],
      { as: BACKSTAGE_SERVICE_ACCOUNT.identity },
    );

  it("answers burnham's deployments from both clusters over verified TLS with no errors: blue all ready, green's burnham-worker 1/2 with its CrashLoopBackOff pod, as kubectl reads them", async () => {
    const response = await burnhamWorkloads();
    expect(
      response.items.map((i: any) => [i.cluster.name, i.errors]).sort(),
    ).toEqual([
      [BLUE, []],
      [GREEN, []],
    ]);
    // What the card shows, computed as the card computes it.
    expect(clusterWorkloads(response, BLUE)).toEqual({
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
          ready: 2,
          desired: 2,
          podsNotReady: [],
        },
      ],
      // The hop external-dns writes Route 53 from (GitOps mode).
      ingresses: [
        {
          name: 'team-burnham/burnham',
          hosts: ['burnham.eks-blueprint.example.com'],
          setIdentifier: BLUE,
          weight: '100',
        },
      ],
    });
    expect(clusterWorkloads(response, GREEN)).toEqual({
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
      // The hop external-dns writes Route 53 from (GitOps mode).
      ingresses: [
        {
          name: 'team-burnham/burnham',
          hosts: ['burnham.eks-blueprint.example.com'],
          setIdentifier: GREEN,
          weight: '0',
        },
      ],
    });
    expect(await kubectl(BLUE)).toMatch(/\nburnham-worker\s+2\/2\s/);
    const green = await kubectl(GREEN);
    expect(green).toMatch(/\nburnham\s+3\/3\s/);
    expect(green).toMatch(/\nburnham-worker\s+1\/2\s/);
  });

  it("makeDeploymentReady (playing the kubelet and the Deployment controller) heals green's burnham-worker: 2/2 for the backend and for kubectl", async () => {
    await example.makeDeploymentReady(GREEN, 'team-burnham', 'burnham-worker');
    const workloads = clusterWorkloads(await burnhamWorkloads(), GREEN);
    expect(
      workloads.state === 'ok' &&
        workloads.deployments.find(d => d.name === 'burnham-worker'),
    ).toEqual(
      expect.objectContaining({ ready: 2, desired: 2, podsNotReady: [] }),
    );
    expect(await kubectl(GREEN)).toMatch(/\nburnham-worker\s+2\/2\s/);
  });

  it("carries each cluster's weight as the GitOps Bridge does: the Argo CD cluster secret's route53_weight annotation and every Ingress's external-dns aws-weight (blue 100, green 0)", async () => {
    for (const [name, weight] of [
      [BLUE, '100'],
      [GREEN, '0'],
    ]) {
      const cluster = example.clusters[name];
      const secret = await cluster.request(
        'GET',
        `/api/v1/namespaces/argocd/secrets/${name}`,
      );
      expect(secret.body.metadata.labels).toEqual(
        expect.objectContaining({
          'argocd.argoproj.io/secret-type': 'cluster',
        }),
      );
      expect(secret.body.metadata.annotations).toEqual(
        expect.objectContaining({
          route53_weight: weight,
          aws_cluster_name: name,
        }),
      );
      const ingresses = await cluster.request(
        'GET',
        '/apis/networking.k8s.io/v1/ingresses',
      );
      expect(
        ingresses.body.items.map((i: any) => [
          i.metadata.name,
          i.metadata.annotations[
            'external-dns.alpha.kubernetes.io/set-identifier'
          ],
          i.metadata.annotations['external-dns.alpha.kubernetes.io/aws-weight'],
        ]),
      ).toEqual([
        ['burnham', name, weight],
        ['checkout', name, weight],
      ]);
    }
  });

  it('gives the backstage service account no more than BACKSTAGE_RBAC: listing Secrets and deleting a Deployment are refused, naming the verb', async () => {
    const cluster = example.clusters[GREEN];
    const as = BACKSTAGE_SERVICE_ACCOUNT.identity;
    const secrets = await cluster.request(
      'GET',
      '/api/v1/namespaces/argocd/secrets',
      undefined,
      { as },
    );
    expect(secrets.status).toBe(403);
    expect(secrets.body.message).toMatch(/cannot list resource "secrets"/);
    const deleteDeployment = await cluster.request(
      'DELETE',
      '/apis/apps/v1/namespaces/team-burnham/deployments/burnham',
      undefined,
      { as },
    );
    expect(deleteDeployment.status).toBe(403);
    expect(deleteDeployment.body.message).toMatch(
      /cannot delete resource "deployments"/,
    );
  });
});
