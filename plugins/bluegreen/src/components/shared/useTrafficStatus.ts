import { useCallback, useEffect, useRef, useState } from 'react';
import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  isBlueGreenAvailable,
  TrafficStatus,
} from '@bluegreen/plugin-bluegreen-common';
import { blueGreenApiRef } from '../../api';

/** How often the views read the traffic status again. */
export const STATUS_REFRESH_MS = 15_000;

export interface TrafficStatusState {
  status?: TrafficStatus;
  error?: Error;
  loading: boolean;
  /** Reads again now; `fresh` skips the backend's short Route 53 cache. */
  reload: (fresh?: boolean) => Promise<void>;
}

/**
 * The entity's traffic status, read now and every `intervalMs`. The last good status is
 * kept while a later read fails, so a blip does not blank the view.
 */
export function useTrafficStatus(
  entity: Entity,
  intervalMs = STATUS_REFRESH_MS,
): TrafficStatusState {
  const api = useApi(blueGreenApiRef);
  const enabled = isBlueGreenAvailable(entity);
  const ref = getCompoundEntityRef(entity);
  const key = `${ref.kind}:${ref.namespace}/${ref.name}`;
  const mounted = useRef(true);
  const [state, setState] = useState<Omit<TrafficStatusState, 'reload'>>({
    loading: enabled,
  });

  const reload = useCallback(
    async (fresh = false) => {
      if (!enabled) {
        return;
      }
      try {
        const status = await api.getTrafficStatus(ref, { refresh: fresh });
        if (mounted.current) {
          setState({ status, loading: false });
        }
      } catch (error) {
        if (mounted.current) {
          setState(previous => ({
            status: previous.status,
            error: error as Error,
            loading: false,
          }));
        }
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key, enabled],
  );

  useEffect(() => {
    mounted.current = true;
    reload();
    const timer = setInterval(() => reload(), intervalMs);
    return () => {
      mounted.current = false;
      clearInterval(timer);
    };
  }, [reload, intervalMs]);

  return { ...state, reload };
}
