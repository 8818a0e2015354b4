import fs from 'node:fs';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  bluegreenRetirePermission,
  CLUSTER_DESTROY_ORDER,
  CLUSTER_STACKS,
  clusterName,
  EKS_MODULE_ADDRESS,
  generationStackSchema,
  stackColour,
} from '@bluegreen/plugin-bluegreen-common';
import { z } from 'zod/v3';
import { readEnvironmentName } from '../lib/generationFiles';
import { assertClusterIdle } from '../retire/assertClusterIdle';
import { parseInput } from '../lib/parseInput';
import { resolveStackDirectory } from '../lib/resolveStackDirectory';
import { GenerationGuard } from '../security/GenerationGuard';
import { cliInputFields } from '../terraform/cliInputFields';
import {
  cancelledError,
  describeFailure,
  runJson,
  runTextChecked,
} from '../terraform/commands';
import {
  createRunner,
  readTerraformSettings,
  RunnerFactory,
} from '../terraform/createRunner';
import { ApplicationTeardown } from '../teardown/ApplicationTeardown';
import { RouteWeightCheck } from '../retire/RouteWeightCheck';
import { examples } from './destroyOrdered.examples';

const inputSchema = z
  .object({
    generation: z
      .string()
      .min(1, 'must not be empty')
      .describe(
        "The generation's System entity (system:default/eks-blueprint); the initiator needs bluegreen.retire on it, and the workspace must hold its repository",
      ),
    stack: generationStackSchema.describe(
      'The stack to destroy: eks-blue, eks-green, or environment (only when both cluster stacks are gone)',
    ),
    skipApplicationTeardown: z
      .boolean()
      .optional()
      .describe(
        'Skip deleting the Argo CD ApplicationSets and workload Applications (and waiting for the ingresses to go) before destroying a cluster; for a cluster that is unreachable already',
      ),
    offline: z
      .boolean()
      .optional()
      .describe(
        "Retire a cluster even when Route 53 cannot be read to tell that it gets none of the generation's traffic (a warning is logged); only when Route 53 is unreachable and you know the cluster gets no traffic. A readable record that still sends traffic to it refuses regardless",
      ),
    confirmation: z
      .string()
      .describe(
        'Must equal the cluster name of the stack (for example eks-blueprint-green), or the environment name for environment',
      ),
    ...cliInputFields,
  })
  .strict();

const outputSchema = z.object({
  destroyed: z
    .array(z.string())
    .describe(
      'The targets destroyed, in order; the last entry "(all)" is the final full destroy',
    ),
});

export interface DestroyOrderedActionOptions {
  config: Config;
  /** Authorises the initiator on the generation and checks the workspace. */
  generationGuard: GenerationGuard;
  /**
   * Tells that Route 53 sends none of the generation's hostnames to a cluster before it
   * is retired (the weight file alone does not: a route53-mode cutover never writes it).
   */
  routeWeightCheck: RouteWeightCheck;
  /**
   * Removes the cluster's workloads before its infrastructure (so that the load balancer
   * controller and external-dns still run to free the ALBs and DNS records). Without it,
   * no application teardown happens.
   */
  applicationTeardown?: ApplicationTeardown;
  /** AWS credentials for the CLI; without it the CLI gets none. */
  awsCredentialsManager?: AwsCredentialsManager;
  /** Replaces the CLI (tests); by default one is built from config and input. */
  runnerFactory?: RunnerFactory;
  /** How often to report resources still in progress. Default 30 s. */
  heartbeatMs?: number;
}

const INIT_ARGS = ['init', '-input=false', '-no-color'];
const DESTROY_ARGS = ['destroy', '-auto-approve', '-input=false', '-json'];

/** Whether any state address lies in the module at `target`. */
function inModule(addresses: string[], target: string) {
  return addresses.some(
    address =>
      address === target ||
      address.startsWith(`${target}.`) ||
      address.startsWith(`${target}[`),
  );
}

/**
 * Creates `bluegreen:destroy-ordered`: destroys one stack of a generation in the order of
 * the seed's teardown, as far as the stack's real state holds those modules, then the
 * rest; stops at the first failure. Refuses a cluster that still has traffic (by its
 * weight file and in Route 53) and the environment while a cluster stack has resources.
 * @public
 */
