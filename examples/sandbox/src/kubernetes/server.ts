/*
 * The sandbox's Kubernetes stand-ins: one small HTTP server per cluster, a LOCAL STAND-IN
 * for that cluster's Kubernetes API server (not Kubernetes, not EKS). They answer the read
 * subset the Backstage Kubernetes backend uses (see the README): /version, discovery, and
 * GET of lists (namespaced and cluster-wide, with labelSelector) and of single objects. Any
 * list of a kind without fixtures is an empty list of the right kind, so the backend sees
 * no errors. There are no writes, watches, logs or exec.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  KubernetesFixtureCluster,
  KubernetesFixtures,
  KubernetesObject,
  expandCluster,
  loadKubernetesFixtures,
  versionInfo,
} from './fixtures';
import {
  LabelSelectorError,
  matchesLabelSelector,
  parseLabelSelector,
} from './labelSelector';

export interface KubernetesSandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Port per cluster name; 0 (the default for a cluster not listed) picks a free port. */
  ports?: Record<string, number>;
  /** Default: fixtures/kubernetes.yaml. */
  fixtures?: KubernetesFixtures;
}

export interface KubernetesSandbox {
  /** One entry per fixture cluster, e.g. `{ 'eks-blueprint-blue': { url: 'http://127.0.0.1:4571' } }`. */
  clusters: Record<string, { url: string }>;
  /**
   * Requests by `<cluster>:<what>`, e.g. `eks-blueprint-blue:list:deployments.apps`,
   * `eks-blueprint-blue:get:pods`, `eks-blueprint-blue:version`,
   * `eks-blueprint-blue:Unauthorized`.
   */
  requestCounts(): Record<string, number>;
  resetRequestCounts(): void;
  /**
   * Serves a cluster's objects from new fixtures from now on (a test making a deployment
   * ready, say); the cluster must be one started with.
   */
  updateCluster(cluster: KubernetesFixtureCluster): void;
  close(): Promise<void>;
}

/** The ports `yarn workspace @bluegreen/example-sandbox start` uses. */
export const DEFAULT_KUBERNETES_PORTS: Record<string, number> = {
  'eks-blueprint-blue': 4571,
  'eks-blueprint-green': 4572,
};

interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
}

/**
 * The kinds the stand-ins know by name: those the Backstage Kubernetes backend fetches
 * (DEFAULT_OBJECTS and ALL_OBJECTS of @backstage/plugin-kubernetes-backend, plus
 * metrics.k8s.io pods) and a few more for discovery.
 */
