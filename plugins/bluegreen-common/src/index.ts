/**
 * Shared vocabulary of the bluegreen plugins.
 *
 * @packageDocumentation
 */

export {
  ANNOTATION_BLUE_CLUSTER,
  ANNOTATION_CLUSTER_PENDING,
  ANNOTATION_GENERATION_REPO,
  ANNOTATION_GREEN_CLUSTER,
  ANNOTATION_HOSTED_ZONE,
  ANNOTATION_HOSTNAME,
  ANNOTATION_PROBE_MAX_P95_MS,
  ANNOTATION_PROBE_MIN_SUCCESS_RATIO,
  ANNOTATION_PROBE_PATH,
  ANNOTATION_RECORD_TYPE,
  CLUSTER_COLOURS,
  getBlueGreenAnnotations,
  isBlueGreenAvailable,
} from './annotations';
export type { BlueGreenAnnotations, ClusterColour } from './annotations';
export {
  GENERATION_STACKS,
  SHARED_TFVARS_FILE,
  generationStackSchema,
  stackListSchema,
  stackNameProblem,
} from './stacks';
export type { GenerationStack } from './stacks';
export {
  CLUSTER_DESTROY_ORDER,
  CLUSTER_STACKS,
  EKS_MODULE_ADDRESS,
  KUBERNETES_VERSION_FILE,
  KUBERNETES_VERSION_LINE,
  WEIGHT_FILE,
  WEIGHT_VARIABLE,
  clusterName,
  kubernetesVersionIn,
  stackColour,
  weightFileContent,
  withKubernetesVersion,
} from './generation';
export {
  MAX_WEIGHT,
  MIN_WEIGHT,
  formatWeights,
  recordShares,
  trafficShares,
  weightSchema,
  weightSplit,
  weightsProblem,
  weightsSchema,
} from './weights';
export type { Weights } from './weights';
export {
  bluegreenApplyPermission,
  bluegreenCutoverForcePermission,
  bluegreenCutoverPermission,
  bluegreenPermissions,
  bluegreenRetirePermission,
} from './permissions';
export {
  EKS_HOURLY_PRICE_USD,
  EKS_VERSIONS,
  compareKubernetesVersions,
  describeEksSupport,
  eksSupportStatus,
  supportedEksVersions,
} from './eksVersions';
export type {
  EksSupportStatus,
  EksVersionSupport,
  EksVersionsResponse,
} from './eksVersions';
export {
  CUTOVER_MODES,
  ELB_ALIAS_TTL_SECONDS,
  cutoverRequestSchema,
} from './traffic';
export type {
  ClusterVersionStatus,
  CutoverMode,
  CutoverRequest,
  CutoverResponse,
  RecordOwner,
  TrafficStatus,
  WeightedRecordStatus,
} from './traffic';
export { AWS_COMMERCIAL_REGIONS } from './awsRegions';
export { generationValuesSchema } from './generationValues';
export type { GenerationValues } from './generationValues';
export {
  clusterWorkloads,
  ingressWeightFor,
  isReady,
  parity,
} from './workloads';
export type {
  ClusterWorkloads,
  DeploymentSummary,
  IngressWeight,
  ParityResult,
} from './workloads';
export {
  failedChecks,
  preflightChecks,
  preflightInputOf,
  readinessCheck,
} from './preflight';
export type { PreflightCheck, PreflightInput } from './preflight';
export {
  CUTOVER_PRESETS,
  MAX_PLAN_STEPS,
  MAX_SOAK_SECONDS,
  cutoverPlanSchema,
  cutoverPlanStepSchema,
  dnsFloorSeconds,
  holdSeconds,
  planDurationSeconds,
  preflightWeights,
  presetPlan,
  rollbackSteps,
  sameWeights,
  sharesPlan,
} from './cutoverPlan';
export type {
  CutoverPlan,
  CutoverPlanStep,
  CutoverPresetId,
  DnsFloor,
} from './cutoverPlan';
export {
  CUTOVER_RUN_COMMANDS,
  cutoverRunCommandSchema,
  isActiveRun,
  stagedCutoverRequestSchema,
} from './cutoverRun';
export type {
  ClusterProbeResult,
  CutoverRunCommand,
  CutoverRunCommandRequest,
  CutoverRunEventView,
  CutoverRunList,
  CutoverRunStatus,
  CutoverRunView,
  CutoverVerification,
  StagedCutoverRequest,
  StagedCutoverResponse,
} from './cutoverRun';
export { probeThresholdOverrides } from './probeThresholds';
export type { ProbeThresholdOverrides } from './probeThresholds';
export { externalDnsOwnerOf } from './externalDns';
export { failingInsights } from './insights';
export type {
  ClusterUpgradeInsights,
  DeprecatedApiClient,
  DeprecatedApiUsage,
  UpgradeInsight,
  UpgradeInsightStatus,
  UpgradeInsightsResponse,
} from './insights';
export {
  CUTOVER_TEMPLATE_REF,
  RETIRE_TEMPLATE_REF,
  UPGRADE_TEMPLATE_REF,
  generationRefOf,
  nextStep,
  rebuildVersion,
} from './nextStep';
export type { NextStep, NextStepAction } from './nextStep';
