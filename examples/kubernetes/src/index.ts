/**
 * Real Kubernetes API servers for the example app and the tests: kube-apiserver on kine
 * (SQLite), built by scripts/ensure-kubernetes.sh, seeded with the example's two clusters
 * (fixtures/clusters.yaml). No nodes and no controllers run; a test that needs a
 * controller's effect (a Deployment's status, say) writes it and says so.
 *
 * @packageDocumentation
 */
export { startKubernetesCluster } from './cluster';
export type {
  AuditedRequest,
  ClusterIdentity,
  ClusterResponse,
  KubernetesCluster,
  StartClusterOptions,
} from './cluster';
export { kubernetesBinaries } from './binaries';
export type { KubernetesBinaries } from './binaries';
export { argoCdCrds, installArgoCdCrds, playArgoCd } from './argoCd';
export { playArgoCdWeights } from './argoCdWeights';
export { playExternalDns } from './externalDns';
export { seedFixtureCluster, seedArgoCd, makeDeploymentReady } from './seed';
export {
  startExampleClusters,
  BACKSTAGE_RBAC,
  BACKSTAGE_SERVICE_ACCOUNT,
} from './exampleClusters';
export type {
  ExampleClusters,
  ExampleClustersOptions,
} from './exampleClusters';
export {
  loadKubernetesFixtures,
  fixtureCluster,
  fixtureObjects,
  withAllPodsReady,
  DEFAULT_KUBERNETES_FIXTURES_FILE,
} from './fixtures';
export type {
  KubernetesFixtures,
  KubernetesFixtureCluster,
  KubernetesFixtureNamespace,
  KubernetesFixtureDeployment,
  KubernetesFixtureIngress,
  KubernetesFixtureNotReadyPod,
  KubernetesObject,
} from './fixtures';
