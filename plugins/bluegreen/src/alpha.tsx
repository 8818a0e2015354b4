import { compatWrapper } from '@backstage/core-compat-api';
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  createFormField,
  FormFieldBlueprint,
} from '@backstage/plugin-scaffolder-react/alpha';
import { isBlueGreenAvailable } from '@bluegreen/plugin-bluegreen-common';
import { blueGreenApiRef, BlueGreenClient } from './api';
import { isBlueGreenSystem, isComponentOwner } from './lib/entityFilters';

/**
 * The bluegreen backend client (new frontend system).
 * @alpha
 */
export const blueGreenApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: blueGreenApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new BlueGreenClient(deps),
    }),
});

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
 * The blue/green tab of a generation's System page (new frontend system).
 * @alpha
 */
export const entityBlueGreenContent = EntityContentBlueprint.make({
  name: 'blue-green',
  params: {
    path: '/blue-green',
    title: 'Blue/green',
    filter: isBlueGreenSystem,
    loader: () =>
      import('./components/EntityBlueGreenContent').then(m =>
        compatWrapper(<m.EntityBlueGreenContent />),
      ),
  },
});

/**
 * The team's workloads card on the page of a Group that owns bluegreen components (new
 * frontend system).
 * @alpha
 */
export const entityTeamWorkloadsCard = EntityCardBlueprint.make({
  name: 'team-workloads',
  params: {
    filter: isComponentOwner,
    loader: () =>
      import('./components/EntityTeamWorkloadsCard').then(m =>
        compatWrapper(<m.EntityTeamWorkloadsCard />),
      ),
  },
});

/**
 * The scaffolder form field `EksVersionsPicker` (new frontend system).
 * @alpha
 */
export const eksVersionsPickerFormField = FormFieldBlueprint.make({
  name: 'eks-versions-picker',
  params: {
    field: () =>
      import('./components/EksVersionsPicker').then(m =>
        createFormField({
          name: 'EksVersionsPicker',
          component: m.EksVersionsPicker,
          validation: m.eksVersionsValidation,
        }),
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
  extensions: [
    blueGreenApi,
    entityBlueGreenCard,
    entityBlueGreenContent,
    entityTeamWorkloadsCard,
    eksVersionsPickerFormField,
  ],
});