export function createDestroyOrderedAction(
  options: DestroyOrderedActionOptions,
) {
  const settings = readTerraformSettings(options.config);
  const heartbeatMs = options.heartbeatMs ?? 30_000;

  return createTemplateAction({
    id: 'bluegreen:destroy-ordered',
    description:
      'Destroys one stack of a cluster generation in dependency-safe order derived from its state, stopping at the first failure. Refuses a cluster stack whose weight file is above 0 or to which Route 53 still sends any of the hostnames of the generation, and the environment while a cluster stack still has resources.',
    examples,
    // A dry run authorises and lists the commands; it runs none.
    supportsDryRun: true,
    schema: {
      input: () => inputSchema,
      output: () => outputSchema,
    },
    async handler(ctx) {
      const input = parseInput(
        inputSchema,
        ctx.input,
        'input to bluegreen:destroy-ordered',
      );
      const { stack, confirmation } = input;
      await options.generationGuard.run(
        ctx,
        {
          action: 'bluegreen:destroy-ordered',
          permission: bluegreenRetirePermission,
          generation: input.generation,
          meta: { stack },
          weightFiles: 'must-match',
        },
        async (generation, runDirectory) => {
          const environmentName = await readEnvironmentName(ctx.workspacePath);
          const colour = stackColour(stack);
          const expected = colour
            ? clusterName(environmentName, colour)
            : environmentName;
          if (confirmation !== expected) {
            throw new InputError(
              `confirmation: type "${expected}" to confirm destroying ${stack}`,
            );
          }
          const stackDir = await resolveStackDirectory(
            ctx.workspacePath,
            stack,
            'stack',
          );
          const log = (line: string) => ctx.logger.info(`[${stack}] ${line}`);
          if (colour) {
            // Checked before any CLI runs: retiring a cluster that still serves traffic
            // would send that share of users to a dead endpoint.
            await assertClusterIdle({
              workspacePath: ctx.workspacePath,
              stack,
              clusterName: expected,
              generation: generation.entity,
              routeWeightCheck: options.routeWeightCheck,
              offline: input.offline,
              log: {
                info: log,
                warn: line => ctx.logger.warn(`[${stack}] ${line}`),
              },
            });
          }

          const runner = createRunner({
            settings,
            requested: input.binary,
            runDirectory,
            awsCredentialsManager: options.awsCredentialsManager,
            awsAccountId: generation.repository.awsAccountId,
            runnerFactory: options.runnerFactory,
          });
          if (ctx.isDryRun) {
            const dirs = colour
              ? [stack]
              : [
                  ...Object.values(CLUSTER_STACKS).filter(clusterStack =>
                    fs.existsSync(
                      resolveSafeChildPath(ctx.workspacePath, clusterStack),
                    ),
                  ),
                  stack,
                ];
            for (const dir of dirs) {
              log(
                `Dry run: would run in ${dir}: ${
                  runner.binary
                } ${INIT_ARGS.join(' ')}`,
              );
              log(`Dry run: would run in ${dir}: ${runner.binary} state list`);
            }
            const destroy = `Dry run: would run in ${stack}: ${
              runner.binary
            } ${DESTROY_ARGS.join(' ')}`;
            log(
              colour
                ? `${destroy} with -target= each of ${CLUSTER_DESTROY_ORDER.join(
                    ', ',
                  )} that the state holds, in that order, then once without -target`
                : destroy,
            );
            ctx.output('destroyed', []);
            return;
          }
          const cancelled = (phase: string, killed: boolean) =>
            cancelledError({
              action: 'bluegreen:destroy-ordered',
              phase,
              stack,
              binary: runner.binary,
              killed,
              graceMs: settings.cancelGracePeriodMs,
            });

          const stateOf = async (target: string, dir: string) => {
            const command = (args: string[]) =>
              runTextChecked({
                runner,
                args,
                cwd: dir,
                what: target,
                signal: ctx.signal,
                onCancelled: cancelled,
              });
            await command(INIT_ARGS);
            try {
              return (await command(['state', 'list'])).filter(Boolean);
            } catch (error) {
              // `state list` fails when a stack has no state yet (local backend); `state
              // pull` tells that case apart by printing nothing.
              if (ctx.signal?.aborted) {
                throw error;
              }
              const pulled = await command(['state', 'pull']);
              if (pulled.join('').trim() === '') {
                return [];
              }
              throw error;
            }
          };

          if (!colour) {
            for (const clusterStack of Object.values(CLUSTER_STACKS)) {
              const dir = resolveSafeChildPath(ctx.workspacePath, clusterStack);
              if (!fs.existsSync(dir)) {
                continue;
              }
              const remaining = await stateOf(clusterStack, dir);
              if (remaining.length > 0) {
                throw new InputError(
                  `stack: ${clusterStack} still has ${remaining.length} resources in its state; retire both clusters before the environment`,
                );
              }
            }
          }

          const addresses = await stateOf(stack, stackDir);
          if (addresses.length === 0) {
            log(
              'no resources in state (never applied, already destroyed, or a different state backend key); nothing to destroy',
            );
            ctx.output('destroyed', []);
            return;
          }
          // Only while the cluster itself exists: there is nothing to reach otherwise.
          if (colour && inModule(addresses, EKS_MODULE_ADDRESS)) {
            if (input.skipApplicationTeardown) {
              log('application teardown skipped (skipApplicationTeardown)');
            } else if (options.applicationTeardown) {
              await options.applicationTeardown.teardown({
                clusterName: expected,
                credentials: await ctx.getInitiatorCredentials(),
                log,
                signal: ctx.signal,
              });
            }
          }
          const targets = colour
            ? CLUSTER_DESTROY_ORDER.filter(target =>
                inModule(addresses, target),
              )
            : [];
          log(
            `${addresses.length} resources in state; destroy order: ${[
              ...targets,
              '(all)',
            ].join(' → ')}`,
          );

          const destroyed: string[] = [];
          const steps = [...targets, undefined];
          for (const [index, target] of steps.entries()) {
            const name = target ?? '(all)';
            log(`step ${index + 1}/${steps.length}: destroy ${name}`);
            const run = await runJson({
              runner,
              args: [...DESTROY_ARGS, ...(target ? [`-target=${target}`] : [])],
              cwd: stackDir,
              log,
              signal: ctx.signal,
              heartbeatMs,
            });
            if (ctx.signal?.aborted) {
              throw cancelled(`destroy of ${name}`, run.result.killed);
            }
            if (run.result.exitCode !== 0) {
              throw new Error(
                `${stack}: destroy of ${name} (step ${index + 1} of ${
                  steps.length
                }) failed ${describeFailure(run)}; stopped there${
                  destroyed.length
                    ? ` after destroying ${destroyed.join(', ')}`
                    : ''
                }`,
              );
            }
            destroyed.push(name);
          }
          ctx.output('destroyed', destroyed);
        },
      );
    },
  });
}
