import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  CLUSTER_STACKS,
  clusterName,
  GenerationStack,
  KUBERNETES_VERSION_FILE,
  stackColour,
} from '@bluegreen/plugin-bluegreen-common';
import { EksVersionCatalog } from '../aws/EksVersionCatalog';
import {
  readEnvironmentName,
  readStackKubernetesVersion,
  readStackWeight,
} from '../lib/generationFiles';
import { VersionChange, WeightChange } from '../security/WorkspaceVerifier';
import { assertClusterIdle } from './assertClusterIdle';
import { assertRebuildVersion } from './assertRebuildVersion';
import { REBUILDING, RouteWeightCheck } from './RouteWeightCheck';

/**
 * What an apply checks before it runs a changed kubernetes_version line (a rebuild, or an
 * in-place upgrade of a cluster that still exists): the task applies that stack itself,
 * moves no traffic at the same time, the other colour serves, the cluster carries no
 * traffic (the retirement's guard, Route 53 included) and the version follows the rebuild
 * rules. Throws naming the field; logs what it found.
 */
export async function guardVersionChanges(options: {
  workspacePath: string;
  stacks: readonly string[];
  /** A staged cutover's step task: it carries weights, never a version. */
  delegated: boolean;
  versionChanges: VersionChange[];
  weightChanges: WeightChange[];
  generation: Entity;
  routeWeightCheck?: RouteWeightCheck;
  eksVersions?: EksVersionCatalog;
  /** Each line is prefixed with its stack here. */
  log: { info(line: string): void; warn(line: string): void };
}): Promise<void> {
  const { workspacePath, versionChanges } = options;
  for (const change of versionChanges) {
    const log = {
      info: (line: string) => options.log.info(`[${change.stack}] ${line}`),
      warn: (line: string) => options.log.warn(`[${change.stack}] ${line}`),
    };
    const changed = `${change.stack}/${KUBERNETES_VERSION_FILE} changes kubernetes_version ${change.from} → ${change.to}`;
    if (options.delegated || !options.stacks.includes(change.stack)) {
      throw new InputError(
        `stacks: ${changed}; only a task that applies ${change.stack} itself may change it`,
      );
    }
    // The idle check reads the weight files: in a task that also changes them, a cluster
    // idle now could serve once the other stack is applied.
    if (options.weightChanges.length > 0) {
      throw new InputError(
        `stacks: ${changed} while the task also changes the weights (${options.weightChanges
          .map(w => `${w.stack} ${w.from ?? '?'} → ${w.to}`)
          .join(', ')}); rebuild and cut over in separate tasks`,
      );
    }
    if (!options.routeWeightCheck || !options.eksVersions) {
      throw new InputError(
        `stacks: ${changed}, and this backend cannot read Route 53 and EKS to tell that the cluster carries no traffic and the version is one to rebuild at`,
      );
    }
    const colour = stackColour(change.stack as GenerationStack)!;
    const serving = colour === 'blue' ? 'green' : 'blue';
    const servingStack = CLUSTER_STACKS[serving];
    await assertClusterIdle({
      workspacePath,
      stack: change.stack,
      clusterName: clusterName(
        await readEnvironmentName(workspacePath),
        colour,
      ),
      generation: options.generation,
      routeWeightCheck: options.routeWeightCheck,
      purpose: REBUILDING,
      log,
    });
    const servingWeight = await readStackWeight(workspacePath, servingStack);
    if ('problem' in servingWeight || servingWeight.weight === 0) {
      throw new InputError(
        `stacks: ${changed}, but ${servingStack} does not serve (${
          'problem' in servingWeight
            ? servingWeight.problem
            : 'its weight is 0 too'
        }); a rebuild needs the other colour serving`,
      );
    }
    const servingVersion = await readStackKubernetesVersion(
      workspacePath,
      servingStack,
    );
    if ('problem' in servingVersion) {
      throw new InputError(`stacks: ${servingVersion.problem}`);
    }
    await assertRebuildVersion({
      field: 'stacks',
      to: change.to,
      from: change.from,
      serving: { colour: serving, version: servingVersion.version },
      eksVersions: options.eksVersions,
    });
    log.info(
      `kubernetes_version ${change.from} → ${change.to}: the cluster carries no traffic, so it may be rebuilt`,
    );
  }
}
