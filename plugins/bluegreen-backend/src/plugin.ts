import { Config } from '@backstage/config';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderServiceRef } from '@backstage/plugin-scaffolder-node';
import { bluegreenPermissions } from '@bluegreen/plugin-bluegreen-common';
import { AwsClients, readAwsClientSettings } from './aws/AwsClients';
import { EksClusterVersions } from './aws/EksClusterVersions';
import { EksInsights } from './aws/EksInsights';
import { EksVersionCatalog } from './aws/EksVersionCatalog';
import { CutoverService } from './cutover/CutoverService';
import { KubernetesBackendWorkloads } from './kubernetes/EntityWorkloads';
import { route53RecordsFactory } from './route53/route53RecordsFactory';
import { GenerationRepositories } from './security/GenerationRepositories';
import { TrafficBindings } from './security/TrafficBindings';
import { TrafficTargets } from './security/TrafficTargets';
import { RefreshLimiter } from './service/RefreshLimiter';
import { DatabaseLeaseStore } from './database/DatabaseLeaseStore';
import { createRouter } from './service/router';
import { TrafficStatusService } from './service/TrafficStatusService';
import { UpgradeInsightsService } from './service/UpgradeInsightsService';
import { SharedReads } from './service/SharedReads';
import { createStagedCutovers } from './cutover/engine/createStagedCutovers';
import { readStagedCutoverSettings } from './cutover/engine/stagedCutoverSettings';

const DEFAULT_CUTOVER_TEMPLATE = 'template:default/cut-over-traffic';

/** Whether backend.cache is a store the replicas share (anything but memory). */
function sharedCache(config: Config): boolean {
  return (
    (config.getOptionalString('backend.cache.store') ?? 'memory') !== 'memory'
  );
}

/**
 * The bluegreen backend plugin: serves /api/bluegreen (traffic status and cutover).
 * @public
 */
export const bluegreenPlugin = createBackendPlugin({
  pluginId: 'bluegreen',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        cache: coreServices.cache,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        database: coreServices.database,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.rootLifecycle,
        catalog: catalogServiceRef,
        scaffolder: scaffolderServiceRef,
      },
      async init(deps) {
        const { config } = deps;
        deps.permissionsRegistry.addPermissions(bluegreenPermissions);
        const aws = new AwsClients(
          readAwsClientSettings(config),
          DefaultAwsCredentialsManager.fromConfig(config),
        );
        const seconds = (key: string, fallback: number) => {
          const value = config.getOptionalNumber(key) ?? fallback;
          if (!(value > 0)) {
            throw new Error(`${key} must be a positive number, got ${value}`);
          }
          return value;
        };
        const cacheSeconds = seconds('bluegreen.traffic.cacheSeconds', 10);
        const refreshSeconds = seconds(
          'bluegreen.traffic.refreshIntervalSeconds',
          5,
        );
        const bindings = TrafficBindings.fromConfig(config);
        const targets = new TrafficTargets({
          catalog: deps.catalog,
          auth: deps.auth,
          bindings,
          repositories: GenerationRepositories.fromConfig(config),
        });
        const eksVersions = new EksVersionCatalog(() => aws.eks());
        const clusterVersions = new EksClusterVersions(
          () => aws.eks(),
          eksVersions,
          deps.logger,
        );
        const leases = await DatabaseLeaseStore.create({
          database: deps.database,
        });
        const reads = new SharedReads({
          cache: deps.cache,
          // Without a shared cache a waiting replica never sees another's value: each
          // replica then reads for itself (coalescing within the process only).
          leases: sharedCache(config) ? leases : undefined,
        });
        // Writes resolve zones in this process: a zone id from the shared cache could
        // otherwise steer a change batch. Status reads share the look-up.
        const route53 = route53RecordsFactory(aws, config);
        const traffic = new TrafficStatusService({
          route53: route53RecordsFactory(aws, config, reads),
          targets,
          bindings,
          clusterVersions,
          cache: deps.cache,
          reads,
          cacheTtlMs: cacheSeconds * 1000,
        });
        const workloads = new KubernetesBackendWorkloads({
          discovery: deps.discovery,
          auth: deps.auth,
        });
        const cutover = new CutoverService({ workloads, clusterVersions });
        const staged = readStagedCutoverSettings(config);
        const cutoverTemplateRef =
          config.getOptionalString('bluegreen.cutover.templateRef') ??
          DEFAULT_CUTOVER_TEMPLATE;
        const { runs, driver } = await createStagedCutovers({
          settings: staged,
          database: deps.database,
          leases,
          route53,
          cloudWatch: () => aws.cloudWatch(),
          bindings,
          targets,
          cutover,
          workloads,
          // A run starts from what Route 53 holds now, never from the status cache.
          status: entity => traffic.status(entity, true),
          forgetStatus: target => traffic.forget(target),
          catalog: deps.catalog,
          auth: deps.auth,
          discovery: deps.discovery,
          scaffolder: deps.scaffolder,
          cutoverTemplateRef,
          permissions: deps.permissions,
          auditor: deps.auditor,
          logger: deps.logger,
        });
        // Every replica ticks the runs; their compare-and-swap keeps a step from being
        // applied twice, and a replica that dies leaves its runs to the others.
        await deps.scheduler.scheduleTask({
          id: 'bluegreen-cutover-runs',
          frequency: { milliseconds: staged.probeIntervalMs },
          timeout: { minutes: 15 },
          scope: 'local',
          fn: () => driver.tick(),
        });
        deps.lifecycle.addShutdownHook(() => driver.stop());
        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            catalog: deps.catalog,
            permissions: deps.permissions,
            auditor: deps.auditor,
            scaffolder: deps.scaffolder,
            traffic,
            insights: new UpgradeInsightsService({
              insights: new EksInsights(() => aws.eks(), deps.logger),
              targets,
              reads,
            }),
            targets,
            cutover,
            runs,
            refreshLimiter: new RefreshLimiter(leases, refreshSeconds * 1000),
            eksVersions,
            logger: deps.logger,
            leases,
            cutoverTemplateRef,
          }),
        );
      },
    });
  },
});
