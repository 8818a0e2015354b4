import { compatWrapper } from '@backstage/core-compat-api';
import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isBlueGreenAvailable } from '@bluegreen/plugin-bluegreen-common';

/**
 * The blue/green card on entity pages (new frontend system).
 * @alpha
 */
export const entityBlueGreenCard = EntityCardBlueprint.make({
  name: 'blue-green',
  params: {
    filter: isBlueGreenAvailable,
    loader: () =>
      import('./components/EntityBlueGreenCard').then(m =>
        compatWrapper(<m.EntityBlueGreenCard />),
      ),
  },
});

/**
 * The bluegreen plugin for the new frontend system.
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'bluegreen',
  title: 'Blue/green',
  extensions: [entityBlueGreenCard],
});
