import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  createApplyAction,
  createDestroyOrderedAction,
  createLinkTfvarsAction,
  createSetWeightAction,
  createValidateGenerationAction,
} from './actions';
import { AwsClients, readAwsClientSettings } from './aws/AwsClients';
import { EksVersionCatalog } from './aws/EksVersionCatalog';
import { Route53WeightedRecords } from './route53/Route53WeightedRecords';
import { ArgoCdApplicationTeardown } from './teardown/ApplicationTeardown';
import { KubernetesProxyClient } from './teardown/KubernetesProxyClient';

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
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
      },
      async init({ scaffolderActions, config, auth, discovery }) {
        // Without an `aws` section the CLI gets no AWS credentials (rather than the
        // backend process's own through the SDK's default chain).
        const awsCredentialsManager = config.has('aws')
          ? DefaultAwsCredentialsManager.fromConfig(config)
          : undefined;
        const applicationTeardown = new ArgoCdApplicationTeardown(
          (clusterName, credentials) =>
            new KubernetesProxyClient({
              auth,
              discovery,
              credentials,
              clusterName,
            }),
        );
        // The SDK clients fall back to the default credential chain without `aws` config,
        // as every AWS SDK user expects (unlike the CLI's environment above).
        const aws = new AwsClients(
          readAwsClientSettings(config),
          awsCredentialsManager ??
            DefaultAwsCredentialsManager.fromConfig(config),
        );
        scaffolderActions.addActions(
          createLinkTfvarsAction(),
          createApplyAction({ config, awsCredentialsManager }),
          createDestroyOrderedAction({
            config,
            awsCredentialsManager,
            applicationTeardown,
          }),
          createSetWeightAction({
            route53: async () =>
              new Route53WeightedRecords(await aws.route53()),
          }),
          createValidateGenerationAction({
            eksVersions: new EksVersionCatalog(() => aws.eks()),
          }),
        );
      },
    });
  },
});
