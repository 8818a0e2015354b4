import { ResourcePermission } from '@backstage/plugin-permission-common';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { JsonObject } from '@backstage/types';
import { RunDirectory } from '../terraform/RunDirectory';
import {
  bluegreenCutoverPermission,
  CLUSTER_COLOURS,
  CLUSTER_STACKS,
} from '@bluegreen/plugin-bluegreen-common';
import { ActionGuard, GuardedAttempt } from './ActionGuard';
import { DelegatedWrite } from '../cutover/CutoverRunsClient';
import { readStackWeight } from '../lib/generationFiles';
import { requireDelegated } from './delegatedWrite';
import { checkDeclaresGeneration } from './declaresGeneration';
import { Generation, Generations } from './Generations';
import { WeightChange, WorkspaceVerifier } from './WorkspaceVerifier';

/**
 * The gate of the Terraform actions: authorise the initiator on the generation (audited),
 * resolve its repository from the catalog and the configuration, and — outside dry runs
 * — prove that the workspace holds that repository before any CLI runs. The work gets a
 * private run directory that is removed afterwards.
 */
export class GenerationGuard {
  constructor(
    private readonly options: {
      guard: ActionGuard;
      generations: Generations;
      verifier: WorkspaceVerifier;
    },
  ) {}

  async run<T>(
    ctx: ActionContext<any, any>,
    attempt: {
      action: string;
      permission: ResourcePermission<'catalog-entity'>;
      generation: string;
      meta: JsonObject;
      /**
       * may-change (apply): a changed weight file moves traffic, so it needs
       * bluegreen.cutover on the generation too; must-match (destroy): it is refused.
       */
      weightFiles: 'may-change' | 'must-match';
      /** A staged run's step task (see GuardedAttempt.delegated). */
      delegated?: GuardedAttempt['delegated'];
    },
    work: (
      generation: Generation,
      run: RunDirectory,
      /** The cluster weights this task changed (none in a dry run). */
      weightChanges: WeightChange[],
    ) => Promise<T>,
  ): Promise<T> {
    const entityRef = Generations.refOf(attempt.generation);
    const credentials = await ctx.getInitiatorCredentials();
    const dryRun = Boolean(ctx.isDryRun);
    return this.options.guard.run(
      {
        action: attempt.action,
        credentials,
        taskId: ctx.task?.id,
        dryRun,
        meta: attempt.meta,
        delegated: attempt.delegated,
      },
      [{ permission: attempt.permission, entityRef }],
      async delegated => {
        const generation = await this.options.generations.resolve(
          entityRef,
          credentials,
        );
        const run = await RunDirectory.create(ctx.workspacePath);
        let weightChanges: WeightChange[] = [];
        try {
          if (dryRun) {
            ctx.logger.info(
              `Dry run: the workspace is not compared with ${generation.repository.url} and no CLI runs`,
            );
          } else {
            const verified = await this.options.verifier.verify({
              workspacePath: ctx.workspacePath,
              repositoryUrl: generation.repository.url,
              scratchDir: await run.scratch('repository'),
              weightFiles: attempt.weightFiles,
            });
            const { referenceDir, changedWeightFiles } = verified;
            weightChanges = verified.weightChanges;
            await checkDeclaresGeneration(referenceDir, generation);
            if (delegated) {
              // The run's starter was authorised for the run's weights, and only those.
              await requireRunWeights(ctx.workspacePath, delegated);
            } else if (changedWeightFiles.length > 0) {
              await this.options.guard.check(
                { action: attempt.action, credentials },
                [{ permission: bluegreenCutoverPermission, entityRef }],
                `changed weight files (${changedWeightFiles.join(', ')})`,
              );
            }
            ctx.logger.info(
              `The workspace holds ${
                generation.repository.url
              }, which declares ${entityRef}${
                changedWeightFiles.length
                  ? `; changed weights in ${changedWeightFiles.join(', ')}`
                  : ''
              }`,
            );
          }
          return await work(generation, run, weightChanges);
        } finally {
          await run.dispose();
        }
      },
    );
  }
}

/** A step task applies the cluster stacks with exactly its run's pending weights. */
async function requireRunWeights(workspacePath: string, write: DelegatedWrite) {
  for (const colour of CLUSTER_COLOURS) {
    const stack = CLUSTER_STACKS[colour];
    const found = await readStackWeight(workspacePath, stack);
    requireDelegated(
      write,
      `the workspace's ${stack} weight`,
      'problem' in found ? found.problem : found.weight,
      write.weights[colour],
    );
  }
}
