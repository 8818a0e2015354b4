/*
 * The Kubernetes side of the cutover tests: the example's two clusters as real
 * kube-apiservers (examples/kubernetes) behind the real Kubernetes backend, and, for tests
 * that call an action directly, fixed workloads.
 */
import {
  ExampleClusters,
  startExampleClusters,
} from '@bluegreen/example-kubernetes';
import {
  ClusterColour,
  ClusterVersionStatus,
  ClusterWorkloads,
} from '@bluegreen/plugin-bluegreen-common';
import { CutoverService } from '../cutover/CutoverService';
import { EntityWorkloads } from '../kubernetes/EntityWorkloads';
import { CLUSTERS } from './sandbox';

/**
 * Both example clusters, real API servers on free ports. `allReady` makes every pod ready
 * (the pre-flight passes both ways); without it green's burnham-worker is 1/2 ready, as
 * in the example. Their `kubernetesConfig()` is the Kubernetes backend's config.
 */
export function startClusters(
  options: { allReady?: boolean } = {},
): Promise<ExampleClusters> {
  if (!process.env.NODE_OPTIONS?.includes('--experimental-vm-modules')) {
    throw new Error(
      'This test runs the real Kubernetes backend, which needs NODE_OPTIONS=--experimental-vm-modules for jest (scripts/test.sh sets it).',
    );
  }
  return startExampleClusters(options);
}

/** burnham's deployment, 3/3 ready, in both clusters: a pre-flight that passes. */
export const READY_WORKLOADS: Record<ClusterColour, ClusterWorkloads> = {
  blue: {
    state: 'ok',
    deployments: [{ name: 'burnham', ready: 3, desired: 3, podsNotReady: [] }],
  },
  green: {
    state: 'ok',
    deployments: [{ name: 'burnham', ready: 3, desired: 3, podsNotReady: [] }],
  },
};

/** The sandbox's EKS versions: blue 1.33, green 1.34. */
export const SANDBOX_VERSIONS = {
  describe: async (name: string): Promise<ClusterVersionStatus> => ({
    name,
    version: name === CLUSTERS.green ? '1.34' : '1.33',
    source: 'versions-table',
  }),
};

/**
 * The cutover rules over fixed workloads, for tests that call set-weight directly (the
 * route and template tests read the real Kubernetes backend).
 */
export function testCutover(
  workloads: Record<ClusterColour, ClusterWorkloads> = READY_WORKLOADS,
): { cutover: CutoverService; reads: unknown[][] } {
  const reads: unknown[][] = [];
  const reader: EntityWorkloads = {
    read: async (...args) => {
      reads.push(args);
      return workloads;
    },
  };
  return {
    cutover: new CutoverService({
      workloads: reader,
      clusterVersions: SANDBOX_VERSIONS,
    }),
    reads,
  };
}
