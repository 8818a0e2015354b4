/*
 * Launchers of the example app as users start it, for the smoke test, the browser test
 * and the benchmarks. Not part of the backend: src/index.ts does not import them.
 */
export { freePort, startExampleBackend } from './startExampleBackend';
export type {
  ExampleBackend,
  ExampleBackendOptions,
} from './startExampleBackend';
export { startExampleApp } from './startExampleApp';
export type { ExampleApp, ExampleAppOptions } from './startExampleApp';
export { kubernetesClustersEnv } from './kubernetesEnv';
