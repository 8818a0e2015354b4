import { Config } from '@backstage/config';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  bluegreenApplyPermission,
  CLUSTER_COLOURS,
  CLUSTER_STACKS,
  ClusterColour,
  generationStackSchema,
  WEIGHT_FILE,
  WEIGHT_VARIABLE,
} from '@bluegreen/plugin-bluegreen-common';
import { InputError } from '@backstage/errors';
import { readSharedSettingNames } from '../lib/generationFiles';
import { EksVersionCatalog } from '../aws/EksVersionCatalog';
import { guardVersionChanges } from '../retire/guardVersionChanges';
import { ClusterVersionReader, versionDrift } from '../retire/versionDrift';
import { RouteWeightCheck } from '../retire/RouteWeightCheck';
import { z } from 'zod/v3';
import { parseInput } from '../lib/parseInput';
import { resolveStackDirectory } from '../lib/resolveStackDirectory';
import { GenerationGuard } from '../security/GenerationGuard';
import { Generations } from '../security/Generations';
import { requireDelegated } from '../security/delegatedWrite';
import { DelegatedWrite } from '../cutover/CutoverRunsClient';
import { WeightChange } from '../security/WorkspaceVerifier';
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
import { TerraformRunner } from '../terraform/TerraformCli';
import { examples } from './apply.examples';

const HCL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const inputSchema = z
  .object({
    generation: z
      .string()
      .min(1, 'must not be empty')
      .describe(
        "The generation's System entity (system:default/eks-blueprint); the initiator needs bluegreen.apply on it, and the workspace must hold its repository",
      ),
    stacks: z
      .array(generationStackSchema)
      .min(1, 'list at least one stack')
      .refine(stacks => new Set(stacks).size === stacks.length, {
        message: 'a stack is listed more than once',
      })
      .describe(
        'Stacks to apply, in this order (environment, eks-blue, eks-green)',
      ),
    variables: z
      .record(z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .superRefine((variables, ctx) => {
        for (const name of Object.keys(variables ?? {})) {
          if (name === WEIGHT_VARIABLE) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [name],
              message: `must not be set here: the traffic weight changes only through a cutover (${WEIGHT_FILE})`,
            });
          } else if (!HCL_IDENTIFIER.test(name)) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [name],
              message:
                'a variable name must be an HCL identifier (a letter or _, then letters, digits, _ or -)',
            });
          }
        }
      })
      .describe('Variable overrides passed to every stack as -var name=value'),
    ...cliInputFields,
    timeoutMinutes: z
      .number()
      .positive()
      .max(24 * 60)
      .optional()
      .describe('Fail a stack whose apply takes longer than this'),
    stallTimeoutMinutes: z
      .number()
      .positive()
      .max(24 * 60)
      .optional()
      .describe(
        'Interrupt and rerun once when one resource stays in progress this long (default from config, 30)',
      ),
    newGeneration: z
      .boolean()
      .optional()
      .describe(
        'Set by the generation template right after it registered the generation: wait up to 2 minutes for the catalog to show it, and apply only if the initiator is its owner or a member of the owning group (besides bluegreen.apply)',
      ),
    runId: z
      .string()
      .uuid('must be a cutover run id (a UUID)')
      .optional()
      .describe(
        "Set only by a gitops-mode staged cutover's step task, which the bluegreen plugin starts itself: it may apply the cluster stacks of the run's generation with the run's pending weights, and nothing else. Refused from anyone else",
      ),
  })
  .strict();

const outputSchema = z.object({
  outputs: z
    .record(z.record(z.unknown()))
    .describe("Each stack's non-sensitive outputs"),
  changes: z
    .record(z.string())
    .describe("Each stack's change summary from the CLI"),
});

type ApplyInput = z.output<typeof inputSchema>;

const INIT_ARGS = ['init', '-input=false', '-no-color'];

