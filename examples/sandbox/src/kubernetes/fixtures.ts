/*
 * Seed data of the sandbox's Kubernetes stand-ins (local stand-ins for the Kubernetes API
 * servers of the EKS clusters, not Kubernetes). The YAML is compact; expandCluster() turns
 * each deployment into the objects a real cluster would hold for it: Deployment, ReplicaSet
 * (owned by the Deployment), Pods (owned by the ReplicaSet), PodMetrics, and optionally a
 * Service and an Ingress. Everything is deterministic (uids, names, addresses and timestamps
 * derive from the fixture), so tests can compare answers.
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
  /** external-dns.alpha.kubernetes.io/aws-weight. Default 0. */
  weight?: number;
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
  ingress?: KubernetesFixtureIngress;
  /** The last pods of the deployment are not ready, one entry per pod. */
  notReady?: KubernetesFixtureNotReadyPod[];
  /** ISO date-time; default one hour after the cluster's createdAt. */
  createdAt?: string;
}

export interface KubernetesFixtureNamespace {
  name: string;
  /** Put on the Namespace and on every object in it. */
  labels?: Record<string, string>;
  deployments?: KubernetesFixtureDeployment[];
}

export interface KubernetesFixtureCluster {
  /** The cluster name, e.g. eks-blueprint-blue (also the Ingresses' set identifier). */
  name: string;
  /** Kubernetes minor version, e.g. '1.33'. */
  version: string;
  /** What /version answers as gitVersion; default v<version>.0-eks-0000000. */
  gitVersion?: string;
  /** ISO date-time, the base of the objects' creationTimestamps. Default 2025-01-01. */
  createdAt?: string;
  namespaces?: KubernetesFixtureNamespace[];
}

export interface KubernetesFixtures {
  clusters: KubernetesFixtureCluster[];
}

/** An object as the Kubernetes API returns it (loosely typed: JSON). */
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

/** The default seed: examples/sandbox/fixtures/kubernetes.yaml, found through the package. */
export const DEFAULT_KUBERNETES_FIXTURES_FILE = path.join(
  path.dirname(require.resolve('@bluegreen/example-sandbox/package.json')),
  'fixtures',
  'kubernetes.yaml',
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

const SYSTEM_NAMESPACES = [
  'default',
  'kube-node-lease',
  'kube-public',
  'kube-system',
];
/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no 0/1/3). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function digest(...parts: string[]): Buffer {
  return crypto.createHash('sha256').update(parts.join('\0')).digest();
}

