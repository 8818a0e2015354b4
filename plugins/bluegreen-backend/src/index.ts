/**
 * The bluegreen backend: the /api/bluegreen plugin and the scaffolder module with the
 * bluegreen:* actions. The default export installs both:
 *
 * ```ts
 * backend.add(import('@bluegreen/plugin-bluegreen-backend'));
 * ```
 *
 * @packageDocumentation
 */

import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import { bluegreenScaffolderModule } from './module';
import { bluegreenPlugin } from './plugin';

export { bluegreenPlugin } from './plugin';
export { bluegreenScaffolderModule } from './module';

/**
 * Installs the bluegreen backend plugin together with its scaffolder module.
 * @public
 */
export default createBackendFeatureLoader({
  *loader() {
    yield bluegreenPlugin;
    yield bluegreenScaffolderModule;
  },
});