function applyArgs(input: ApplyInput): string[] {
  const variableArgs = Object.entries(input.variables ?? {}).map(
    ([name, value]) => `-var=${name}=${String(value)}`,
  );
  return ['apply', '-auto-approve', '-input=false', '-json', ...variableArgs];
}

/** A staged run's step applies its generation's cluster stacks as they are, no more. */
function matchesPendingWrite(input: ApplyInput, write: DelegatedWrite) {
  requireDelegated(
    write,
    'generation',
    Generations.refOf(input.generation),
    write.generation,
  );
  requireDelegated(
    write,
    'stacks',
    [...input.stacks].sort(),
    Object.values(CLUSTER_STACKS).sort(),
  );
  requireDelegated(write, 'variables', input.variables, undefined);
  requireDelegated(write, 'binary', input.binary, undefined);
}

export interface ApplyActionOptions {
  config: Config;
  /** Authorises the initiator on the generation and checks the workspace. */
  generationGuard: GenerationGuard;
  /** AWS credentials for the CLI; without it the CLI gets none. */
  awsCredentialsManager?: AwsCredentialsManager;
  /**
   * Route 53's view of a cluster whose Kubernetes version the task changed; without it
   * a changed version line is refused.
   */
  routeWeightCheck?: RouteWeightCheck;
  /**
   * What EKS runs, to compare with the repository's version lines; without it only the
   * repository comparison guards a version change.
   */
  clusterVersions?: ClusterVersionReader;
  /** The versions EKS supports, for the same; without it a changed version line is refused. */
  eksVersions?: EksVersionCatalog;
  /** Replaces the CLI (tests); by default one is built from config and input. */
  runnerFactory?: RunnerFactory;
  /** How often to report resources still in progress. Default 30 s. */
  heartbeatMs?: number;
}

/**
 * Creates `bluegreen:apply`: `init` then `apply -json` of each stack in order, with
 * readable progress, cancellation that releases the state lock, and one rerun of an
 * apply that stalls on a resource.
 * @public
 */
