import type { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_PROBE_MAX_P95_MS,
  ANNOTATION_PROBE_MIN_SUCCESS_RATIO,
} from './annotations';

/**
 * A service's own probe thresholds, from its annotations. Only the pass marks: how many
 * requests a probe sends stays the backend's configuration, so an annotation cannot make
 * the backend send more.
 * @public
 */
export interface ProbeThresholdOverrides {
  minSuccessRatio?: number;
  maxP95Ms?: number;
}

/**
 * Reads the probe threshold annotations. A malformed one is an error naming the
 * annotation and its rule (the start of a run refuses it; a hold fails on it), never a
 * silent fallback to the defaults.
 * @public
 */
export function probeThresholdOverrides(
  entity: Entity,
): { overrides: ProbeThresholdOverrides } | { problem: string } {
  const annotations = entity.metadata.annotations ?? {};
  const overrides: ProbeThresholdOverrides = {};
  const ratio = annotations[ANNOTATION_PROBE_MIN_SUCCESS_RATIO];
  if (ratio !== undefined) {
    const value = Number(ratio);
    if (!/^\s*(0(\.\d+)?|1(\.0+)?)\s*$/.test(ratio) || !(value > 0)) {
      return {
        problem: `annotation ${ANNOTATION_PROBE_MIN_SUCCESS_RATIO} must be a number above 0 and at most 1 (e.g. 0.995), got ${JSON.stringify(
          ratio,
        )}`,
      };
    }
    overrides.minSuccessRatio = value;
  }
  const p95 = annotations[ANNOTATION_PROBE_MAX_P95_MS];
  if (p95 !== undefined) {
    const value = Number(p95);
    if (!/^\s*\d+\s*$/.test(p95) || value < 1 || value > 60_000) {
      return {
        problem: `annotation ${ANNOTATION_PROBE_MAX_P95_MS} must be a whole number of milliseconds from 1 to 60000, got ${JSON.stringify(
          p95,
        )}`,
      };
    }
    overrides.maxP95Ms = value;
  }
  return { overrides };
}
