import useAsync from 'react-use/esm/useAsync';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  catalogApiRef,
  getEntityRelations,
} from '@backstage/plugin-catalog-react';

/** The Components an entity is related to (hasPart of a System, ownerOf of a Group). */
export function useRelatedComponents(entity: Entity, relation: string) {
  const catalogApi = useApi(catalogApiRef);
  const entityRefs = getEntityRelations(entity, relation, {
    kind: 'component',
  }).map(ref => stringifyEntityRef(ref));
  const key = entityRefs.join(',');
  return useAsync(async () => {
    const { items } = await catalogApi.getEntitiesByRefs({ entityRefs });
    return items
      .filter((e): e is Entity => Boolean(e))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, key]);
}
