import type { Entity } from '@backstage/catalog-model';

/**
 * The DNS name whose Route 53 weighted records split traffic between the clusters.
 * @public
 */
export const ANNOTATION_HOSTNAME = 'bluegreen/hostname';

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
  clusters: Record<ClusterColour, string | undefined>;
}

/** @public */
export function getBlueGreenAnnotations(entity: Entity): BlueGreenAnnotations {
  const annotations = entity.metadata.annotations ?? {};
  return {
    hostname: annotations[ANNOTATION_HOSTNAME],
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
