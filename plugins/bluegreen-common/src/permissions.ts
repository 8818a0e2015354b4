import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

// Every bluegreen permission is a resource permission on catalog entities, so policies
// can use the catalog's rules (IS_ENTITY_OWNER, HAS_ANNOTATION, ...).

/**
 * Moving production traffic of an entity between its clusters (the cutover route and
 * bluegreen:set-weight).
 * @public
 */
export const bluegreenCutoverPermission = createPermission({
  name: 'bluegreen.cutover',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Overriding a safety check of a cutover: changing records external-dns owns, or going
 * ahead although a pre-flight check failed. Checked in addition to bluegreen.cutover.
 * @public
 */
export const bluegreenCutoverForcePermission = createPermission({
  name: 'bluegreen.cutover.force',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Running Terraform apply on a cluster generation (the System entity): bluegreen:apply.
 * @public
 */
export const bluegreenApplyPermission = createPermission({
  name: 'bluegreen.apply',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Destroying a cluster or the environment of a generation (the System entity):
 * bluegreen:destroy-ordered.
 * @public
 */
export const bluegreenRetirePermission = createPermission({
  name: 'bluegreen.retire',
  attributes: { action: 'delete' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Every permission of the bluegreen plugins.
 * @public
 */
export const bluegreenPermissions = [
  bluegreenCutoverPermission,
  bluegreenCutoverForcePermission,
  bluegreenApplyPermission,
  bluegreenRetirePermission,
];
