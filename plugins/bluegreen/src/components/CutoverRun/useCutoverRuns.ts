import { useCallback, useEffect, useRef, useState } from 'react';
import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  CutoverRunView,
  isActiveRun,
} from '@bluegreen/plugin-bluegreen-common';
import { blueGreenApiRef } from '../../api';
import { STATUS_REFRESH_MS } from '../shared/useTrafficStatus';

/** A run as last read, and when (for the hold's countdown). */
export type FollowedRun = CutoverRunView & { receivedAt: number };

const lastEventId = (run: CutoverRunView) =>
  run.events.reduce((max, e) => Math.max(max, e.id), 0);

/**
 * The entity's staged cutover runs, newest first. The active one is followed through
 * the backend's long-poll, so each of its events (a step in effect, a failed check, a
 * pause) reaches the card at once; `onEvent` is told, to read the traffic again.
 */
export function useCutoverRuns(entity: Entity, onEvent: () => void) {
  const api = useApi(blueGreenApiRef);
  const ref = getCompoundEntityRef(entity);
  const key = `${ref.kind}:${ref.namespace}/${ref.name}`;
  const [runs, setRuns] = useState<FollowedRun[]>();
  const [error, setError] = useState<Error>();
  const notify = useRef(onEvent);
  notify.current = onEvent;

  const load = useCallback(async () => {
    try {
      const list = await api.listCutoverRuns(ref);
      const now = Date.now();
      setRuns(list.runs.map(run => ({ ...run, receivedAt: now })));
      setError(undefined);
    } catch (e) {
      setError(e as Error);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);

  useEffect(() => {
    load();
    const timer = setInterval(load, STATUS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const active = runs?.find(run => isActiveRun(run.status));
  const activeId = active?.id;
  const activeAfter = active ? lastEventId(active) : 0;
  const activeVersion = active?.version;
  useEffect(() => {
    if (!activeId) {
      return undefined;
    }
    const controller = new AbortController();
    let after = activeAfter;
    let version = activeVersion;
    (async () => {
      while (!controller.signal.aborted) {
        try {
          const run = await api.getCutoverRun(activeId, {
            after,
            version,
            waitMs: 20_000,
            signal: controller.signal,
          });
          after = Math.max(after, lastEventId(run));
          version = run.version;
          setRuns(previous =>
            previous?.map(r =>
              r.id === run.id
                ? {
                    ...run,
                    // By id: a list reload may already hold some of them.
                    events: [
                      ...r.events,
                      ...run.events.filter(
                        e => !r.events.some(known => known.id === e.id),
                      ),
                    ],
                    receivedAt: Date.now(),
                  }
                : r,
            ),
          );
          if (run.events.length > 0) {
            notify.current();
          }
          if (!isActiveRun(run.status)) {
            return;
          }
        } catch {
          if (controller.signal.aborted) {
            return;
          }
          // The backend restarted or the network blinked: try again shortly.
          await new Promise(resolve => setTimeout(resolve, 2000));
        }
      }
    })();
    return () => controller.abort();
    // Only a new active run starts a new follow; its own answers move `after` and `version`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, activeId]);

  return { runs, active, error, reload: load };
}
