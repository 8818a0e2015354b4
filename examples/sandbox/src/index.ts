/**
 * The bluegreen AWS sandbox: a LOCAL STAND-IN for AWS, not AWS. It speaks the subset of the
 * Route 53 (REST/XML) and EKS (REST-JSON) wire protocols bluegreen uses, with AWS's
 * documented semantics, so the unmodified AWS SDK v3 clients can run against it.
 *
 * Beside it, startKubernetesSandbox starts LOCAL STAND-INS for the clusters' Kubernetes API
 * servers (not Kubernetes): the read subset the Backstage Kubernetes backend calls.
 *
 * @packageDocumentation
 */

export { startSandbox } from './server';
export type { Sandbox, SandboxFaults, SandboxOptions } from './server';
export type { ThrottleOptions } from './throttle';
export type { SandboxChange, ChangeAction } from './route53/store';
export { loadFixtures, DEFAULT_FIXTURES_FILE } from './fixtures';
export type {
  SandboxFixtures,
  SandboxFixtureZone,
  SandboxFixtureRecord,
  SandboxFixtureCluster,
  SandboxFixtureClusterVersion,
  SandboxRecord,
  SandboxAliasTarget,
} from './fixtures';
export {
  startKubernetesSandbox,
  DEFAULT_KUBERNETES_PORTS,
} from './kubernetes/server';
export type {
  KubernetesSandbox,
  KubernetesSandboxOptions,
} from './kubernetes/server';
export {
  loadKubernetesFixtures,
  expandCluster,
  withAllPodsReady,
  DEFAULT_KUBERNETES_FIXTURES_FILE,
} from './kubernetes/fixtures';
export type {
  KubernetesFixtures,
  KubernetesFixtureCluster,
  KubernetesFixtureNamespace,
  KubernetesFixtureDeployment,
  KubernetesFixtureIngress,
  KubernetesFixtureNotReadyPod,
  KubernetesObject,
} from './kubernetes/fixtures';
