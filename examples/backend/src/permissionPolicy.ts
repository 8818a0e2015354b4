import {
  coreServices,
  createBackendModule,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  bluegreenApplyPermission,
  bluegreenCutoverForcePermission,
  bluegreenCutoverPermission,
  bluegreenRetirePermission,
} from '@bluegreen/plugin-bluegreen-common';

const PLATFORM_ADMINS = 'group:default/platform-admins';

/**
 * Example policy: everyone may read and run templates; only an entity's owners may
 * delete it from the catalog, cut its traffic over, apply or retire its generation; only
 * members of platform-admins may force a cutover. Replace it with your organisation's
 * policy.
 */
export class ExamplePermissionPolicy implements PermissionPolicy {
  constructor(private readonly userInfo: UserInfoService) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const claims = async () =>
      user
        ? (await this.userInfo.getUserInfo(user.credentials))
            .ownershipEntityRefs
        : [];
    if (isPermission(request.permission, bluegreenCutoverForcePermission)) {
      return {
        result: (await claims()).includes(PLATFORM_ADMINS)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      };
    }
    if (
      isPermission(request.permission, catalogEntityDeletePermission) ||
      isPermission(request.permission, bluegreenCutoverPermission) ||
      isPermission(request.permission, bluegreenApplyPermission) ||
      isPermission(request.permission, bluegreenRetirePermission)
    ) {
      return createCatalogConditionalDecision(
        request.permission,
        catalogConditions.isEntityOwner({ claims: await claims() }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

export const examplePermissionPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'example-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, userInfo: coreServices.userInfo },
      async init({ policy, userInfo }) {
        policy.setPolicy(new ExamplePermissionPolicy(userInfo));
      },
    });
  },
});
