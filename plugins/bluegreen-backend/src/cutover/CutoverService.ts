import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  ANNOTATION_GENERATION_REPO,
  bluegreenCutoverForcePermission,
  ClusterVersionStatus,
  CutoverMode,
  failedChecks,
  PreflightCheck,
  PreflightInput,
  preflightChecks,
  Weights,
} from '@bluegreen/plugin-bluegreen-common';
import { EntityWorkloads } from '../kubernetes/EntityWorkloads';
import { recordGroupProblems } from '../route53/recordGroupProblems';
import { WeightedRecordGroup } from '../route53/Route53WeightedRecords';
import { TrafficTarget } from '../security/TrafficTargets';
import { clusterWeightsOf } from './recordGroupWeights';
import type { WeightWriteContext } from './WeightWriter';

/**
 * The rules of a cutover, the same for the cutover route (before it starts a task) and
 * for bluegreen:set-weight (before it writes): which mode may change the records, and the
 * pre-flight checks, which refuse unless forced.
 */
export class CutoverService {
  constructor(
    private readonly options: {
      workloads: EntityWorkloads;
      clusterVersions: {
        describe(name: string): Promise<ClusterVersionStatus>;
      };
    },
  ) {}

  /**
   * Refuses a mode that cannot work: route53 on records external-dns owns (it reverts a
   * direct change at its next sync) unless forced; gitops without a generation repository.
   */
  assertMode(
    mode: CutoverMode,
    target: TrafficTarget,
    owners: Record<string, string>,
    force: boolean,
  ): void {
    const owned = Object.entries(owners);
    if (mode === 'route53' && owned.length > 0 && !force) {
      throw new InputError(
        `mode: the records are owned by external-dns (${owned
          .map(([id, owner]) => `${id}: owner ${owner}`)
          .join(
            ', ',
          )}); it would revert a direct Route 53 change within about a minute (its next sync). Use mode gitops to change the weight at its source, or pause external-dns and set force`,
      );
    }
    if (mode === 'gitops' && !target.generationRepository) {
      throw new InputError(
        `mode: gitops needs the ${ANNOTATION_GENERATION_REPO} annotation on ${target.entityRef} (the generation's repository)`,
      );
    }
  }

  /** The pre-flight input of a record group just read (set-weight reads it anyway). */
  async inputOf(
    target: TrafficTarget,
    group: WeightedRecordGroup,
  ): Promise<PreflightInput> {
    const [blue, green] = await Promise.all([
      this.options.clusterVersions.describe(target.clusters.blue),
      this.options.clusterVersions.describe(target.clusters.green),
    ]);
    return {
      clusters: { blue, green },
      weights: clusterWeightsOf(group, target.clusters),
      problems: recordGroupProblems(group, target),
      recordCount: group.records.length,
    };
  }

  /**
   * The pre-flight checks of moving to `weights`, with the workloads read through the
   * Kubernetes backend on behalf of the user.
   */
  async preflight(request: {
    entity: Entity;
    target: TrafficTarget;
    input: PreflightInput;
    weights: Weights;
    credentials: BackstageCredentials;
  }): Promise<PreflightCheck[]> {
    const workloads = await this.options.workloads.read(
      request.entity,
      request.target.clusters,
      request.credentials,
    );
    return preflightChecks(request.input, workloads, request.weights);
  }

  /**
   * Refuses a cutover whose pre-flight failed, naming each check, unless `force` is set
   * (the caller has checked bluegreen.cutover.force then); forced, logs what it overrides.
   */
  requirePassed(
    checks: PreflightCheck[],
    force: boolean,
    log: WeightWriteContext['log'],
  ) {
    const failed = failedChecks(checks);
    if (failed.length === 0) {
      log.info(`Pre-flight passed: ${checks.map(c => c.label).join(', ')}`);
      return;
    }
    const reasons = failed
      .map(c => `${c.label}: ${c.ok === false ? '' : 'unknown, '}${c.detail}`)
      .join('; ');
    if (force) {
      log.warn(`Pre-flight failed, overridden by force: ${reasons}`);
      return;
    }
    throw new InputError(
      `weights: the pre-flight checks failed (${reasons}); fix them and retry, or set force (needs ${bluegreenCutoverForcePermission.name})`,
    );
  }
}
