/**
 * Real Kubernetes API servers for the example app and the tests: kube-apiserver on kine
 * (SQLite), built by scripts/ensure-kubernetes.sh. No nodes and no controllers run; a test
 * that needs a controller's effect (a Deployment's status, say) writes it and says so.
 *
 * @packageDocumentation
 */
export { startKubernetesCluster } from './cluster';
export type {
  ClusterIdentity,
  ClusterResponse,
  KubernetesCluster,
  StartClusterOptions,
} from './cluster';
export { kubernetesBinaries } from './binaries';
export type { KubernetesBinaries } from './binaries';
export { argoCdCrds, installArgoCdCrds, playArgoCd } from './argoCd';
export { seedFixtureCluster } from './seed';
