import useAsync from 'react-use/esm/useAsync';
import { Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  catalogApiRef,
  getEntityRelations,
} from '@backstage/plugin-catalog-react';

/** The Components an entity is related to (hasPart of a System, ownerOf of a Group). */
export function useRelatedComponents(entity: Entity, relation: string) {
  const catalogApi = useApi(catalogApiRef);
  const refs = getEntityRelations(entity, relation, { kind: 'component' });
  const key = refs.map(r => `${r.namespace}/${r.name}`).join(',');
  return useAsync(async () => {
    const { items } = await catalogApi.getEntitiesByRefs({
      entityRefs: refs.map(
        r => `${r.kind.toLocaleLowerCase('en-US')}:${r.namespace}/${r.name}`,
      ),
    });
    return items
      .filter((e): e is Entity => Boolean(e))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, key]);
}