const RESOURCE_TYPES: ResourceType[] = [
  ['', 'v1', 'pods', 'Pod', true, ['po']],
  ['', 'v1', 'services', 'Service', true, ['svc']],
  ['', 'v1', 'configmaps', 'ConfigMap', true, ['cm']],
  ['', 'v1', 'limitranges', 'LimitRange', true, ['limits']],
  ['', 'v1', 'resourcequotas', 'ResourceQuota', true, ['quota']],
  ['', 'v1', 'secrets', 'Secret', true],
  ['', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc']],
  ['', 'v1', 'persistentvolumes', 'PersistentVolume', false, ['pv']],
  ['', 'v1', 'serviceaccounts', 'ServiceAccount', true, ['sa']],
  ['', 'v1', 'endpoints', 'Endpoints', true, ['ep']],
  ['', 'v1', 'events', 'Event', true, ['ev']],
  ['', 'v1', 'namespaces', 'Namespace', false, ['ns']],
  ['', 'v1', 'nodes', 'Node', false, ['no']],
  ['apps', 'v1', 'deployments', 'Deployment', true, ['deploy']],
  ['apps', 'v1', 'replicasets', 'ReplicaSet', true, ['rs']],
  ['apps', 'v1', 'statefulsets', 'StatefulSet', true, ['sts']],
  ['apps', 'v1', 'daemonsets', 'DaemonSet', true, ['ds']],
  [
    'autoscaling',
    'v2',
    'horizontalpodautoscalers',
    'HorizontalPodAutoscaler',
    true,
    ['hpa'],
  ],
  [
    'autoscaling',
    'v1',
    'horizontalpodautoscalers',
    'HorizontalPodAutoscaler',
    true,
    ['hpa'],
  ],
  ['batch', 'v1', 'jobs', 'Job', true],
  ['batch', 'v1', 'cronjobs', 'CronJob', true, ['cj']],
  ['networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, ['ing']],
  ['networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false],
  [
    'networking.k8s.io',
    'v1',
    'networkpolicies',
    'NetworkPolicy',
    true,
    ['netpol'],
  ],
  [
    'policy',
    'v1',
    'poddisruptionbudgets',
    'PodDisruptionBudget',
    true,
    ['pdb'],
  ],
  // Argo CD's kinds, which the example's application teardown lists through the proxy.
  ['argoproj.io', 'v1alpha1', 'applications', 'Application', true, ['app']],
  [
    'argoproj.io',
    'v1alpha1',
    'applicationsets',
    'ApplicationSet',
    true,
    ['appset'],
  ],
  ['metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics', true],
  ['metrics.k8s.io', 'v1beta1', 'nodes', 'NodeMetrics', false],
].map(([group, version, plural, kind, namespaced, shortNames]) => ({
  group,
  version,
  plural,
  kind,
  namespaced,
  shortNames,
})) as ResourceType[];

const apiVersionOf = (group: string, version: string) =>
  group ? `${group}/${version}` : version;

/** The resource's name as Kubernetes spells it in messages: `deployments.apps`, `pods`. */
const resourceName = (group: string, plural: string) =>
  group ? `${plural}.${group}` : plural;

/** A kind for a plural the stand-ins do not know (a custom resource): Widgets -> Widget. */
function guessKind(plural: string): string {
  let singular = plural;
  if (/ies$/.test(plural)) singular = plural.replace(/ies$/, 'y');
  else if (/(s|x|z|ch|sh)es$/.test(plural))
    singular = plural.replace(/es$/, '');
  else if (/s$/.test(plural)) singular = plural.replace(/s$/, '');
  return singular.charAt(0).toUpperCase() + singular.slice(1);
}

function status(
  code: number,
  reason: string,
  message: string,
  details?: object,
) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details && { details }),
    code,
  };
}

/** A Bearer token with a non-empty value. It is NOT verified: this is a stand-in. */
function hasBearerToken(req: http.IncomingMessage): boolean {
  return /^Bearer\s+\S+/i.test(req.headers.authorization ?? '');
}

interface ClusterState {
  cluster: KubernetesFixtureCluster;
  objects: KubernetesObject[];
}

