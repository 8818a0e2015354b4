import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createRouter } from './service/router';

/**
 * The bluegreen backend plugin: serves /api/bluegreen.
 * @public
 */
export const bluegreenPlugin = createBackendPlugin({
  pluginId: 'bluegreen',
  register(env) {
    env.registerInit({
      deps: {
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
      },
      async init({ httpAuth, httpRouter }) {
        httpRouter.use(await createRouter({ httpAuth }));
      },
    });
  },
});
