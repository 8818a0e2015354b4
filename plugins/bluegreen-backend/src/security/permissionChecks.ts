import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  bluegreenCutoverForcePermission,
  bluegreenCutoverPermission,
} from '@bluegreen/plugin-bluegreen-common';

/** One permission on one entity that an action or a route needs. */
export interface PermissionCheck {
  permission: ResourcePermission<'catalog-entity'>;
  entityRef: string;
}

/** What a cutover of an entity needs: bluegreen.cutover, and .force when forced. */
export function cutoverChecks(
  entityRef: string,
  force: boolean | undefined,
): PermissionCheck[] {
  return [
    { permission: bluegreenCutoverPermission, entityRef },
    ...(force
      ? [{ permission: bluegreenCutoverForcePermission, entityRef }]
      : []),
  ];
}

/** The checks the permission framework does not allow for these credentials. */
export async function deniedChecks(
  permissions: PermissionsService,
  checks: PermissionCheck[],
  credentials: BackstageCredentials,
): Promise<PermissionCheck[]> {
  const decisions = await permissions.authorize(
    checks.map(c => ({ permission: c.permission, resourceRef: c.entityRef })),
    { credentials },
  );
  return checks.filter((_, i) => decisions[i].result !== AuthorizeResult.ALLOW);
}