function uid(...parts: string[]): string {
  const h = digest('uid', ...parts).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(
    17,
    20,
  )}-${h.slice(20, 32)}`;
}

function suffix(length: number, ...parts: string[]): string {
  const bytes = digest('suffix', ...parts);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += NAME_ALPHABET[bytes[i] % NAME_ALPHABET.length];
  }
  return out;
}

function byte(index: number, ...parts: string[]): number {
  return digest('byte', ...parts)[index];
}

/** Kubernetes timestamps are RFC 3339 in UTC without fractions. */
function timestamp(base: Date, plusSeconds: number): string {
  return new Date(base.getTime() + plusSeconds * 1000)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
}

/** The /version answer of a cluster. EKS reports the minor with a '+'. */
export function versionInfo(cluster: KubernetesFixtureCluster) {
  const [major, minor] = cluster.version.split('.');
  const gitVersion = cluster.gitVersion ?? `v${cluster.version}.0-eks-0000000`;
  return {
    major,
    minor: `${minor}+`,
    emulationMajor: major,
    emulationMinor: minor,
    minCompatibilityMajor: major,
    minCompatibilityMinor: String(Number(minor) - 1),
    gitVersion,
    gitCommit: digest('commit', gitVersion).toString('hex').slice(0, 40),
    gitTreeState: 'clean',
    buildDate: timestamp(new Date(cluster.createdAt ?? '2025-01-01'), -86400),
    goVersion: 'go1.24.6',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** Every object of a cluster, expanded from its fixture. */
export function expandCluster(
  cluster: KubernetesFixtureCluster,
): KubernetesObject[] {
  const base = new Date(cluster.createdAt ?? '2025-01-01T00:00:00Z');
  const objects: KubernetesObject[] = [];
  let resourceVersion = 1000;
  const meta = (
    kind: string,
    name: string,
    namespace: string | undefined,
    created: string,
    labels: Record<string, string>,
    extra: Record<string, unknown> = {},
  ) => ({
    name,
    ...(namespace !== undefined && { namespace }),
    uid: uid(cluster.name, kind, namespace ?? '', name),
    resourceVersion: String((resourceVersion += 7)),
    ...(kind === 'Deployment' ||
    kind === 'ReplicaSet' ||
    kind === 'Service' ||
    kind === 'Ingress'
      ? { generation: 1 }
      : {}),
    creationTimestamp: created,
    labels,
    ...extra,
  });

  const namespaces = [
    ...SYSTEM_NAMESPACES.filter(
      n => !(cluster.namespaces ?? []).some(ns => ns.name === n),
    ).map(name => ({ name, labels: {}, deployments: [] })),
    ...(cluster.namespaces ?? []),
  ];
  for (const ns of namespaces) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: meta('Namespace', ns.name, undefined, timestamp(base, 0), {
        ...ns.labels,
        'kubernetes.io/metadata.name': ns.name,
      }),
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  for (const ns of cluster.namespaces ?? []) {
    for (const d of ns.deployments ?? []) {
      objects.push(...expandDeployment(cluster, ns, d, base, meta));
    }
  }
  return objects;
}

type MetaFn = (
  kind: string,
  name: string,
  namespace: string | undefined,
  created: string,
  labels: Record<string, string>,
  extra?: Record<string, unknown>,
) => KubernetesObject['metadata'];

function expandDeployment(
  cluster: KubernetesFixtureCluster,
  ns: KubernetesFixtureNamespace,
  d: KubernetesFixtureDeployment,
  clusterBase: Date,
  meta: MetaFn,
): KubernetesObject[] {
  const out: KubernetesObject[] = [];
  const namespace = ns.name;
  const created = d.createdAt
    ? new Date(d.createdAt)
    : new Date(clusterBase.getTime() + 3600_000);
  const at = (seconds: number) => timestamp(created, seconds);
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
  const container = {
    name: d.name,
    image,
    ...(d.port !== undefined && {
      ports: [{ name: 'http', containerPort: d.port, protocol: 'TCP' }],
    }),
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '256Mi' },
    },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  };
  const podTemplate = {
    metadata: { labels: podLabels },
    spec: {
      containers: [container],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      securityContext: {},
      schedulerName: 'default-scheduler',
    },
  };

  // The maxUnavailable of the default RollingUpdate strategy (25%, rounded down).
  const maxUnavailable = Math.floor(d.replicas / 4);
  const available = ready >= d.replicas - maxUnavailable;
  const deploymentMeta = meta('Deployment', d.name, namespace, at(0), labels, {
    annotations: { 'deployment.kubernetes.io/revision': '1' },
  });
  out.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: deploymentMeta,
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: podTemplate.spec,
      },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
      },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
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
          lastUpdateTime: at(available ? 40 : 300),
          lastTransitionTime: at(available ? 40 : 300),
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

  const rsMeta = meta('ReplicaSet', rsName, namespace, at(0), podLabels, {
    annotations: {
      'deployment.kubernetes.io/desired-replicas': String(d.replicas),
      'deployment.kubernetes.io/max-replicas': String(
        d.replicas + Math.ceil(d.replicas / 4),
      ),
      'deployment.kubernetes.io/revision': '1',
    },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: d.name,
        uid: deploymentMeta.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  });
  out.push({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: rsMeta,
    spec: {
      replicas: d.replicas,
      selector: {
        matchLabels: { ...selector, 'pod-template-hash': templateHash },
      },
      template: podTemplate,
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
    const ip = (n: number) =>
      `10.0.${(byte(0, cluster.name, podName) % 3) * 16 + n}.${
        byte(1, cluster.name, podName) % 250
      }`;
    const podIP = ip(1 + (byte(2, cluster.name, podName) % 14));
    const hostIP = ip(0);
    const started = at(5 + i);
    const readyAt = at(15 + i);
    const restartCount = failing ? failing.restartCount ?? 5 : 0;
    const reason = failing?.reason ?? 'CrashLoopBackOff';
    const conditions = (isReady: boolean) => [
      {
        type: 'PodReadyToStartContainers',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: at(6 + i),
      },
      {
        type: 'Initialized',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: started,
      },
      {
        type: 'Ready',
        status: isReady ? 'True' : 'False',
        lastProbeTime: null,
        lastTransitionTime: readyAt,
        ...(!isReady && {
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${d.name}]`,
        }),
      },
      {
        type: 'ContainersReady',
        status: isReady ? 'True' : 'False',
        lastProbeTime: null,
        lastTransitionTime: readyAt,
        ...(!isReady && {
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${d.name}]`,
        }),
      },
      {
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: started,
      },
    ];
    const imageID = `${image.split(':')[0]}@sha256:${digest('image', image)
      .toString('hex')
      .slice(0, 64)}`;
    out.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('Pod', podName, namespace, started, podLabels, {
        generateName: `${rsName}-`,
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: rsName,
            uid: rsMeta.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      }),
      spec: {
        ...podTemplate.spec,
        nodeName: `ip-${hostIP.replace(/\./g, '-')}.us-west-2.compute.internal`,
        priority: 0,
        enableServiceLinks: true,
        preemptionPolicy: 'PreemptLowerPriority',
        tolerations: [
          {
            key: 'node.kubernetes.io/not-ready',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 300,
          },
          {
            key: 'node.kubernetes.io/unreachable',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 300,
          },
        ],
      },
      status: {
        phase: 'Running',
        conditions: conditions(!failing),
        hostIP,
        hostIPs: [{ ip: hostIP }],
        podIP,
        podIPs: [{ ip: podIP }],
        startTime: started,
        containerStatuses: [
          {
            name: d.name,
            state: failing
              ? {
                  waiting: {
                    reason,
                    message: `back-off 5m0s restarting failed container=${
                      d.name
                    } pod=${podName}_${namespace}(${uid(
                      cluster.name,
                      'Pod',
                      namespace,
                      podName,
                    )})`,
                  },
                }
              : { running: { startedAt: at(12 + i) } },
            ...(failing && {
              lastState: {
                terminated: {
                  exitCode: 1,
                  reason: 'Error',
                  startedAt: at(900),
                  finishedAt: at(901),
                  containerID: `containerd://${digest('container', podName)
                    .toString('hex')
                    .slice(0, 64)}`,
                },
              },
            }),
            ready: !failing,
            restartCount,
            image,
            imageID,
            containerID: `containerd://${digest('container', podName, 'now')
              .toString('hex')
              .slice(0, 64)}`,
            started: !failing,
          },
        ],
        qosClass: 'Burstable',
      },
    });
    // metrics-server reports running containers only: none for a crash-looping pod.
    if (!failing) {
      out.push({
        apiVersion: 'metrics.k8s.io/v1beta1',
        kind: 'PodMetrics',
        metadata: {
          name: podName,
          namespace,
          creationTimestamp: timestamp(new Date(), 0),
          labels: podLabels,
        },
        timestamp: timestamp(new Date(), -15),
        window: '15.012s',
        containers: [
          {
            name: d.name,
            usage: {
              cpu: `${(5 + (byte(3, podName) % 40)) * 1000000 + 123456}n`,
              memory: `${(40 + (byte(4, podName) % 60)) * 1024}Ki`,
            },
          },
        ],
      });
    }
  }

  const port = d.port ?? 80;
  if (d.service) {
    const clusterIP = `172.20.${byte(0, cluster.name, namespace, d.name)}.${
      1 + (byte(1, cluster.name, namespace, d.name) % 250)
    }`;
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('Service', d.name, namespace, at(0), labels),
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: port }],
        clusterIP,
        clusterIPs: [clusterIP],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        sessionAffinity: 'None',
        internalTrafficPolicy: 'Cluster',
      },
      status: { loadBalancer: {} },
    });
  }
  if (d.ingress) {
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('Ingress', d.name, namespace, at(0), labels, {
        annotations: {
          'alb.ingress.kubernetes.io/scheme': 'internet-facing',
          'alb.ingress.kubernetes.io/target-type': 'ip',
          'external-dns.alpha.kubernetes.io/set-identifier': cluster.name,
          'external-dns.alpha.kubernetes.io/aws-weight': String(
            d.ingress.weight ?? 0,
          ),
        },
      }),
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
                  backend: {
                    service: { name: d.name, port: { number: 80 } },
                  },
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
