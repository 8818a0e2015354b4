import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  describeEksSupport,
  EKS_VERSIONS,
  generationValuesSchema,
} from '@bluegreen/plugin-bluegreen-common';
import { z } from 'zod/v3';
import { EksVersionCatalog } from '../aws/EksVersionCatalog';
import { parseInput } from '../lib/parseInput';
import { examples } from './validateGeneration.examples';

// The declared schema (shown at /create/actions) accepts every version of the table; the
// handler checks against the versions EKS supports on the day.
const declaredSchema = generationValuesSchema(EKS_VERSIONS.map(v => v.version));

export interface ValidateGenerationActionOptions {
  eksVersions: EksVersionCatalog;
}

/**
 * bluegreen:validate-generation: checks every value of a new cluster generation before
 * anything is rendered, including that both Kubernetes versions are supported today.
 */
export function createValidateGenerationAction(
  options: ValidateGenerationActionOptions,
) {
  return createTemplateAction({
    id: 'bluegreen:validate-generation',
    description:
      'Validates the values of a new cluster generation (region, names, zone, versions EKS supports today with green not older than blue, weights never both 0, TTL, state bucket), naming each field that is wrong.',
    examples,
    supportsDryRun: true,
    schema: {
      input: () => declaredSchema,
      output: () =>
        z.object({
          supportedVersions: z
            .array(z.string())
            .describe('The Kubernetes versions EKS supports today'),
          versionSource: z
            .enum(['eks', 'versions-table'])
            .describe(
              'eks: from DescribeClusterVersions; versions-table: the table in bluegreen-common',
            ),
        }),
    },
    async handler(ctx) {
      const calendar = await options.eksVersions.supported();
      if (calendar.error) {
        ctx.logger.warn(
          `Using the versions table in bluegreen-common (${calendar.error})`,
        );
      }
      const supported = calendar.versions.map(v => v.version);
      const values = parseInput(
        generationValuesSchema(supported),
        ctx.input,
        'generation values',
      );
      for (const colour of ['blue', 'green'] as const) {
        const version = values.kubernetes_versions[colour];
        const support = calendar.versions.find(v => v.version === version)!;
        ctx.logger.info(
          `${colour}: Kubernetes ${version}, ${describeEksSupport(
            support.supportStatus,
            support,
          )} (${calendar.source})`,
        );
      }
      ctx.output('supportedVersions', supported);
      ctx.output('versionSource', calendar.source);
    },
  });
}
