import { Entity, RELATION_OWNER_OF } from '@backstage/catalog-model';
import { getEntityRelations } from '@backstage/plugin-catalog-react';
import { getBlueGreenAnnotations } from '@bluegreen/plugin-bluegreen-common';

const isKind = (entity: Entity, kind: string) =>
  entity.kind.toLocaleLowerCase('en-US') === kind;

/**
 * True for a System that is a bluegreen generation: it names its clusters or its
 * hostname (the generation template writes all three). The System tab's filter: an
 * extension filter sees only the entity itself, so it reads the System's annotations
 * rather than its components'.
 * @public
 */
export function isBlueGreenSystem(entity: Entity): boolean {
  if (!isKind(entity, 'system')) {
    return false;
  }
  const { hostname, clusters } = getBlueGreenAnnotations(entity);
  return Boolean(hostname || clusters.blue || clusters.green);
}

/**
 * True for a Group that owns at least one Component. The team card's filter; the card
 * itself then renders nothing unless one of those components has bluegreen/hostname.
 * @public
 */
export function isComponentOwner(entity: Entity): boolean {
  return (
    isKind(entity, 'group') &&
    getEntityRelations(entity, RELATION_OWNER_OF, { kind: 'component' })
      .length > 0
  );
}
