/*
 * The application teardown through the real Kubernetes backend's proxy, against a local
 * stand-in for a cluster's API server (no Kubernetes API server can run here; the example
 * sandbox's Kubernetes stand-in does not exist yet). The stand-in speaks the API paths and
 * verbs the teardown uses and records what reaches it.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
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
import { ArgoCdApplicationTeardown } from './ApplicationTeardown';
import { KubernetesProxyClient } from './KubernetesProxyClient';

// Starting the Kubernetes backend takes seconds on a loaded 2-core machine.
jest.setTimeout(60_000);

const ARGOCD = '/apis/argoproj.io/v1alpha1/namespaces/argocd';
const INGRESSES = '/apis/networking.k8s.io/v1/ingresses';

type Recorded = {
  method: string;
  path: string;
  query: string;
  body: string;
  authorization?: string;
};

/** A cluster API stand-in with Argo CD objects and the burnham ingress. */
function startClusterStandIn(options: {
  withArgoCd: boolean;
  ingressPollsAfterDelete: number;
}) {
  const requests: Recorded[] = [];
  const applicationSets = new Set(['workloads', 'addons']);
  const applications = new Set([
    'bootstrap-addons',
    'addon-aws-load-balancer-controller',
    'addon-external-dns',
    'argo-cd',
    'team-platform',
    'team-burnham',
  ]);
  let ingressPolls: number | undefined;

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', chunk => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://stand-in');
      requests.push({
        method: req.method!,
        path: url.pathname,
        query: url.search,
        body,
        authorization: req.headers.authorization,
      });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const list = (names: Iterable<string>) =>
        json(200, { items: [...names].map(name => ({ metadata: { name } })) });
      const notFound = () =>
        json(404, {
          kind: 'Status',
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
        });

      const [, kind, name] =
        /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/argocd\/(applicationsets|applications)(?:\/(.+))?$/.exec(
          url.pathname,
        ) ?? [];
      if (kind && !options.withArgoCd) {
        return notFound();
      }
      if (kind) {
        const store =
          kind === 'applicationsets' ? applicationSets : applications;
        if (req.method === 'GET' && !name) {
          return list(store);
        }
        if (req.method === 'PATCH' && name) {
          return store.has(name) ? json(200, {}) : notFound();
        }
        if (req.method === 'DELETE' && name) {
          if (!store.delete(name)) {
            return notFound();
          }
          if (name === 'team-burnham') {
            ingressPolls = 0;
          }
          return json(200, {});
        }
      }
      if (req.method === 'GET' && url.pathname === INGRESSES) {
        if (ingressPolls !== undefined) {
          ingressPolls += 1;
        }
        const gone =
          ingressPolls !== undefined &&
          ingressPolls > options.ingressPollsAfterDelete;
        return list(gone ? [] : ['burnham-ingress']);
      }
      return json(400, { message: `unexpected ${req.method} ${url.pathname}` });
    });
  });
  return new Promise<{ url: string; requests: Recorded[]; close: () => void }>(
    resolve => {
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        resolve({
          url: `http://127.0.0.1:${port}`,
          requests,
          close: () => server.close(),
        });
      });
    },
  );
}

describe('ArgoCdApplicationTeardown through the Kubernetes backend proxy', () => {
  beforeAll(() => {
    // The Kubernetes backend's proxy loads @kubernetes/client-node (ESM) with import().
    if (!process.env.NODE_OPTIONS?.includes('--experimental-vm-modules')) {
      throw new Error(
        'This test runs the real Kubernetes backend proxy, which needs NODE_OPTIONS=--experimental-vm-modules for jest (scripts/test.sh sets it).',
      );
    }
  });
  const stopList: Array<() => void> = [];
  afterEach(() => stopList.splice(0).forEach(stop => stop()));

  async function setUp(options: {
    withArgoCd: boolean;
    ingressPollsAfterDelete: number;
    timeoutMs?: number;
  }) {
    const cluster = await startClusterStandIn(options);
    stopList.push(cluster.close);
    let services:
      | { auth: AuthService; discovery: DiscoveryService }
      | undefined;
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
                    {
                      name: 'eks-blueprint-green',
                      url: cluster.url,
                      authProvider: 'serviceAccount',
                      serviceAccountToken: 'stand-in-token',
                      skipTLSVerify: true,
                    },
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
    const teardown = new ArgoCdApplicationTeardown(
      (clusterName, credentials) =>
        new KubernetesProxyClient({ ...services!, credentials, clusterName }),
      { pollMs: 20, timeoutMs: options.timeoutMs ?? 10_000 },
    );
    const lines: string[] = [];
    const run = (signal?: AbortSignal) =>
      teardown.teardown({
        clusterName: 'eks-blueprint-green',
        credentials: mockCredentials.user('user:default/platform-engineer'),
        log: line => lines.push(line),
        signal,
      });
    return { cluster, run, lines };
  }

  it('orphans the ApplicationSets, deletes the workload Applications with their resources, then waits for the ingresses', async () => {
    const { cluster, run, lines } = await setUp({
      withArgoCd: true,
      ingressPollsAfterDelete: 2,
    });

    await run();

    const calls = cluster.requests.map(r => `${r.method} ${r.path}${r.query}`);
    expect(calls).toEqual([
      `GET ${ARGOCD}/applicationsets`,
      `DELETE ${ARGOCD}/applicationsets/workloads?propagationPolicy=Orphan`,
      `DELETE ${ARGOCD}/applicationsets/addons?propagationPolicy=Orphan`,
      `GET ${ARGOCD}/applications`,
      `PATCH ${ARGOCD}/applications/team-burnham`,
      `DELETE ${ARGOCD}/applications/team-burnham`,
      `GET ${INGRESSES}`,
      `GET ${INGRESSES}`,
      `GET ${INGRESSES}`,
    ]);
    const patch = cluster.requests.find(r => r.method === 'PATCH')!;
    expect(JSON.parse(patch.body)).toEqual({
      metadata: { finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    });
    // The cluster sees the Kubernetes plugin's credential for it, never a Backstage token.
    expect(new Set(cluster.requests.map(r => r.authorization))).toEqual(
      new Set(['Bearer stand-in-token']),
    );
    expect(lines).toContain(
      'eks-blueprint-green: waiting for ingresses to go: burnham-ingress',
    );
    expect(lines[lines.length - 1]).toBe(
      'eks-blueprint-green: no ingress left',
    );
  });

  it('fails, naming the ingresses, when they do not go in time', async () => {
    const { run } = await setUp({
      withArgoCd: true,
      ingressPollsAfterDelete: 1_000_000,
      timeoutMs: 1000,
    });

    await expect(run()).rejects.toThrow(
      'application teardown of eks-blueprint-green: ingresses still present after 1 s: burnham-ingress',
    );
  });

  it('stops waiting when the task is cancelled', async () => {
    const { run } = await setUp({
      withArgoCd: true,
      ingressPollsAfterDelete: 1_000_000,
      timeoutMs: 60_000,
    });
    const controller = new AbortController();
    const running = run(controller.signal);
    setTimeout(() => controller.abort(), 300);

    await expect(running).rejects.toThrow(
      'application teardown of eks-blueprint-green was cancelled',
    );
  });

  it('skips a cluster without Argo CD', async () => {
    const { cluster, run, lines } = await setUp({
      withArgoCd: false,
      ingressPollsAfterDelete: 0,
    });

    await run();

    expect(cluster.requests.map(r => r.method)).toEqual(['GET']);
    expect(lines).toEqual([
      'eks-blueprint-green: no Argo CD ApplicationSet API; skipping the application teardown',
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
