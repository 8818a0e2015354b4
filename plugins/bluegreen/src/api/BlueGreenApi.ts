import { createApiRef } from '@backstage/core-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  CutoverRequest,
  CutoverResponse,
  EksVersionsResponse,
  TrafficStatus,
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
  /** The Kubernetes versions EKS supports today, for a new generation. */
  getEksVersions(): Promise<EksVersionsResponse>;
  /** Starts a cutover task for the entity; the backend checks bluegreen.cutover. */
  cutover(
    entity: CompoundEntityRef,
    request: CutoverRequest,
  ): Promise<CutoverResponse>;
}

/** @public */
export const blueGreenApiRef = createApiRef<BlueGreenApi>({
  id: 'plugin.bluegreen.api',
});