export function createApplyAction(options: ApplyActionOptions) {
  const settings = readTerraformSettings(options.config);
  const heartbeatMs = options.heartbeatMs ?? 30_000;

  return createTemplateAction({
    id: 'bluegreen:apply',
    description:
      "Runs init and apply of the given Terraform stacks of a cluster generation in order (OpenTofu or Terraform), streaming progress; returns the non-sensitive outputs. Needs bluegreen.apply on the generation and a workspace holding the generation's repository. A dry run only lists the commands.",
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
        'input to bluegreen:apply',
      );
      const { stacks } = input;
      if (ctx.isDryRun && input.newGeneration) {
        // A dry run registers nothing, so there is no entity to authorise on yet.
        for (const stack of stacks) {
          ctx.logger.info(
            `Dry run: would wait for the catalog to show the new ${input.generation}, require you to be its owner and hold bluegreen.apply on it, then run init and apply in ${stack}`,
          );
        }
        ctx.output('outputs', {});
        ctx.output(
          'changes',
          Object.fromEntries(stacks.map(s => [s, 'dry run: nothing applied'])),
        );
        return;
      }
      await options.generationGuard.run(
        ctx,
        {
          action: 'bluegreen:apply',
          permission: bluegreenApplyPermission,
          generation: input.generation,
          meta: { stacks, variables: Object.keys(input.variables ?? {}) },
          weightFiles: 'may-change',
          versionLines: 'may-change',
          newGeneration: input.newGeneration,
          ...(input.runId && {
            delegated: {
              runId: input.runId,
              matches: write => matchesPendingWrite(input, write),
            },
          }),
        },
        async (generation, runDirectory, weightChanges, versionChanges) => {
          const log = {
            info: (line: string) => ctx.logger.info(line),
            warn: (line: string) => ctx.logger.warn(line),
          };
          const drift = options.clusterVersions
            ? await versionDrift({
                workspacePath: ctx.workspacePath,
                stacks,
                versionChanges,
                clusterVersions: options.clusterVersions,
                log,
              })
            : [];
          await guardVersionChanges({
            workspacePath: ctx.workspacePath,
            stacks,
            delegated: Boolean(input.runId),
            versionChanges: [...versionChanges, ...drift],
            weightChanges,
            generation: generation.entity,
            routeWeightCheck: options.routeWeightCheck,
            eksVersions: options.eksVersions,
            log,
          });
          // -var beats every variables file: it must not override what the
          // repository's terraform.tfvars sets (admin role, GitOps repositories, zone).
          const sharedSettings = new Set(
            await readSharedSettingNames(ctx.workspacePath),
          );
          const overridden = Object.keys(input.variables ?? {}).filter(name =>
            sharedSettings.has(name),
          );
          if (overridden.length > 0) {
            throw new InputError(
              `variables: ${overridden
                .map(name => `variables.${name}`)
                .join(
                  ', ',
                )} would override the generation's terraform.tfvars; change it in the repository instead`,
            );
          }
          const stackDirs: string[] = [];
          for (const [index, stack] of stacks.entries()) {
            stackDirs.push(
              await resolveStackDirectory(
                ctx.workspacePath,
                stack,
                `stacks[${index}]`,
              ),
            );
          }
          const runner = createRunner({
            settings,
            requested: input.binary,
            runDirectory,
            awsCredentialsManager: options.awsCredentialsManager,
            awsAccountId: generation.repository.awsAccountId,
            runnerFactory: options.runnerFactory,
          });
          const outputs: Record<string, Record<string, unknown>> = {};
          const changes: Record<string, string> = {};
          if (ctx.isDryRun) {
            // A dry run executes nothing: not even init, which runs provider code.
            for (const stack of stacks) {
              for (const args of [INIT_ARGS, applyArgs(input)]) {
                ctx.logger.info(
                  `Dry run: would run in ${stack}: ${runner.binary} ${args.join(
                    ' ',
                  )}`,
                );
              }
              outputs[stack] = {};
              changes[stack] = 'dry run: nothing applied';
            }
          } else {
            const stallMs =
              (input.stallTimeoutMinutes ?? settings.stallTimeoutMinutes) *
              60_000;
            const applied: string[] = [];
            for (const [index, stack] of stacks.entries()) {
              const result = await applyStack({
                stack,
                cwd: stackDirs[index],
                input,
                runner,
                log: line => ctx.logger.info(`[${stack}] ${line}`),
                signal: ctx.signal,
                heartbeatMs,
                stallMs,
                graceMs: settings.cancelGracePeriodMs,
              }).catch(error => {
                throw withLiveWeights(error, weightChanges, applied);
              });
              applied.push(stack);
              outputs[stack] = result.outputs;
              changes[stack] = result.changeSummary ?? 'no changes reported';
            }
          }
          ctx.output('outputs', outputs);
          ctx.output('changes', changes);
        },
      );
    },
  });
}

/**
 * A failed apply in the middle of a weight change: the error says which weights are live
 * (those of the stacks applied, the repository's elsewhere) and how to go back, since
 * the traffic now sits between the old split and the new one.
 */
