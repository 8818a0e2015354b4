/**
 * bluegreen frontend plugin: views of blue/green Amazon EKS cluster generations.
 *
 * This entry point is for the legacy frontend system; the new frontend system's plugin
 * is the default export of `@bluegreen/plugin-bluegreen/alpha`.
 *
 * @packageDocumentation
 */

export {
  bluegreenPlugin,
  EntityBlueGreenCard,
  EntityBlueGreenContent,
  EntityTeamWorkloadsCard,
  EksVersionsPickerFieldExtension,
  rootRouteRef,
} from './plugin';
export type {
  EksVersions,
  EksVersionsPickerUiOptions,
  EksVersionsPickerValue,
} from './components/EksVersionsPicker';
export { blueGreenApiRef, BlueGreenClient } from './api';
export type { BlueGreenApi } from './api';
export { isBlueGreenAvailable } from '@bluegreen/plugin-bluegreen-common';
export { isBlueGreenSystem, isComponentOwner } from './lib/entityFilters';
