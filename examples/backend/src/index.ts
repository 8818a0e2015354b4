/*
 * Example Backstage backend for bluegreen: the catalog with the example entities, the
 * scaffolder, the Kubernetes backend, permissions with an example policy, guest sign-in
 * for local use, and the bluegreen backend (plugin and scaffolder actions in one line).
 */

import { createBackend } from '@backstage/backend-defaults';
import { examplePermissionPolicy } from './permissionPolicy';

const backend = createBackend();

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(examplePermissionPolicy);

backend.add(import('@backstage/plugin-scaffolder-backend'));
// publish:github:pull-request, used by the cutover template in GitOps mode.
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(import('@backstage/plugin-kubernetes-backend'));

backend.add(import('@bluegreen/plugin-bluegreen-backend'));

backend.start();
