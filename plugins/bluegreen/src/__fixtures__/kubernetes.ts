import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';

type Pods = {
  name: string;
  ready: boolean;
  reason?: string;
  restarts?: number;
};

/** One deployment with its ReplicaSet and pods, as the Kubernetes backend returns them. */
function deployment(name: string, desired: number, pods: Pods[]) {
  const rs = `${name}-5d9f7c6b8`;
  return {
    deployment: {
      metadata: { name, namespace: 'team-burnham' },
      spec: { replicas: desired },
      status: { readyReplicas: pods.filter(p => p.ready).length },
    },
    replicaSet: {
      metadata: {
        name: rs,
        ownerReferences: [{ kind: 'Deployment', name }],
      },
    },
    pods: pods.map(p => ({
      metadata: {
        name: p.name,
        ownerReferences: [{ kind: 'ReplicaSet', name: rs }],
      },
      status: {
        conditions: [{ type: 'Ready', status: p.ready ? 'True' : 'False' }],
        containerStatuses: [
          {
            ready: p.ready,
            restartCount: p.restarts ?? 0,
            state: p.reason ? { waiting: { reason: p.reason } } : {},
          },
        ],
      },
    })),
  };
}

function cluster(name: string, deployments: ReturnType<typeof deployment>[]) {
  return {
    cluster: { name },
    errors: [],
    podMetrics: [],
    resources: [
      { type: 'deployments', resources: deployments.map(d => d.deployment) },
      { type: 'replicasets', resources: deployments.map(d => d.replicaSet) },
      { type: 'pods', resources: deployments.flatMap(d => d.pods) },
    ],
  };
}

const ready = (prefix: string, n: number): Pods[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `${prefix}-${i}`,
    ready: true,
  }));

/** Blue: everything ready. Green: burnham-worker 1/2, one pod crash-looping. */
export const burnhamObjects = {
  items: [
    cluster('eks-blueprint-blue', [
      deployment('burnham', 3, ready('burnham-blue', 3)),
      deployment('burnham-worker', 2, ready('worker-blue', 2)),
    ]),
    cluster('eks-blueprint-green', [
      deployment('burnham', 3, ready('burnham-green', 3)),
      deployment('burnham-worker', 2, [
        { name: 'worker-green-0', ready: true },
        {
          name: 'worker-green-1',
          ready: false,
          reason: 'CrashLoopBackOff',
          restarts: 5,
        },
      ]),
    ]),
  ],
} as unknown as ObjectsByEntityResponse;

/** Both clusters running the same ready workloads. */
export const burnhamObjectsAllReady = {
  items: [
    cluster('eks-blueprint-blue', [
      deployment('burnham', 3, ready('burnham-blue', 3)),
    ]),
    cluster('eks-blueprint-green', [
      deployment('burnham', 3, ready('burnham-green', 3)),
    ]),
  ],
} as unknown as ObjectsByEntityResponse;

/** The green cluster answers with an error. */
export const burnhamObjectsGreenUnreachable = {
  items: [
    burnhamObjectsAllReady.items[0],
    {
      cluster: { name: 'eks-blueprint-green' },
      errors: [{ errorType: 'FETCH_ERROR', message: 'connect ECONNREFUSED' }],
      podMetrics: [],
      resources: [],
    },
  ],
} as unknown as ObjectsByEntityResponse;
