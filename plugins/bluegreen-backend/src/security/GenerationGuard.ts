import {
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
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
import {
  VersionChange,
  WeightChange,
  WorkspaceVerifier,
} from './WorkspaceVerifier';

/** How long a new generation's first apply waits for the catalog to show it. */
const NEW_GENERATION_WAIT_MS = 120_000;

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
      userInfo: UserInfoService;
      /** Default 2 minutes. */
      newGenerationWaitMs?: number;
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
      /**
       * may-change (apply): a cluster stack's machine-owned kubernetes_version line may
       * differ (the caller guards it); default must-match.
       */
      versionLines?: 'may-change' | 'must-match';
      /**
       * The generation was registered by this task: wait for the catalog to show it before
       * the permission is asked, and require the initiator to be among its owners too.
       * Not in dry runs (nothing is registered there): the caller handles those.
       */
      newGeneration?: boolean;
      /** A staged run's step task (see GuardedAttempt.delegated). */
      delegated?: GuardedAttempt['delegated'];
    },
    work: (
      generation: Generation,
      run: RunDirectory,
      /** The cluster weights this task changed (none in a dry run). */
      weightChanges: WeightChange[],
      /** The cluster versions this task changed (none in a dry run). */
      versionChanges: VersionChange[],
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
        meta: { ...attempt.meta, newGeneration: !!attempt.newGeneration },
        delegated: attempt.delegated,
        // A policy decides on the entity: it must exist before the question is asked.
        ...(attempt.newGeneration && {
          prepare: async () => {
            const { entity } = await this.options.generations.resolve(
              entityRef,
              credentials,
              {
                waitMs:
                  this.options.newGenerationWaitMs ?? NEW_GENERATION_WAIT_MS,
                signal: ctx.signal,
              },
            );
            await this.requireOwner(credentials, entity);
          },
        }),
      },
      [{ permission: attempt.permission, entityRef }],
      async delegated => {
        const generation = await this.options.generations.resolve(
          entityRef,
          credentials,
        );
        const run = await RunDirectory.create(ctx.workspacePath);
        let weightChanges: WeightChange[] = [];
        let versionChanges: VersionChange[] = [];
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
              versionLines: attempt.versionLines ?? 'must-match',
            });
            const { referenceDir, changedWeightFiles } = verified;
            weightChanges = verified.weightChanges;
            versionChanges = verified.versionChanges;
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
          return await work(generation, run, weightChanges, versionChanges);
        } finally {
          await run.dispose();
        }
      },
    );
  }

  /**
   * A new generation's owner (spec.owner, from the repository the task just published)
   * must be the initiator or one of their groups: the permission policy decides on the
   * entity too, but nobody applies a new generation for a team they are not in.
   */
  private async requireOwner(
    credentials: BackstageCredentials,
    entity: { spec?: { owner?: unknown }; metadata: { namespace?: string } },
  ) {
    if ((credentials.principal as { type: string }).type !== 'user') {
      throw new NotAllowedError(
        'newGeneration: only a user applies a new generation (its owner or a member)',
      );
    }
    const owner = entity.spec?.owner;
    if (typeof owner !== 'string') {
      throw new NotAllowedError(
        'owner: the new generation names no spec.owner, so it is not applied',
      );
    }
    const ownerRef = stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    );
    const { ownershipEntityRefs } = await this.options.userInfo.getUserInfo(
      credentials,
    );
    if (
      !ownershipEntityRefs.some(
        ref => ref.toLowerCase() === ownerRef.toLowerCase(),
      )
    ) {
      throw new NotAllowedError(
        `owner: ${ownerRef} owns the new generation, and you are neither it nor one of its members; only its owners apply a new generation`,
      );
    }
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
