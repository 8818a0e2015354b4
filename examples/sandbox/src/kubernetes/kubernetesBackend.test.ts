/*
 * The REAL Backstage Kubernetes backend (@backstage/plugin-kubernetes-backend), in-process
 * on a test backend, with config-located clusters pointing at the Kubernetes API stand-ins
 * (local stand-ins, not Kubernetes): what the example app's Kubernetes tab gets for burnham.
 *
 * Needs NODE_OPTIONS=--experimental-vm-modules: the Kubernetes backend loads
 * @kubernetes/client-node (an ES module) with import() (scripts/test.sh sets it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AddressInfo } from 'node:net';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { parse } from 'yaml';
import { KubernetesSandbox, startKubernetesSandbox } from './server';

jest.setTimeout(60_000);

const BLUE = 'eks-blueprint-blue';
const GREEN = 'eks-blueprint-green';
const exampleEntity = (file: string) =>
  parse(
    fs.readFileSync(path.resolve(__dirname, '../../../catalog', file), 'utf8'),
  );

describe('the Backstage Kubernetes backend against the Kubernetes stand-ins', () => {
  let k8s: KubernetesSandbox;
  let baseUrl: string;
  const burnham = exampleEntity('burnham.yaml');
  const checkout = exampleEntity('checkout.yaml');

  beforeAll(async () => {
    if (!process.env.NODE_OPTIONS?.includes('--experimental-vm-modules')) {
      throw new Error(
        'This test runs the real Kubernetes backend, which needs NODE_OPTIONS=--experimental-vm-modules for jest (scripts/test.sh sets it).',
      );
    }
    k8s = await startKubernetesSandbox();
    const cluster = (name: string) => ({
      name,
      url: k8s.clusters[name].url,
      authProvider: 'serviceAccount',
      serviceAccountToken: 'sandbox-stand-in-token',
      skipTLSVerify: true,
    });
    const { server } = await startTestBackend({
      features: [
        kubernetesPlugin,
        catalogServiceMock.factory({ entities: [burnham, checkout] }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                { type: 'config', clusters: [cluster(BLUE), cluster(GREEN)] },
              ],
            },
          },
        }),
      ],
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => k8s?.close());

  async function objectsFor(entity: any) {
    const res = await fetch(
      `${baseUrl}/api/kubernetes/services/${entity.metadata.name}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: mockCredentials.user.header(),
        },
        body: JSON.stringify({ entity }),
      },
    );
    expect(res.status).toBe(200);
    return (await res.json()) as { items: any[] };
  }
  const ofType = (clusterObjects: any, type: string) =>
    clusterObjects.resources.find((r: any) => r.type === type)?.resources ?? [];

  it('answers burnham from both clusters with its deployments and pods and no errors', async () => {
    k8s.resetRequestCounts();
    const { items } = await objectsFor(burnham);

    expect(items.map(i => i.cluster.name).sort()).toEqual([BLUE, GREEN]);
    for (const item of items) {
      expect([item.cluster.name, item.errors]).toEqual([item.cluster.name, []]);
    }
    const byCluster = Object.fromEntries(items.map(i => [i.cluster.name, i]));
    const deployments = (cluster: string) =>
      Object.fromEntries(
        ofType(byCluster[cluster], 'deployments').map((d: any) => [
          d.metadata.name,
          `${d.status.readyReplicas}/${d.spec.replicas}`,
        ]),
      );
    expect(deployments(BLUE)).toEqual({
      burnham: '3/3',
      'burnham-worker': '2/2',
    });
    expect(deployments(GREEN)).toEqual({
      burnham: '3/3',
      'burnham-worker': '1/2',
    });

    const pods = (cluster: string) => ofType(byCluster[cluster], 'pods');
    expect(pods(BLUE)).toHaveLength(5);
    expect(pods(GREEN)).toHaveLength(5);
    const notReady = pods(GREEN).filter(
      (p: any) => !p.status.containerStatuses[0].ready,
    );
    expect(notReady.map((p: any) => p.metadata.name)).toEqual([
      expect.stringMatching(/^burnham-worker-/),
    ]);
    expect(notReady[0].status.containerStatuses[0]).toMatchObject({
      restartCount: 5,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
    });
    // Only team-burnham objects labelled app=burnham.
    for (const item of items) {
      for (const group of item.resources) {
        for (const o of group.resources) {
          expect([
            group.type,
            o.metadata.namespace,
            o.metadata.labels.app,
          ]).toEqual([group.type, 'team-burnham', 'burnham']);
        }
      }
    }
    expect(
      ofType(byCluster[GREEN], 'ingresses')[0].metadata.annotations,
    ).toMatchObject({
      'external-dns.alpha.kubernetes.io/set-identifier': GREEN,
      'external-dns.alpha.kubernetes.io/aws-weight': '0',
    });
    // Pod metrics come through metrics.k8s.io, for the running pods.
    expect(byCluster[BLUE].podMetrics).toHaveLength(5);
    expect(byCluster[GREEN].podMetrics).toHaveLength(5);
    expect(byCluster[BLUE].podMetrics[0].cpu.currentUsage).toBeGreaterThan(0);

    // Every default object type, namespaced, with the entity's label selector.
    const counts = k8s.requestCounts();
    expect(counts).toMatchObject({
      [`${BLUE}:list:deployments.apps`]: 1,
      [`${BLUE}:list:pods`]: 2, // the objects, then again for the metrics
      [`${BLUE}:list:pods.metrics.k8s.io`]: 1,
      [`${GREEN}:list:horizontalpodautoscalers.autoscaling`]: 1,
    });
    expect(Object.keys(counts).some(k => k.endsWith('Unauthorized'))).toBe(
      false,
    );
  });

  it('finds checkout by its kubernetes-id label in its namespace', async () => {
    const { items } = await objectsFor(checkout);
    expect(items.map(i => [i.cluster.name, i.errors])).toEqual(
      expect.arrayContaining([
        [BLUE, []],
        [GREEN, []],
      ]),
    );
    for (const item of items) {
      expect(
        ofType(item, 'deployments').map(
          (d: any) =>
            `${d.metadata.name} ${d.status.readyReplicas}/${d.spec.replicas}`,
        ),
      ).toEqual(['checkout 2/2']);
    }
  });
});
