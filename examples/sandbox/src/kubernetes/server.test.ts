/*
 * The Kubernetes API stand-ins (local stand-ins, not Kubernetes) over HTTP: /version, list
 * endpoints namespaced and cluster-wide with label selectors, single objects, 401 without a
 * token, and empty lists for kinds without fixtures.
 */
import { KubernetesSandbox, startKubernetesSandbox } from './server';
import { parseLabelSelector, matchesLabelSelector } from './labelSelector';

const BLUE = 'eks-blueprint-blue';
const GREEN = 'eks-blueprint-green';

describe('Kubernetes API stand-in', () => {
  let k8s: KubernetesSandbox;
  beforeAll(async () => {
    k8s = await startKubernetesSandbox();
  });
  afterAll(() => k8s.close());
  beforeEach(() => k8s.resetRequestCounts());

  async function get(
    cluster: string,
    path: string,
    token: string | null = 'x',
  ) {
    const res = await fetch(`${k8s.clusters[cluster].url}${path}`, {
      headers: token === null ? {} : { Authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: await res.json() };
  }
  const names = (list: any) =>
    list.items.map((o: any) => o.metadata.name).sort();

  it('starts one server per fixture cluster on free ports', () => {
    expect(Object.keys(k8s.clusters).sort()).toEqual([BLUE, GREEN]);
    expect(k8s.clusters[BLUE].url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(k8s.clusters[BLUE].url).not.toBe(k8s.clusters[GREEN].url);
  });

  it('answers /version with the cluster version, without credentials', async () => {
    const blue = await get(BLUE, '/version', null);
    expect(blue.status).toBe(200);
    expect(blue.body).toMatchObject({
      major: '1',
      minor: '33+',
      gitVersion: expect.stringMatching(/^v1\.33\.5-eks-/),
      platform: 'linux/amd64',
    });
    const green = await get(GREEN, '/version');
    expect(green.body.gitVersion).toMatch(/^v1\.34\.\d+-eks-/);
  });

  it('answers 401 like Kubernetes without a bearer token', async () => {
    for (const auth of [null, '']) {
      const res = await get(
        BLUE,
        '/apis/apps/v1/namespaces/team-burnham/deployments',
        auth,
      );
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    }
    expect(k8s.requestCounts()).toEqual({ [`${BLUE}:Unauthorized`]: 2 });
  });

  it('lists deployments of a namespace by label selector', async () => {
    const res = await get(
      BLUE,
      '/apis/apps/v1/namespaces/team-burnham/deployments?labelSelector=app%3Dburnham',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      kind: 'DeploymentList',
      apiVersion: 'apps/v1',
      metadata: { resourceVersion: expect.any(String) },
    });
    expect(names(res.body)).toEqual(['burnham', 'burnham-worker']);
    const burnham = res.body.items.find(
      (d: any) => d.metadata.name === 'burnham',
    );
    // List items carry no kind/apiVersion, as on the wire.
    expect(burnham.kind).toBeUndefined();
    expect(burnham).toMatchObject({
      metadata: {
        namespace: 'team-burnham',
        uid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        creationTimestamp: expect.stringMatching(/^\d{4}-.*Z$/),
        labels: { app: 'burnham', 'backstage.io/kubernetes-id': 'burnham' },
      },
      spec: { replicas: 3 },
      status: {
        replicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
        updatedReplicas: 3,
      },
    });
    expect(k8s.requestCounts()).toEqual({
      [`${BLUE}:list:deployments.apps`]: 1,
    });
  });

  it('links pods to their ReplicaSet and the ReplicaSet to its Deployment', async () => {
    const sel = 'labelSelector=backstage.io%2Fkubernetes-id%3Dburnham';
    const [deployments, replicaSets, pods] = await Promise.all([
      get(GREEN, `/apis/apps/v1/namespaces/team-burnham/deployments?${sel}`),
      get(GREEN, `/apis/apps/v1/namespaces/team-burnham/replicasets?${sel}`),
      get(GREEN, `/api/v1/namespaces/team-burnham/pods?${sel}`),
    ]);
    const worker = deployments.body.items.find(
      (d: any) => d.metadata.name === 'burnham-worker',
    );
    expect(worker.status).toMatchObject({
      replicas: 2,
      readyReplicas: 1,
      unavailableReplicas: 1,
    });
    expect(
      worker.status.conditions.find((c: any) => c.type === 'Available').status,
    ).toBe('False');
    const rs = replicaSets.body.items.find(
      (r: any) => r.metadata.ownerReferences[0].uid === worker.metadata.uid,
    );
    expect(rs.metadata.ownerReferences[0]).toMatchObject({
      kind: 'Deployment',
      name: 'burnham-worker',
      controller: true,
    });
    const workerPods = pods.body.items.filter(
      (p: any) => p.metadata.ownerReferences[0].uid === rs.metadata.uid,
    );
    expect(workerPods).toHaveLength(2);
    const notReady = workerPods.filter(
      (p: any) => !p.status.containerStatuses[0].ready,
    );
    expect(notReady).toHaveLength(1);
    expect(notReady[0].status).toMatchObject({
      phase: 'Running',
      containerStatuses: [
        {
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
        },
      ],
    });
    expect(
      notReady[0].status.conditions.find((c: any) => c.type === 'Ready').status,
    ).toBe('False');
    expect(pods.body.items).toHaveLength(5);
  });

  it('lists cluster-wide and honours set-based selectors', async () => {
    const all = await get(BLUE, '/apis/apps/v1/deployments');
    expect(names(all.body)).toEqual(['burnham', 'burnham-worker', 'checkout']);
    const checkout = await get(
      BLUE,
      `/api/v1/pods?labelSelector=${encodeURIComponent('app in (checkout)')}`,
    );
    expect(checkout.body.items).toHaveLength(2);
    expect(
      checkout.body.items.every(
        (p: any) => p.metadata.namespace === 'team-checkout',
      ),
    ).toBe(true);
    const notWorker = await get(
      BLUE,
      `/api/v1/namespaces/team-burnham/pods?labelSelector=${encodeURIComponent(
        'app=burnham,app.kubernetes.io/name notin (burnham-worker)',
      )}`,
    );
    expect(notWorker.body.items).toHaveLength(3);
    const bad = await get(BLUE, '/api/v1/pods?labelSelector=app%3D%3D%3D');
    expect(bad.status).toBe(400);
    expect(bad.body.reason).toBe('BadRequest');
  });

  it('serves the Ingress with the external-dns annotations, and single objects', async () => {
    const res = await get(
      GREEN,
      '/apis/networking.k8s.io/v1/namespaces/team-burnham/ingresses/burnham',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        annotations: {
          'external-dns.alpha.kubernetes.io/set-identifier': GREEN,
          'external-dns.alpha.kubernetes.io/aws-weight': '0',
        },
      },
      spec: { rules: [{ host: 'burnham.eks-blueprint.example.com' }] },
    });
    const missing = await get(
      BLUE,
      '/api/v1/namespaces/team-burnham/pods/nope',
    );
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    const ns = await get(BLUE, '/api/v1/namespaces/team-burnham');
    expect(ns.body).toMatchObject({
      kind: 'Namespace',
      status: { phase: 'Active' },
    });
  });

  it('answers an empty list of the right kind for kinds without fixtures', async () => {
    const cases: Array<[string, string, string]> = [
      ['/api/v1/namespaces/team-burnham/configmaps', 'ConfigMapList', 'v1'],
      ['/api/v1/namespaces/team-burnham/limitranges', 'LimitRangeList', 'v1'],
      [
        '/apis/autoscaling/v2/namespaces/team-burnham/horizontalpodautoscalers',
        'HorizontalPodAutoscalerList',
        'autoscaling/v2',
      ],
      [
        '/apis/batch/v1/namespaces/team-burnham/cronjobs',
        'CronJobList',
        'batch/v1',
      ],
      ['/apis/apps/v1/statefulsets', 'StatefulSetList', 'apps/v1'],
      [
        '/apis/example.com/v1/namespaces/team-burnham/widgets',
        'WidgetList',
        'example.com/v1',
      ],
    ];
    for (const [path, kind, apiVersion] of cases) {
      const res = await get(BLUE, `${path}?labelSelector=app%3Dburnham`);
      expect([path, res.status, res.body.kind, res.body.apiVersion]).toEqual([
        path,
        200,
        kind,
        apiVersion,
      ]);
      expect(res.body.items).toEqual([]);
    }
  });

  it('serves pod metrics for the running containers', async () => {
    const res = await get(
      GREEN,
      '/apis/metrics.k8s.io/v1beta1/namespaces/team-burnham/pods?labelSelector=app%3Dburnham',
    );
    expect(res.body.kind).toBe('PodMetricsList');
    // 5 pods, one of them crash-looping without metrics.
    expect(res.body.items).toHaveLength(4);
    expect(res.body.items[0].containers[0].usage).toEqual({
      cpu: expect.stringMatching(/^\d+n$/),
      memory: expect.stringMatching(/^\d+Ki$/),
    });
  });

  it('refuses writes', async () => {
    const res = await fetch(
      `${k8s.clusters[BLUE].url}/apis/apps/v1/namespaces/team-burnham/deployments/burnham`,
      { method: 'DELETE', headers: { Authorization: 'Bearer x' } },
    );
    expect(res.status).toBe(405);
  });

  it('takes ports per cluster and closes what it started when one cannot listen', async () => {
    const taken = Number(new URL(k8s.clusters[GREEN].url).port);
    await expect(
      startKubernetesSandbox({ ports: { [BLUE]: 0, [GREEN]: taken } }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('label selectors', () => {
  const labels = { app: 'burnham', tier: 'web' };
  it.each([
    ['app=burnham', true],
    ['app==burnham', true],
    ['app!=burnham', false],
    ['app=burnham,tier=web', true],
    ['app=burnham,tier=db', false],
    ['app in (checkout, burnham)', true],
    ['tier notin (web)', false],
    ['missing!=x', true],
    ['app', true],
    ['!app', false],
    ['', true],
  ])('%s -> %s', (selector, expected) => {
    expect(matchesLabelSelector(parseLabelSelector(selector), labels)).toBe(
      expected,
    );
  });
});
