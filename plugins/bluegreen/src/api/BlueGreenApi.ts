import { createApiRef } from '@backstage/core-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  CutoverRequest,
  CutoverResponse,
  CutoverRunCommand,
  CutoverRunCommandRequest,
  CutoverRunList,
  CutoverRunView,
  EksVersionsResponse,
  StagedCutoverRequest,
  StagedCutoverResponse,
  TrafficStatus,
  UpgradeInsightsResponse,
} from '@bluegreen/plugin-bluegreen-common';

/**
 * The bluegreen backend's traffic API.
 * @public
 */
export interface BlueGreenApi {
  /** `refresh` skips the backend's short cache of Route 53 reads. */
  getTrafficStatus(
    entity: CompoundEntityRef,
    options?: { refresh?: boolean },
  ): Promise<TrafficStatus>;
  /**
   * The EKS upgrade insights of the entity's two clusters; a cluster whose insights
   * cannot be read says why in its own answer.
   */
  getInsights(entity: CompoundEntityRef): Promise<UpgradeInsightsResponse>;
  /** The Kubernetes versions EKS supports today, for a new generation. */
  getEksVersions(): Promise<EksVersionsResponse>;
  /** Starts a cutover task for the entity; the backend checks bluegreen.cutover. */
  cutover(
    entity: CompoundEntityRef,
    request: CutoverRequest,
  ): Promise<CutoverResponse>;
  /** Starts a staged run (Route 53 mode); the backend checks bluegreen.cutover. */
  startStagedCutover(
    entity: CompoundEntityRef,
    request: StagedCutoverRequest,
  ): Promise<StagedCutoverResponse>;
  /** The entity's runs, newest first. */
  listCutoverRuns(entity: CompoundEntityRef): Promise<CutoverRunList>;
  /**
   * A run with its events after `after`; with `waitMs`, answers as soon as there is a
   * new event or the run changed from `version` (or the wait is over).
   */
  getCutoverRun(
    runId: string,
    options?: {
      after?: number;
      version?: number;
      waitMs?: number;
      signal?: AbortSignal;
    },
  ): Promise<CutoverRunView>;
  /** Pause, resume or abort a run; the backend checks bluegreen.cutover. */
  commandCutoverRun(
    runId: string,
    command: CutoverRunCommand,
    request?: CutoverRunCommandRequest,
  ): Promise<CutoverRunView>;
}

/** @public */
export const blueGreenApiRef = createApiRef<BlueGreenApi>({
  id: 'plugin.bluegreen.api',
});
