import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Moving production traffic of an entity between its clusters. A resource permission on
 * catalog entities, so that policies can use the catalog's rules (IS_ENTITY_OWNER).
 * @public
 */
export const bluegreenCutoverPermission = createPermission({
  name: 'bluegreen.cutover',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Every permission of the bluegreen plugins.
 * @public
 */
export const bluegreenPermissions = [bluegreenCutoverPermission];
