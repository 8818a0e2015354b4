import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  createApplyAction,
  createDestroyOrderedAction,
  createLinkTfvarsAction,
} from './actions';

/**
 * Scaffolder module that registers the bluegreen:* actions.
 * @public
 */
export const bluegreenScaffolderModule = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'bluegreen',
  register(env) {
    env.registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ scaffolderActions, config }) {
        scaffolderActions.addActions(
          createLinkTfvarsAction(),
          createApplyAction({ config }),
          createDestroyOrderedAction({ config }),
        );
      },
    });
  },
});
