import {
  createComponentExtension,
  createPlugin,
} from '@backstage/core-plugin-api';

/** @public */
export const bluegreenPlugin = createPlugin({
  id: 'bluegreen',
});

/**
 * Entity card: the blue and green clusters of the entity and the hostname between them.
 * @public
 */
export const EntityBlueGreenCard = bluegreenPlugin.provide(
  createComponentExtension({
    name: 'EntityBlueGreenCard',
    component: {
      lazy: () =>
        import('./components/EntityBlueGreenCard').then(
          m => m.EntityBlueGreenCard,
        ),
    },
  }),
);