function withLiveWeights(
  error: Error,
  weightChanges: WeightChange[],
  applied: string[],
): Error {
  if (weightChanges.length === 0) {
    return error;
  }
  const live = Object.fromEntries(
    CLUSTER_COLOURS.map(colour => {
      const stack = CLUSTER_STACKS[colour];
      const change = weightChanges.find(c => c.stack === stack);
      const weight =
        change && applied.includes(stack) ? change.to : change?.from;
      return [colour, weight];
    }),
  ) as Record<ClusterColour, number | undefined>;
  const before = Object.fromEntries(
    CLUSTER_COLOURS.map(colour => {
      const change = weightChanges.find(
        c => c.stack === CLUSTER_STACKS[colour],
      );
      return [colour, change ? change.from : live[colour]];
    }),
  ) as Record<ClusterColour, number | undefined>;
  const describe = (colour: ClusterColour) => {
    const stack = CLUSTER_STACKS[colour];
    const state = applied.includes(stack)
      ? 'applied by this task'
      : "not applied: the repository's weight";
    return `${stack} ${WEIGHT_VARIABLE} = ${
      live[colour] ?? 'unknown'
    } (${state})`;
  };
  let split = 'check Route 53 for the split';
  if (live.blue !== undefined && live.green !== undefined) {
    split =
      live.blue + live.green > 0
        ? `traffic is split blue ${live.blue} / green ${live.green}, never all-zero`
        : 'both weights are 0: Route 53 splits traffic equally';
  }
  const back =
    before.blue !== undefined && before.green !== undefined
      ? ` To go back, run the "Cut over traffic" template with weights blue ${before.blue} / green ${before.green}; to finish, run it again with the new weights.`
      : '';
  const next = new Error(
    `${error.message}. Live now (through external-dns): ${CLUSTER_COLOURS.map(
      describe,
    ).join(', ')}; ${split}.${back}`,
  );
  next.name = error.name;
  return next;
}

async function applyStack(options: {
  stack: string;
  cwd: string;
  input: ApplyInput;
  runner: TerraformRunner;
  log: (line: string) => void;
  signal?: AbortSignal;
  heartbeatMs: number;
  stallMs: number;
  graceMs: number;
}) {
  const { stack, cwd, input, runner, log, signal } = options;
  const cancelled = (phase: string, killed: boolean) =>
    cancelledError({
      action: 'bluegreen:apply',
      phase,
      stack,
      binary: runner.binary,
      killed,
      graceMs: options.graceMs,
    });

  log(`${runner.binary} init`);
  await runTextChecked({
    runner,
    args: INIT_ARGS,
    cwd,
    what: stack,
    log,
    signal,
    onCancelled: cancelled,
  });

  const args = applyArgs(input);

  for (let attempt = 1; ; attempt++) {
    log(
      `${runner.binary} ${args[0]}${
        attempt > 1 ? ` (attempt ${attempt})` : ''
      }`,
    );
    const run = await runJson({
      runner,
      args,
      cwd,
      log,
      signal,
      heartbeatMs: options.heartbeatMs,
      stallMs: options.stallMs,
      timeoutMs: input.timeoutMinutes && input.timeoutMinutes * 60_000,
    });
    if (signal?.aborted) {
      throw cancelled(args[0], run.result.killed);
    }
    if (run.result.exitCode === 0 && !run.result.interrupted) {
      return {
        outputs: run.events.outputs,
        changeSummary: run.events.changeSummary,
      };
    }
    if (run.result.killed) {
      throw new Error(
        `${stack}: ${args[0]} was interrupted (${
          run.timedOut ? 'timeout' : `stall of ${run.stalledResource}`
        }) and did not stop within ${
          options.graceMs / 1000
        } s, so it was killed; the state lock may still be held (release it with "${
          runner.binary
        } force-unlock <lock id>" in ${stack}) and the resource in progress may be missing from the state`,
      );
    }
    if (run.timedOut) {
      throw new Error(
        `${stack}: ${args[0]} did not finish within timeoutMinutes=${input.timeoutMinutes} and was interrupted`,
      );
    }
    if (run.stalledResource) {
      const why = `${
        run.stalledResource
      } was still in progress after ${Math.round(
        options.stallMs / 1000,
      )} s (stall timeout)`;
      if (attempt === 1) {
        log(`${why}: interrupted the ${args[0]}; running it once more`);
        continue;
      }
      throw new Error(`${stack}: ${why} again on the rerun; giving up`);
    }
    throw new Error(`${stack}: ${args[0]} failed ${describeFailure(run)}`);
  }
}
