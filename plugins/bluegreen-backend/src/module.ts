import {
  BackstageCredentials,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { scaffolderTemplatingExtensionPoint } from '@backstage/plugin-scaffolder-node/alpha';
import {
  createApplyAction,
  createCutoverAction,
  createDestroyOrderedAction,
  createLinkTfvarsAction,
  createSetClusterVersionAction,
  createSetWeightAction,
  createUpdateCatalogInfoAction,
  createValidateGenerationAction,
  createWaitClusterReadyAction,
} from './actions';
import { AwsClients, readAwsClientSettings } from './aws/AwsClients';
import { EksClusterVersions } from './aws/EksClusterVersions';
import { EksVersionCatalog } from './aws/EksVersionCatalog';
import { CutoverService } from './cutover/CutoverService';
import { KubernetesBackendWorkloads } from './kubernetes/EntityWorkloads';
import { Route53RouteWeightCheck } from './retire/RouteWeightCheck';
import { route53RecordsFactory } from './route53/route53RecordsFactory';
import { CutoverLeaseClient } from './cutover/CutoverLeaseClient';
import { CutoverRunsClient } from './cutover/CutoverRunsClient';
import { ActionGuard } from './security/ActionGuard';
import { GenerationGuard } from './security/GenerationGuard';
import { GenerationRepositories } from './security/GenerationRepositories';
import { Generations } from './security/Generations';
import { TrafficBindings } from './security/TrafficBindings';
import { TrafficTargets } from './security/TrafficTargets';
import { WorkspaceVerifier } from './security/WorkspaceVerifier';
import { ArgoCdApplicationTeardown } from './teardown/ApplicationTeardown';
import { KubernetesProxyClient } from './teardown/KubernetesProxyClient';
import { templateFilters } from './templating/templateFilters';

/**
 * Scaffolder module that registers the bluegreen:* actions.
 * @public
 */
export const bluegreenScaffolderModule = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'bluegreen',
  register(env) {
    env.registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        templating: scaffolderTemplatingExtensionPoint,
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        permissions: coreServices.permissions,
        auditor: coreServices.auditor,
        urlReader: coreServices.urlReader,
        logger: coreServices.logger,
        userInfo: coreServices.userInfo,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const { scaffolderActions, config, auth, discovery, catalog } = deps;
        deps.templating.addTemplateFilters(templateFilters);
        // Without an `aws` section the CLI gets no AWS credentials (rather than the
        // backend process's own through the SDK's default chain).
        const awsCredentialsManager = config.has('aws')
          ? DefaultAwsCredentialsManager.fromConfig(config)
          : undefined;
        const clusterApi = (
          clusterName: string,
          credentials: BackstageCredentials,
        ) =>
          new KubernetesProxyClient({
            auth,
            discovery,
            credentials,
            clusterName,
          });
        const applicationTeardown = new ArgoCdApplicationTeardown(clusterApi);
        // The SDK clients fall back to the default credential chain without `aws` config,
        // as every AWS SDK user expects (unlike the CLI's environment above).
        const aws = new AwsClients(
          readAwsClientSettings(config),
          awsCredentialsManager ??
            DefaultAwsCredentialsManager.fromConfig(config),
        );
        const bindings = TrafficBindings.fromConfig(config);
        const repositories = GenerationRepositories.fromConfig(config);
        const route53 = route53RecordsFactory(aws, config);
        const targets = new TrafficTargets({
          catalog,
          auth,
          bindings,
          repositories,
        });
        const eksVersions = new EksVersionCatalog(() => aws.eks());
        const clusterVersions = new EksClusterVersions(
          () => aws.eks(),
          eksVersions,
          deps.logger,
        );
        const cutover = new CutoverService({
          workloads: new KubernetesBackendWorkloads({ discovery, auth }),
          clusterVersions,
        });
        const runs = new CutoverRunsClient({ discovery, auth });
        const guard = new ActionGuard({
          permissions: deps.permissions,
          auditor: deps.auditor,
          runs,
        });
        const generationGuard = new GenerationGuard({
          guard,
          generations: new Generations({ catalog, repositories }),
          verifier: new WorkspaceVerifier(deps.urlReader),
          userInfo: deps.userInfo,
        });
        const routeWeightCheck = new Route53RouteWeightCheck({
          catalog,
          auth,
          targets,
          bindings,
          route53,
        });
        scaffolderActions.addActions(
          createLinkTfvarsAction(),
          createApplyAction({
            config,
            generationGuard,
            awsCredentialsManager,
            routeWeightCheck,
            eksVersions,
            clusterVersions,
          }),
          createSetClusterVersionAction({
            generationGuard,
            routeWeightCheck,
            eksVersions,
          }),
          createWaitClusterReadyAction({ catalog, clusterApi }),
          createUpdateCatalogInfoAction(),
          createDestroyOrderedAction({
            config,
            generationGuard,
            awsCredentialsManager,
            applicationTeardown,
            routeWeightCheck,
          }),
          createSetWeightAction({
            route53,
            catalog,
            guard,
            targets,
            bindings,
            cutover,
            logger: deps.logger,
            leases: new CutoverLeaseClient({ discovery, auth }),
            leaseSeconds:
              config.getOptionalNumber('bluegreen.cutover.leaseSeconds') ?? 60,
          }),
          createValidateGenerationAction({
            eksVersions,
          }),
          createCutoverAction({ guard, runs }),
        );
      },
    });
  },
});
