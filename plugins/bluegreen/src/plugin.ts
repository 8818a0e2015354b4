import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { blueGreenApiRef, BlueGreenClient } from './api';
import {
  EksVersionsPicker,
  eksVersionsValidation,
} from './components/EksVersionsPicker';

/** @public */
export const rootRouteRef = createRouteRef({ id: 'bluegreen' });

/** @public */
export const bluegreenPlugin = createPlugin({
  id: 'bluegreen',
  apis: [
    createApiFactory({
      api: blueGreenApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new BlueGreenClient(deps),
    }),
  ],
  routes: { root: rootRouteRef },
});

/**
 * Entity card: the blue and green clusters of the entity, their versions, traffic
 * shares and workloads, and the cutover.
 * @public
 */
export const EntityBlueGreenCard: () => JSX.Element = bluegreenPlugin.provide(
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

/**
 * Entity tab for a System: its traffic split and every component on both clusters.
 * @public
 */
export const EntityBlueGreenContent: () => JSX.Element =
  bluegreenPlugin.provide(
    createRoutableExtension({
      name: 'EntityBlueGreenContent',
      component: () =>
        import('./components/EntityBlueGreenContent').then(
          m => m.EntityBlueGreenContent,
        ),
      mountPoint: rootRouteRef,
    }),
  );

/**
 * Entity card for a Group: each component the team owns, where it runs, whether it is
 * ready, and its traffic split. It renders nothing unless the team owns a component
 * with bluegreen/hostname.
 * @public
 */
export const EntityTeamWorkloadsCard: () => JSX.Element | null =
  bluegreenPlugin.provide(
    createComponentExtension({
      name: 'EntityTeamWorkloadsCard',
      component: {
        lazy: () =>
          import('./components/EntityTeamWorkloadsCard').then(
            m => m.EntityTeamWorkloadsCard,
          ),
      },
    }),
  );

/**
 * Scaffolder field extension `EksVersionsPicker`: the blue and green clusters' Kubernetes
 * versions of a new generation, from the versions EKS supports today; green must not be
 * older than blue. Used by the "Create new cluster generation" template.
 * @public
 */
export const EksVersionsPickerFieldExtension = bluegreenPlugin.provide(
  createScaffolderFieldExtension({
    name: 'EksVersionsPicker',
    component: EksVersionsPicker,
    validation: eksVersionsValidation,
  }),
);
