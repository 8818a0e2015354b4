import useAsync from 'react-use/esm/useAsync';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { UpgradeInsightsResponse } from '@bluegreen/plugin-bluegreen-common';
import { blueGreenApiRef } from '../../api';

/** The state of an entity's upgrade insights; nothing is read without an entity. */
export interface UpgradeInsightsState {
  value?: UpgradeInsightsResponse;
  /** The whole read failed (the route, not one cluster). */
  error?: Error;
  loading: boolean;
}

/**
 * The upgrade insights of an entity's clusters, read once: EKS refreshes them about daily
 * and the backend caches them for minutes, so polling would show nothing new.
 */
export function useUpgradeInsights(
  entity: CompoundEntityRef | undefined,
): UpgradeInsightsState {
  const api = useApi(blueGreenApiRef);
  const key = entity && `${entity.kind}:${entity.namespace}/${entity.name}`;
  const { value, error, loading } = useAsync(
    async () => (entity ? api.getInsights(entity) : undefined),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key],
  );
  return { value, error, loading };
}
