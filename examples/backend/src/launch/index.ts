/*
 * Launchers of the example app as users start it, for the smoke test, the browser tests
 * (also of an app create-app made) and the benchmarks. Not part of the backend: src/index.ts does not import them.
 */
export {
  awaitBackend,
  freePort,
  startExampleBackend,
} from './startExampleBackend';
export { startProcessGroup } from './packageProcess';
export type { PackageProcess } from './packageProcess';
export type {
  ExampleBackend,
  ExampleBackendOptions,
} from './startExampleBackend';
export { startExampleApp } from './startExampleApp';
export type { ExampleApp, ExampleAppOptions } from './startExampleApp';
export { kubernetesClustersEnv } from './kubernetesEnv';
