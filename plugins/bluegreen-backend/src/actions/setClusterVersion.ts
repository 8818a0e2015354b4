import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  bluegreenApplyPermission,
  CLUSTER_COLOURS,
  CLUSTER_STACKS,
  clusterName,
  describeEksSupport,
  KUBERNETES_VERSION_FILE,
} from '@bluegreen/plugin-bluegreen-common';
import { z } from 'zod/v3';
import { EksVersionCatalog } from '../aws/EksVersionCatalog';
import {
  readEnvironmentName,
  readStackKubernetesVersion,
  writeStackKubernetesVersion,
} from '../lib/generationFiles';
import { parseInput } from '../lib/parseInput';
import { assertClusterIdle } from '../retire/assertClusterIdle';
import { assertRebuildVersion } from '../retire/assertRebuildVersion';
import { REBUILDING, RouteWeightCheck } from '../retire/RouteWeightCheck';
import { GenerationGuard } from '../security/GenerationGuard';
import { examples } from './setClusterVersion.examples';

const inputSchema = z
  .object({
    generation: z
      .string()
      .min(1, 'must not be empty')
      .describe(
        "The generation's System entity; the initiator needs bluegreen.apply on it, and the workspace must hold its repository",
      ),
    colour: z
      .enum(CLUSTER_COLOURS, {
        errorMap: () => ({ message: 'must be blue or green' }),
      })
      .describe(
        'The cluster to rebuild: it must carry no traffic (weight 0 in its weight file and in Route 53)',
      ),
    kubernetesVersion: z
      .string()
      .regex(/^\d+\.\d+$/, 'must be a Kubernetes minor version such as 1.35')
      .describe(
        "A version EKS supports today, newer than the serving cluster's",
      ),
  })
  .strict();

const outputSchema = z.object({
  stack: z.string().describe('The cluster stack whose version line changed'),
  previousVersion: z.string().describe('The version line before'),
  kubernetesVersion: z.string().describe('The version line now'),
  servingVersion: z
    .string()
    .describe("The serving cluster's version (the other colour)"),
});

export interface SetClusterVersionActionOptions {
  generationGuard: GenerationGuard;
  routeWeightCheck: RouteWeightCheck;
  eksVersions: EksVersionCatalog;
}

/**
 * Creates `bluegreen:set-cluster-version`: the first step of "Upgrade the idle cluster".
 * It rewrites the machine-owned kubernetes_version line of an idle cluster stack, after
 * checking that the cluster carries no traffic and that the version is one EKS supports
 * and newer than the serving cluster's.
 * @public
 */
export function createSetClusterVersionAction(
  options: SetClusterVersionActionOptions,
) {
  return createTemplateAction({
    id: 'bluegreen:set-cluster-version',
    description:
      "Sets the Kubernetes version of a generation's idle cluster stack (the machine-owned kubernetes_version line of eks-<colour>/main.tf) for bluegreen:apply to rebuild it. Refuses while the cluster has traffic (its weight file or Route 53) and a version EKS does not support or that is not newer than the serving cluster's. Needs bluegreen.apply on the generation.",
    examples,
    supportsDryRun: true,
    schema: {
      input: () => inputSchema,
      output: () => outputSchema,
    },
    async handler(ctx) {
      const input = parseInput(
        inputSchema,
        ctx.input,
        'input to bluegreen:set-cluster-version',
      );
      const { colour, kubernetesVersion } = input;
      const stack = CLUSTER_STACKS[colour];
      const serving = colour === 'blue' ? 'green' : 'blue';
      const log = (line: string) => ctx.logger.info(`[${stack}] ${line}`);
      await options.generationGuard.run(
        ctx,
        {
          action: 'bluegreen:set-cluster-version',
          permission: bluegreenApplyPermission,
          generation: input.generation,
          meta: { colour, kubernetesVersion },
          weightFiles: 'must-match',
        },
        async generation => {
          const environmentName = await readEnvironmentName(ctx.workspacePath);
          await assertClusterIdle({
            workspacePath: ctx.workspacePath,
            stack,
            clusterName: clusterName(environmentName, colour),
            generation: generation.entity,
            routeWeightCheck: options.routeWeightCheck,
            purpose: REBUILDING,
            log: {
              info: log,
              warn: line => ctx.logger.warn(`[${stack}] ${line}`),
            },
          });
          const [current, servingVersion] = await Promise.all(
            [stack, CLUSTER_STACKS[serving]].map(async s => {
              const found = await readStackKubernetesVersion(
                ctx.workspacePath,
                s,
              );
              if ('problem' in found) {
                throw new InputError(`colour: ${found.problem}`);
              }
              return found.version;
            }),
          );
          const support = await assertRebuildVersion({
            field: 'kubernetesVersion',
            to: kubernetesVersion,
            from: current,
            serving: { colour: serving, version: servingVersion },
            eksVersions: options.eksVersions,
          });
          await writeStackKubernetesVersion(
            ctx.workspacePath,
            stack,
            kubernetesVersion,
          );
          log(
            `kubernetes_version ${current} → ${kubernetesVersion} in ${stack}/${KUBERNETES_VERSION_FILE} (${describeEksSupport(
              support.supportStatus,
              support,
            )}; ${serving} serves on ${servingVersion})`,
          );
          ctx.output('stack', stack);
          ctx.output('previousVersion', current);
          ctx.output('kubernetesVersion', kubernetesVersion);
          ctx.output('servingVersion', servingVersion);
        },
      );
    },
  });
}
