import type { Entity } from '@backstage/catalog-model';

/**
 * The DNS name whose Route 53 weighted records split traffic between the clusters.
 * @public
 */
export const ANNOTATION_HOSTNAME = 'bluegreen/hostname';

/**
 * On a kubernetes-cluster Resource of a generation: "true" until its stack is applied and
 * bluegreen:update-catalog-info writes its API server annotations.
 * @public
 */
export const ANNOTATION_CLUSTER_PENDING = 'bluegreen/cluster-pending';

/**
 * Name of the blue cluster (also its Route 53 set identifier).
 * @public
 */
export const ANNOTATION_BLUE_CLUSTER = 'bluegreen/blue-cluster';

/**
 * Name of the green cluster (also its Route 53 set identifier).
 * @public
 */
export const ANNOTATION_GREEN_CLUSTER = 'bluegreen/green-cluster';

/**
 * The Route 53 hosted zone holding the hostname's records, by id (Z...) or name. Without
 * it the backend uses the most specific public zone whose name ends the hostname.
 * @public
 */
export const ANNOTATION_HOSTED_ZONE = 'bluegreen/hosted-zone';

/**
 * The type of the weighted records (default A).
 * @public
 */
export const ANNOTATION_RECORD_TYPE = 'bluegreen/record-type';

/**
 * The generation's Terraform repository in the scaffolder's repoUrl form
 * (github.com?owner=o&repo=r), used by GitOps-mode cutovers.
 * @public
 */
export const ANNOTATION_GENERATION_REPO = 'bluegreen/generation-repo';

/**
 * The path a staged cutover's direct probe GETs from each cluster. Default `/`.
 * @public
 */
export const ANNOTATION_PROBE_PATH = 'bluegreen/probe-path';

/**
 * The share of a staged cutover's direct probes of a cluster that must succeed, 0 to 1
 * (e.g. `0.995`); overrides bluegreen.cutover.staged.probe.minSuccessRatio for this
 * service.
 * @public
 */
export const ANNOTATION_PROBE_MIN_SUCCESS_RATIO =
  'bluegreen/probe-min-success-ratio';

/**
 * The p95 latency a staged cutover's direct probes of a cluster may reach, in ms (e.g.
 * `500`); overrides bluegreen.cutover.staged.probe.maxP95Ms for this service.
 * @public
 */
export const ANNOTATION_PROBE_MAX_P95_MS = 'bluegreen/probe-max-p95-ms';

/** @public */
export const CLUSTER_COLOURS = ['blue', 'green'] as const;

/** @public */
export type ClusterColour = (typeof CLUSTER_COLOURS)[number];

/**
 * The bluegreen annotations of an entity, read in one place so that every view agrees.
 * @public
 */
export interface BlueGreenAnnotations {
  hostname?: string;
  hostedZone?: string;
  recordType: string;
  generationRepo?: string;
  probePath: string;
  clusters: Record<ClusterColour, string | undefined>;
}

/** @public */
export function getBlueGreenAnnotations(entity: Entity): BlueGreenAnnotations {
  const annotations = entity.metadata.annotations ?? {};
  return {
    hostname: annotations[ANNOTATION_HOSTNAME],
    hostedZone: annotations[ANNOTATION_HOSTED_ZONE],
    recordType: annotations[ANNOTATION_RECORD_TYPE] ?? 'A',
    generationRepo: annotations[ANNOTATION_GENERATION_REPO],
    probePath: annotations[ANNOTATION_PROBE_PATH] ?? '/',
    clusters: {
      blue: annotations[ANNOTATION_BLUE_CLUSTER],
      green: annotations[ANNOTATION_GREEN_CLUSTER],
    },
  };
}

/**
 * True when the entity names the hostname the bluegreen views are about.
 * @public
 */
export function isBlueGreenAvailable(entity: Entity): boolean {
  return Boolean(getBlueGreenAnnotations(entity).hostname);
}
