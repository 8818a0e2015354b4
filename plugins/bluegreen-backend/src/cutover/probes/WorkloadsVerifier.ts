import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  CLUSTER_COLOURS,
  readinessCheck,
} from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { EntityWorkloads } from '../../kubernetes/EntityWorkloads';
import { TrafficTarget } from '../../security/TrafficTargets';
import { RunVerifier } from '../engine/CutoverEngine';

/**
 * During each hold, every cluster serving traffic at the run's weights must still run all
 * of the entity's deployments ready (the pre-flight's check, read again through the
 * Kubernetes backend): a crash-looping pod in the gaining cluster fails the step.
 */
export function workloadsVerifier(options: {
  targetOf(
    run: CutoverRunRecord,
  ): Promise<{ entity: Entity; target: TrafficTarget }>;
  workloads: EntityWorkloads;
  /** The engine acts for the run: the plugin's own credentials. */
  credentials(): Promise<BackstageCredentials>;
}): RunVerifier {
  return async run => {
    const { entity, target } = await options.targetOf(run);
    const workloads = await options.workloads.read(
      entity,
      target.clusters,
      await options.credentials(),
    );
    const failed = CLUSTER_COLOURS.filter(
      colour => run.state.weights[colour] > 0,
    )
      .map(colour =>
        readinessCheck(colour, target.clusters[colour], workloads[colour]),
      )
      .filter(check => check.ok !== true);
    return failed.length
      ? {
          ok: false,
          reason: failed.map(c => `${c.label}: ${c.detail}`).join('; '),
        }
      : { ok: true };
  };
}
