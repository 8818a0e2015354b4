/*
 * The example's two clusters as seed data for real API servers. The YAML
 * (fixtures/clusters.yaml) is compact; fixtureObjects() turns each deployment into the
 * objects a cluster would hold for it — Deployment, its ReplicaSet, its Pods, optionally a
 * Service and an Ingress — with the statuses the controllers and kubelets would have
 * written. The API server assigns uids, resource versions and timestamps; names are
 * derived from the fixture, so pod names are the same on every start.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** A pod of a deployment that is not ready; its container waits with this reason. */
export interface KubernetesFixtureNotReadyPod {
  /** Default CrashLoopBackOff. */
  reason?: string;
  /** Default 5. */
  restartCount?: number;
}

export interface KubernetesFixtureIngress {
  host: string;
  /** status.loadBalancer.ingress[0].hostname, e.g. the ALB's DNS name. */
  loadBalancer?: string;
}

export interface KubernetesFixtureDeployment {
  name: string;
  replicas: number;
  /** Default public.ecr.aws/nginx/nginx:1.27. */
  image?: string;
  /** The container port; none when omitted. */
  port?: number;
  /** Added to the namespace's labels on every object of this deployment. */
  labels?: Record<string, string>;
  /** A ClusterIP Service named like the deployment, port 80 to `port` (default 80). */
  service?: boolean;
  /** An ALB Ingress whose external-dns annotations carry the cluster's route53Weight. */
  ingress?: KubernetesFixtureIngress;
  /** The last pods of the deployment are not ready, one entry per pod. */
  notReady?: KubernetesFixtureNotReadyPod[];
}

export interface KubernetesFixtureNamespace {
  name: string;
  /** Put on the Namespace and on every object in it. */
  labels?: Record<string, string>;
  /**
   * The namespace is a workload of Argo CD: an Application of that name (destination this
   * namespace) with Argo CD's resources finalizer, as the workloads ApplicationSet makes.
   */
  argoCdApplication?: boolean;
  deployments?: KubernetesFixtureDeployment[];
}

export interface KubernetesFixtureCluster {
  /** The cluster name, e.g. eks-blueprint-blue (also the Ingresses' set identifier). */
  name: string;
  /**
   * The GitOps Bridge's route53_weight annotation of the Argo CD cluster secret, and so
   * every Ingress's external-dns aws-weight. Default 0.
   */
  route53Weight?: number;
  /** The secret's other annotations (aws_cluster_name, eks_cluster_domain, ...). */
  gitopsBridge?: Record<string, string>;
  /** How many worker Nodes the cluster has, each Ready. Default 2. */
  nodes?: number;
  namespaces?: KubernetesFixtureNamespace[];
}

export interface KubernetesFixtures {
  clusters: KubernetesFixtureCluster[];
}

/** An object as the Kubernetes API takes and returns it (loosely typed: JSON). */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** The default seed: examples/kubernetes/fixtures/clusters.yaml, found through the package. */
export const DEFAULT_KUBERNETES_FIXTURES_FILE = path.join(
  path.dirname(require.resolve('@bluegreen/example-kubernetes/package.json')),
  'fixtures',
  'clusters.yaml',
);

export function loadKubernetesFixtures(
  file: string = DEFAULT_KUBERNETES_FIXTURES_FILE,
): KubernetesFixtures {
  const parsed = parse(fs.readFileSync(file, 'utf8'));
  if (
    !parsed ||
    typeof parsed !== 'object' ||
    !Array.isArray(parsed.clusters)
  ) {
    throw new Error(`${file}: expected a YAML mapping with a clusters list`);
  }
  return parsed as KubernetesFixtures;
}

/** The fixture of cluster `name`; throws naming the clusters there are. */
export function fixtureCluster(
  fixtures: KubernetesFixtures,
  name: string,
): KubernetesFixtureCluster {
  const cluster = fixtures.clusters.find(c => c.name === name);
  if (!cluster) {
    throw new Error(
      `no cluster '${name}' in the fixtures (${fixtures.clusters
        .map(c => c.name)
        .join(', ')})`,
    );
  }
  return cluster;
}

/**
 * The fixtures with every pod ready (no deployment's notReady): the cutover pre-flight
 * passes on both clusters, for tests and benchmarks that move traffic in both directions.
 */
export function withAllPodsReady(
  fixtures: KubernetesFixtures,
): KubernetesFixtures {
  return {
    clusters: fixtures.clusters.map(cluster => ({
      ...cluster,
      namespaces: cluster.namespaces?.map(namespace => ({
        ...namespace,
        deployments: namespace.deployments?.map(
          ({ notReady: _, ...deployment }) => deployment,
        ),
      })),
    })),
  };
}

/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no 0/1/3). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function digest(...parts: string[]): Buffer {
  return crypto.createHash('sha256').update(parts.join('\0')).digest();
}

function suffix(length: number, ...parts: string[]): string {
  const bytes = digest('suffix', ...parts);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += NAME_ALPHABET[bytes[i] % NAME_ALPHABET.length];
  }
  return out;
}

/** Kubernetes timestamps are RFC 3339 in UTC without fractions. */
function timestamp(base: Date, plusSeconds: number): string {
  return new Date(base.getTime() + plusSeconds * 1000)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A cluster's objects, owners first: its Namespaces, then per deployment the Deployment,
 * its ReplicaSet and Pods (owner references by name; the seeder fills in the uids the API
 * server gives the owners), its Service and Ingress. Status timestamps count from `now`.
 */
export function fixtureObjects(
  cluster: KubernetesFixtureCluster,
  now: Date = new Date(),
): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const ns of cluster.namespaces ?? []) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns.name, labels: { ...ns.labels } },
    });
  }
  for (const ns of cluster.namespaces ?? []) {
    for (const d of ns.deployments ?? []) {
      objects.push(...deploymentObjects(cluster, ns, d, now));
    }
  }
  return objects;
}

