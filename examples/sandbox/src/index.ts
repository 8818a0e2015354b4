/**
 * The bluegreen AWS sandbox: a LOCAL STAND-IN for AWS, not AWS. It speaks the subset of the
 * Route 53 (REST/XML), EKS (REST-JSON, with cluster insights) and CloudWatch GetMetricData (JSON 1.0) wire protocols bluegreen uses, with AWS's
 * documented semantics, so the unmodified AWS SDK v3 clients can run against it.
 *
 * The clusters' Kubernetes APIs are real API servers (examples/kubernetes), not stand-ins.
 *
 * @packageDocumentation
 */

export { startSandbox } from './server';
export { aliasAddress } from './dns/server';
export { startLoadBalancers, clusterPage } from './loadBalancers/server';
export { loadBalancerConfig } from './loadBalancers/config';
export { loadBalancerDimension } from './cloudwatch/getMetricData';
export { stagedChecksConfig, stagedChecksEnv } from './stagedChecksConfig';
export type {
  LoadBalancerFaults,
  LoadBalancerStandIns,
  ServedRequest,
} from './loadBalancers/server';
export type { DnsStandIn } from './dns/server';
export type { Sandbox, SandboxFaults, SandboxOptions } from './server';
export type { InsightsFault } from './eks';
export type { ThrottleOptions } from './throttle';
export type { SandboxChange, ChangeAction } from './route53/store';
export { changeSplits } from './route53/changeSplits';
export { loadFixtures, DEFAULT_FIXTURES_FILE } from './fixtures';
export type {
  SandboxFixtures,
  SandboxFixtureZone,
  SandboxFixtureRecord,
  SandboxFixtureCluster,
  SandboxFixtureClusterVersion,
  SandboxFixtureInsight,
  SandboxFixtureDeprecation,
  SandboxFixtureInsightClient,
  SandboxRecord,
  SandboxAliasTarget,
} from './fixtures';