function createHandler(
  state: ClusterState,
  count: (key: string) => void,
): http.RequestListener {
  const { cluster, objects } = state;
  const typeOf = (o: KubernetesObject) =>
    RESOURCE_TYPES.find(
      t =>
        apiVersionOf(t.group, t.version) === o.apiVersion && t.kind === o.kind,
    );
  const byType = new Map<string, KubernetesObject[]>();
  for (const o of objects) {
    const t = typeOf(o);
    if (!t) continue;
    // autoscaling v1 and v2 serve the same objects; so would every served version.
    for (const same of RESOURCE_TYPES.filter(
      x => x.group === t.group && x.plural === t.plural,
    )) {
      const key = `${same.group}/${same.version}/${same.plural}`;
      byType.set(key, [...(byType.get(key) ?? []), o]);
    }
  }
  const sortKey = (o: KubernetesObject) =>
    `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const maxResourceVersion = String(
    Math.max(
      1000,
      ...objects.map(o => Number(o.metadata.resourceVersion) || 0),
    ),
  );
  /** Metrics are "now": metrics-server answers its latest scrape. */
  const fresh = (o: KubernetesObject): KubernetesObject => {
    if (o.kind !== 'PodMetrics' && o.kind !== 'NodeMetrics') return o;
    const now = Date.now();
    const iso = (ms: number) =>
      new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      ...o,
      metadata: { ...o.metadata, creationTimestamp: iso(now) },
      timestamp: iso(now - 15_000),
    };
  };

  return (req, res) => {
    const send = (code: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(code, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        'audit-id': `sandbox-${Date.now().toString(36)}`,
      });
      res.end(text);
    };
    const fail = (
      code: number,
      reason: string,
      message: string,
      details?: object,
    ) => send(code, status(code, reason, message, details));

    const url = new URL(req.url ?? '/', 'http://kubernetes-stand-in.invalid');
    const pathname = url.pathname.replace(/\/+$/, '') || '/';
    const tag = (what: string) => count(`${cluster.name}:${what}`);

    // Like Kubernetes' system:public-info-viewer role: these need no credentials.
    if (req.method === 'GET' && pathname === '/version') {
      tag('version');
      send(200, versionInfo(cluster));
      return;
    }
    if (req.method === 'GET' && /^\/(healthz|livez|readyz)$/.test(pathname)) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    // A stand-in: any non-empty bearer token is accepted and NOT verified. Without one,
    // Kubernetes (with anonymous requests disabled, as on EKS) answers 401.
    if (!hasBearerToken(req)) {
      tag('Unauthorized');
      fail(401, 'Unauthorized', 'Unauthorized');
      return;
    }
    if (req.method !== 'GET') {
      tag('MethodNotAllowed');
      fail(
        405,
        'MethodNotAllowed',
        `the Kubernetes stand-in of ${cluster.name} (a local stand-in) serves reads only; ${req.method} is not supported`,
      );
      return;
    }

    const segments = pathname
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent);
    const notFound = () => {
      tag('NotFound');
      fail(404, 'NotFound', 'the server could not find the requested resource');
    };

    // Discovery.
    if (pathname === '/api') {
      tag('discovery');
      send(200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [
          { clientCIDR: '0.0.0.0/0', serverAddress: url.host },
        ],
      });
      return;
    }
    if (pathname === '/apis') {
      tag('discovery');
      const groups = [
        ...new Set(RESOURCE_TYPES.filter(t => t.group).map(t => t.group)),
      ];
      send(200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map(name => {
          const versions = [
            ...new Set(
              RESOURCE_TYPES.filter(t => t.group === name).map(t => t.version),
            ),
          ].map(version => ({ groupVersion: `${name}/${version}`, version }));
          return { name, versions, preferredVersion: versions[0] };
        }),
      });
      return;
    }

    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api' && segments.length >= 2) {
      [group, version, rest] = ['', segments[1], segments.slice(2)];
    } else if (segments[0] === 'apis' && segments.length >= 3) {
      [group, version, rest] = [segments[1], segments[2], segments.slice(3)];
    } else {
      notFound();
      return;
    }
    const apiVersion = apiVersionOf(group, version);
    const typesOfVersion = RESOURCE_TYPES.filter(
      t => t.group === group && t.version === version,
    );

    if (rest.length === 0) {
      tag('discovery');
      send(200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: apiVersion,
        resources: typesOfVersion.map(t => ({
          name: t.plural,
          singularName: t.kind.toLowerCase(),
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ['get', 'list'],
          ...(t.shortNames && { shortNames: t.shortNames }),
        })),
      });
      return;
    }

    // /namespaces/{ns}/{plural}[/{name}] or /{plural}[/{name}] (namespaces is itself a
    // cluster-scoped plural: /api/v1/namespaces[/{name}]).
    let namespace: string | undefined;
    let plural: string;
    let name: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && rest.length <= 4) {
      [namespace, plural, name] = [rest[1], rest[2], rest[3]];
    } else if (rest.length <= 2) {
      [plural, name] = [rest[0], rest[1]];
    } else {
      // Subresources (status, log, exec, scale, ...) are not served.
      notFound();
      return;
    }
    const type = typesOfVersion.find(t => t.plural === plural);
    const kind = type?.kind ?? guessKind(plural);
    const known = byType.get(`${group}/${version}/${plural}`) ?? [];
    const inNamespace = known.filter(
      o => namespace === undefined || o.metadata.namespace === namespace,
    );

    if (name !== undefined) {
      tag(`get:${resourceName(group, plural)}`);
      const found =
        type && (namespace !== undefined || !type.namespaced)
          ? inNamespace.find(o => o.metadata.name === name)
          : undefined;
      if (!found) {
        fail(
          404,
          'NotFound',
          `${resourceName(group, plural)} "${name}" not found`,
          { name, ...(group && { group }), kind: plural },
        );
        return;
      }
      send(200, fresh(found));
      return;
    }

    tag(`list:${resourceName(group, plural)}`);
    let requirements;
    try {
      requirements = parseLabelSelector(
        url.searchParams.get('labelSelector') ?? '',
      );
    } catch (e) {
      if (!(e instanceof LabelSelectorError)) throw e;
      fail(400, 'BadRequest', e.message);
      return;
    }
    const items = inNamespace
      .filter(o => matchesLabelSelector(requirements, o.metadata.labels))
      .sort((a, b) => sortKey(a).localeCompare(sortKey(b)))
      .map(o => {
        // List items carry no kind or apiVersion on the wire; the list does.
        const { kind: _kind, apiVersion: _apiVersion, ...item } = fresh(o);
        return item;
      });
    send(200, {
      kind: `${kind}List`,
      apiVersion,
      metadata: { resourceVersion: maxResourceVersion },
      items,
    });
  };
}

/**
 * Starts one Kubernetes API stand-in per fixture cluster (a local stand-in, not
 * Kubernetes). If one cannot listen, those already started are closed and this rejects.
 */
export async function startKubernetesSandbox(
  options: KubernetesSandboxOptions = {},
): Promise<KubernetesSandbox> {
  const fixtures = options.fixtures ?? loadKubernetesFixtures();
  const host = options.host ?? '127.0.0.1';
  let counts: Record<string, number> = {};
  const count = (key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  const servers: http.Server[] = [];
  const clusters: Record<string, { url: string }> = {};
  const handlers = new Map<string, http.RequestListener>();
  const handlerOf = (cluster: KubernetesFixtureCluster) =>
    createHandler({ cluster, objects: expandCluster(cluster) }, count);
  const closeAll = () =>
    Promise.all(
      servers.map(
        server =>
          new Promise<void>(resolve => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    ).then(() => undefined);

  try {
    for (const cluster of fixtures.clusters) {
      if (clusters[cluster.name]) {
        throw new Error(`duplicate cluster '${cluster.name}' in the fixtures`);
      }
      handlers.set(cluster.name, handlerOf(cluster));
      const server = http.createServer((req, res) => {
        try {
          // The body of a GET is ignored; drain it so keep-alive works.
          req.resume();
          handlers.get(cluster.name)!(req, res);
        } catch (e) {
          const text = JSON.stringify(
            status(
              500,
              'InternalError',
              `stand-in failure: ${(e as Error).message}`,
            ),
          );
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(text);
        }
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.ports?.[cluster.name] ?? 0, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      servers.push(server);
      const { port } = server.address() as AddressInfo;
      clusters[cluster.name] = {
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      };
    }
  } catch (e) {
    await closeAll();
    throw e;
  }

  return {
    clusters,
    requestCounts: () => ({ ...counts }),
    resetRequestCounts: () => {
      counts = {};
    },
    updateCluster: cluster => {
      if (!handlers.has(cluster.name)) {
        throw new Error(
          `no stand-in was started for cluster '${cluster.name}'`,
        );
      }
      handlers.set(cluster.name, handlerOf(cluster));
    },
    close: closeAll,
  };
}
