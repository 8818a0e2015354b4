/*
 * GET /entity/:kind/:namespace/:name/insights on a test backend: the real plugin and its
 * real EKS client against the AWS sandbox (a local stand-in for AWS), the catalog as a
 * test double. No Kubernetes here: insights come from EKS alone.
 */
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { scaffolderServiceRef } from '@backstage/plugin-scaffolder-node';
import {
  TrafficStatus,
  UpgradeInsightsResponse,
} from '@bluegreen/plugin-bluegreen-common';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import request from 'supertest';
import {
  BURNHAM,
  CLUSTERS,
  blueGreenComponent,
  SANDBOX_CREDENTIALS,
} from '../__testUtils__/sandbox';
import { SECURITY_CONFIG } from '../__testUtils__/security';
import { bluegreenPlugin } from '../plugin';

jest.setTimeout(60_000);

describe('GET /entity/:kind/:namespace/:name/insights', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 0, throttle: false });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.resetRequestCounts());
  afterEach(() => {
    sandbox.faults.insights(CLUSTERS.blue);
    sandbox.faults.insights(CLUSTERS.green);
  });

  // A retired generation: its blue cluster is gone from EKS.
  const retired = blueGreenComponent('retired', BURNHAM);
  retired.metadata.annotations!['bluegreen/blue-cluster'] = 'eks-blueprint-red';

  async function startBackend() {
    const { server } = await startTestBackend({
      features: [
        bluegreenPlugin,
        mockServices.rootConfig.factory({
          data: {
            aws: { mainAccount: SANDBOX_CREDENTIALS },
            bluegreen: {
              aws: { endpoint: sandbox.url, maxAttempts: 1 },
              traffic: {
                hostedZones: SECURITY_CONFIG.bluegreen.traffic.hostedZones,
              },
              generations: SECURITY_CONFIG.bluegreen.generations,
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            blueGreenComponent('burnham', BURNHAM),
            retired,
            {
              ...blueGreenComponent('plain', BURNHAM),
              metadata: { name: 'plain' },
            },
          ],
        }),
        createServiceFactory({
          service: scaffolderServiceRef,
          deps: {},
          factory: () => ({} as any),
        }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
      ],
    });
    return server;
  }

  const user = mockCredentials.user.header();
  const read = (server: any, name = 'burnham', query = '') =>
    request(server)
      .get(`/api/bluegreen/entity/component/default/${name}/insights${query}`)
      .set('Authorization', user);

  it("answers each cluster's upgrade insights, with the removed API, its replacement and its clients for the ones that do not pass", async () => {
    const res = await read(await startBackend());
    expect(res.status).toBe(200);
    const body = res.body as UpgradeInsightsResponse;
    expect(body.entityRef).toBe('component:default/burnham');
    expect(body.clusters.blue).toEqual({
      name: CLUSTERS.blue,
      status: 'ok',
      insights: [
        {
          id: expect.any(String),
          name: 'Kubelet version skew',
          status: 'PASSING',
          reason:
            'Node kubelet versions match the cluster control plane version.',
          kubernetesVersion: '1.34',
          lastRefreshTime: '2026-11-25T06:12:00.000Z',
          deprecations: [],
        },
        {
          id: expect.any(String),
          name: 'Deprecated APIs removed in Kubernetes v1.34',
          status: 'WARNING',
          reason: 'Deprecated API usage detected within last 30 days.',
          kubernetesVersion: '1.34',
          lastRefreshTime: '2026-11-25T06:12:00.000Z',
          deprecations: [
            {
              usage: '/apis/resource.k8s.io/v1beta1/resourceclaims',
              replacedWith: '/apis/resource.k8s.io/v1beta2/resourceclaims',
              startServingReplacementVersion: '1.33',
              stopServingVersion: '1.34',
              clients: [
                {
                  userAgent: 'argocd-application-controller/v3.1.0',
                  requestsLast30Days: 1284,
                  lastRequestTime: '2026-11-24T22:41:07.000Z',
                },
              ],
            },
          ],
          recommendation:
            'Update manifests and API clients to use newer Kubernetes APIs if applicable before upgrading to Kubernetes v1.34.',
        },
      ],
    });
    expect(body.clusters.green).toMatchObject({
      name: CLUSTERS.green,
      status: 'ok',
      insights: [
        { status: 'PASSING' },
        { name: 'Deprecated APIs removed in Kubernetes v1.35' },
      ],
    });
    // Details only for the insights that do not pass: one per cluster.
    expect(sandbox.requestCounts()).toEqual({
      ListInsights: 2,
      DescribeInsight: 2,
    });
  });

  it('serves the insights from the cache on the next read (no EKS request)', async () => {
    const server = await startBackend();
    await read(server).expect(200);
    sandbox.resetRequestCounts();
    await read(server).expect(200);
    expect(sandbox.requestCounts()).toEqual({});
  });

  it("one cluster's insights refused (AccessDeniedException): that colour says why, without ARNs or the account; the other answers; the failure is not cached", async () => {
    const server = await startBackend();
    sandbox.faults.insights(CLUSTERS.green, 'access-denied');
    const res = await read(server);
    expect(res.status).toBe(200);
    const body = res.body as UpgradeInsightsResponse;
    expect(body.clusters.blue.status).toBe('ok');
    expect(body.clusters.green).toEqual({
      name: CLUSTERS.green,
      status: 'unavailable',
      error: expect.stringMatching(
        /^EKS ListInsights: User: arn:\(redacted\) is not authorized to perform: eks:ListInsights on resource: arn:\(redacted\)/,
      ),
    });
    expect(JSON.stringify(body)).not.toContain('111122223333');

    sandbox.faults.insights(CLUSTERS.green);
    const again = (await read(server)).body as UpgradeInsightsResponse;
    expect(again.clusters.green.status).toBe('ok');
  });

  it('a cluster EKS lists no insights for answers ok with none', async () => {
    sandbox.faults.insights(CLUSTERS.blue, 'none');
    const body = (await read(await startBackend()))
      .body as UpgradeInsightsResponse;
    expect(body.clusters.blue).toEqual({
      name: CLUSTERS.blue,
      status: 'ok',
      insights: [],
    });
    expect(sandbox.requestCounts().DescribeInsight).toBe(1);
  });

  it('a destroyed cluster: its insights are unavailable (ResourceNotFoundException) and the traffic status says not-found', async () => {
    const server = await startBackend();
    const body = (await read(server, 'retired'))
      .body as UpgradeInsightsResponse;
    expect(body.clusters.blue).toEqual({
      name: 'eks-blueprint-red',
      status: 'unavailable',
      error: 'EKS ListInsights: No cluster found for name: eks-blueprint-red.',
    });
    expect(body.clusters.green.status).toBe('ok');

    const traffic = await request(server)
      .get('/api/bluegreen/entity/component/default/retired/traffic')
      .set('Authorization', user);
    expect(traffic.status).toBe(200);
    const status = traffic.body as TrafficStatus;
    expect(status.clusters.blue).toEqual({
      name: 'eks-blueprint-red',
      source: 'not-found',
      error:
        'EKS DescribeCluster: No cluster found for name: eks-blueprint-red.',
    });
    expect(status.clusters.green.source).toBe('eks');
  });

  it('answers 401 without credentials, 404 for an unknown entity, 400 without the annotations or with a query', async () => {
    const server = await startBackend();
    expect(
      (
        await request(server).get(
          '/api/bluegreen/entity/component/default/burnham/insights',
        )
      ).status,
    ).toBe(401);
    expect((await read(server, 'nothing')).status).toBe(404);
    const plain = await read(server, 'plain');
    expect(plain.status).toBe(400);
    expect(plain.body.error.message).toContain(
      'has no bluegreen/hostname annotation',
    );
    expect((await read(server, 'burnham', '?version=1.35')).status).toBe(400);
    expect(sandbox.requestCounts()).toEqual({});
  });
});
