import { ResourcePermission } from '@backstage/plugin-permission-common';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { JsonObject } from '@backstage/types';
import { RunDirectory } from '../terraform/RunDirectory';
import { ActionGuard } from './ActionGuard';
import { Generation, Generations } from './Generations';
import { WorkspaceVerifier } from './WorkspaceVerifier';

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
    },
    work: (generation: Generation, run: RunDirectory) => Promise<T>,
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
      },
      [{ permission: attempt.permission, entityRef }],
      async () => {
        const generation = await this.options.generations.resolve(
          entityRef,
          credentials,
        );
        const run = await RunDirectory.create(ctx.workspacePath);
        try {
          if (dryRun) {
            ctx.logger.info(
              `Dry run: the workspace is not compared with ${generation.repository.url} and no CLI runs`,
            );
          } else {
            await this.options.verifier.verify({
              workspacePath: ctx.workspacePath,
              repositoryUrl: generation.repository.url,
              scratchDir: await run.scratch('repository'),
            });
            ctx.logger.info(
              `The workspace holds ${generation.repository.url} (weight files and links aside)`,
            );
          }
          return await work(generation, run);
        } finally {
          await run.dispose();
        }
      },
    );
  }
}
