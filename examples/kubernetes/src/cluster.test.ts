import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubernetesCluster, startKubernetesCluster } from './cluster';

jest.setTimeout(120_000);

describe('a real kube-apiserver on kine', () => {
  let cluster: KubernetesCluster;
  beforeAll(async () => {
    cluster = await startKubernetesCluster({
      name: 'harness-test',
      identities: { reader: { user: 'reader' } },
    });
    // The reader may read deployments, nothing else.
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'deployment-reader' },
      rules: [
        {
          apiGroups: ['apps'],
          resources: ['deployments'],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    };
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'reader' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'deployment-reader',
      },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'reader' },
      ],
    };
    for (const [apiPath, object] of [
      ['/apis/rbac.authorization.k8s.io/v1/clusterroles', role],
      ['/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', binding],
    ] as const) {
      await cluster.create(apiPath, object);
    }
  });
  afterAll(() => cluster?.stop());

  it("stores a Deployment whose status the test sets (playing its controller), and kubectl prints it as the seed's check does", async () => {
    const ns = await cluster.request('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-burnham' },
    });
    expect(ns.status).toBe(201);
    const labels = { app: 'burnham' };
    const created = await cluster.request(
      'POST',
      '/apis/apps/v1/namespaces/team-burnham/deployments',
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'burnham', labels },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                { name: 'web', image: 'public.ecr.aws/nginx/nginx:1.27' },
              ],
            },
          },
        },
      },
    );
    expect(created.status).toBe(201);
    // No controller runs: nothing becomes ready until the test says so.
    const status = await cluster.request(
      'PATCH',
      '/apis/apps/v1/namespaces/team-burnham/deployments/burnham/status',
      { status: { replicas: 3, readyReplicas: 3, availableReplicas: 3 } },
      { contentType: 'application/merge-patch+json' },
    );
    expect(status.status).toBe(200);

    const out = await cluster.kubectl(
      ['get', 'deployment', '-n', 'team-burnham', '-l', 'app=burnham'],
      { as: 'reader' },
    );
    expect(out).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/);
    expect(out).toMatch(/\nburnham\s+3\/3\s+/);
  });

  it('refuses a delete to a token without the delete verb, naming the verb, the resource and the user (RBAC)', async () => {
    const res = await cluster.request(
      'DELETE',
      '/apis/apps/v1/namespaces/team-burnham/deployments/burnham',
      undefined,
      { as: 'reader' },
    );
    expect(res.status).toBe(403);
    expect(res.body.message).toBe(
      'deployments.apps "burnham" is forbidden: User "reader" cannot delete resource "deployments" in API group "apps" in the namespace "team-burnham"',
    );
  });

  it("records every answered request in the API server's audit log, by user: the reader's refused delete is there with its 403", () => {
    // kubectl's discovery (GET /api, /apis) left out.
    const requests = cluster
      .requests('reader')
      .filter(r => !/^\/apis?(\?|$)/.test(r.uri));
    expect(requests).toEqual([
      {
        user: 'reader',
        verb: 'list',
        uri: '/apis/apps/v1/namespaces/team-burnham/deployments?labelSelector=app%3Dburnham&limit=500',
        code: 200,
      },
      {
        user: 'reader',
        verb: 'delete',
        uri: '/apis/apps/v1/namespaces/team-burnham/deployments/burnham',
        code: 403,
      },
    ]);
  });
});

describe('without the Kubernetes build', () => {
  const saved = process.env.BLUEGREEN_KUBERNETES_BIN;
  afterEach(() => {
    process.env.BLUEGREEN_KUBERNETES_BIN = saved;
  });

  it('fails (never skips), naming the missing binaries, scripts/ensure-kubernetes.sh and BLUEGREEN_KUBERNETES_BIN', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-kubernetes-'));
    process.env.BLUEGREEN_KUBERNETES_BIN = empty;
    try {
      await expect(startKubernetesCluster({ name: 'missing' })).rejects.toThrow(
        `The real Kubernetes API servers are not built (${empty}/kube-apiserver, ${empty}/kubectl, ${empty}/kine): run \`bash scripts/ensure-kubernetes.sh\` (needs Go; scripts/test.sh runs it), or set BLUEGREEN_KUBERNETES_BIN`,
      );
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