function deploymentObjects(
  cluster: KubernetesFixtureCluster,
  ns: KubernetesFixtureNamespace,
  d: KubernetesFixtureDeployment,
  now: Date,
): KubernetesObject[] {
  const out: KubernetesObject[] = [];
  const namespace = ns.name;
  // The rollout finished an hour ago; a failing pod went down ten minutes ago.
  const at = (seconds: number) => timestamp(now, seconds - 3600);
  const labels = {
    ...ns.labels,
    ...d.labels,
    'app.kubernetes.io/name': d.name,
  };
  const selector = { 'app.kubernetes.io/name': d.name };
  const image = d.image ?? 'public.ecr.aws/nginx/nginx:1.27';
  const notReady = d.notReady ?? [];
  const ready = Math.max(0, d.replicas - notReady.length);
  const templateHash = suffix(10, cluster.name, namespace, d.name, 'rs');
  const rsName = `${d.name}-${templateHash}`;
  const podLabels = { ...labels, 'pod-template-hash': templateHash };
  const podSpec = {
    containers: [
      {
        name: d.name,
        image,
        ...(d.port !== undefined && {
          ports: [{ name: 'http', containerPort: d.port, protocol: 'TCP' }],
        }),
        resources: {
          requests: { cpu: '100m', memory: '128Mi' },
          limits: { memory: '256Mi' },
        },
      },
    ],
  };

  // The maxUnavailable of the default RollingUpdate strategy (25%, rounded down).
  const available = ready >= d.replicas - Math.floor(d.replicas / 4);
  out.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: d.name,
      namespace,
      labels,
      annotations: { 'deployment.kubernetes.io/revision': '1' },
    },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: selector },
      template: { metadata: { labels }, spec: podSpec },
    },
    status: {
      observedGeneration: 1,
      replicas: d.replicas,
      updatedReplicas: d.replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(ready < d.replicas && { unavailableReplicas: d.replicas - ready }),
      conditions: [
        {
          type: 'Available',
          status: available ? 'True' : 'False',
          lastUpdateTime: at(available ? 40 : 3000),
          lastTransitionTime: at(available ? 40 : 3000),
          reason: available
            ? 'MinimumReplicasAvailable'
            : 'MinimumReplicasUnavailable',
          message: available
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          lastUpdateTime: at(40),
          lastTransitionTime: at(0),
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${rsName}" has successfully progressed.`,
        },
      ],
    },
  });

  out.push({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: rsName,
      namespace,
      labels: podLabels,
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(d.replicas),
        'deployment.kubernetes.io/revision': '1',
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: d.name,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas: d.replicas,
      selector: {
        matchLabels: { ...selector, 'pod-template-hash': templateHash },
      },
      template: { metadata: { labels: podLabels }, spec: podSpec },
    },
    status: {
      replicas: d.replicas,
      fullyLabeledReplicas: d.replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: 1,
    },
  });

  for (let i = 0; i < d.replicas; i++) {
    const podName = `${rsName}-${suffix(
      5,
      cluster.name,
      namespace,
      d.name,
      String(i),
    )}`;
    const failing = i >= ready ? notReady[i - ready] : undefined;
    const started = at(5 + i);
    const readyCondition = (type: string) => ({
      type,
      status: failing ? 'False' : 'True',
      lastTransitionTime: failing ? at(3000) : at(15 + i),
      ...(failing && {
        reason: 'ContainersNotReady',
        message: `containers with unready status: [${d.name}]`,
      }),
    });
    out.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace,
        labels: podLabels,
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: rsName,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: podSpec,
      status: {
        phase: 'Running',
        conditions: [
          { type: 'Initialized', status: 'True', lastTransitionTime: started },
          readyCondition('Ready'),
          readyCondition('ContainersReady'),
          { type: 'PodScheduled', status: 'True', lastTransitionTime: started },
        ],
        startTime: started,
        containerStatuses: [
          {
            name: d.name,
            state: failing
              ? {
                  waiting: {
                    reason: failing.reason ?? 'CrashLoopBackOff',
                    message: `back-off 5m0s restarting failed container=${d.name} pod=${podName}_${namespace}`,
                  },
                }
              : { running: { startedAt: at(12 + i) } },
            ...(failing && {
              lastState: {
                terminated: {
                  exitCode: 1,
                  reason: 'Error',
                  startedAt: at(3300),
                  finishedAt: at(3301),
                },
              },
            }),
            ready: !failing,
            restartCount: failing ? failing.restartCount ?? 5 : 0,
            image,
            imageID: '',
            started: !failing,
          },
        ],
        qosClass: 'Burstable',
      },
    });
  }

  if (d.service) {
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: d.name, namespace, labels },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [
          {
            name: 'http',
            protocol: 'TCP',
            port: 80,
            targetPort: d.port ?? 80,
          },
        ],
      },
    });
  }
  if (d.ingress) {
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: d.name,
        namespace,
        labels,
        annotations: {
          'alb.ingress.kubernetes.io/scheme': 'internet-facing',
          'alb.ingress.kubernetes.io/target-type': 'ip',
          'external-dns.alpha.kubernetes.io/set-identifier': cluster.name,
          'external-dns.alpha.kubernetes.io/aws-weight': String(
            cluster.route53Weight ?? 0,
          ),
        },
      },
      spec: {
        ingressClassName: 'alb',
        rules: [
          {
            host: d.ingress.host,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: d.name, port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
      status: {
        loadBalancer: d.ingress.loadBalancer
          ? { ingress: [{ hostname: d.ingress.loadBalancer }] }
          : {},
      },
    });
  }
  return out;
}
