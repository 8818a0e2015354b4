import { InputError } from '@backstage/errors';
import {
  CLUSTER_COLOURS,
  CLUSTER_STACKS,
  clusterName,
  ClusterVersionStatus,
  compareKubernetesVersions,
  KUBERNETES_VERSION_FILE,
} from '@bluegreen/plugin-bluegreen-common';
import {
  readEnvironmentName,
  readStackKubernetesVersion,
} from '../lib/generationFiles';
import { VersionChange } from '../security/WorkspaceVerifier';

/** What EKS says a cluster runs (the cutover's pre-flight reads it the same way). */
export interface ClusterVersionReader {
  describe(name: string): Promise<ClusterVersionStatus>;
}

/**
 * The repository's version line against the version EKS runs, for each cluster stack an
 * apply is about to run. A line below the live version (an upgrade whose pull request is
 * not merged yet) is refused: applying it would try to take a cluster back a version. A
 * line above it is a version change like one the task made, so the rebuild guard applies.
 * A cluster EKS does not know (not created yet, or retired) or cannot be asked about is
 * left to the repository comparison, with a line in the log.
 */
export async function versionDrift(options: {
  workspacePath: string;
  stacks: readonly string[];
  /** Already changed by the task: guarded as such. */
  versionChanges: VersionChange[];
  clusterVersions: ClusterVersionReader;
  log: { info(line: string): void; warn(line: string): void };
}): Promise<VersionChange[]> {
  const drift: VersionChange[] = [];
  for (const colour of CLUSTER_COLOURS) {
    const stack = CLUSTER_STACKS[colour];
    if (
      !options.stacks.includes(stack) ||
      options.versionChanges.some(change => change.stack === stack)
    ) {
      continue;
    }
    const line = await readStackKubernetesVersion(options.workspacePath, stack);
    if ('problem' in line) {
      continue;
    }
    const name = clusterName(
      await readEnvironmentName(options.workspacePath),
      colour,
    );
    const live = await options.clusterVersions.describe(name);
    if (live.source === 'not-found') {
      continue;
    }
    if (!live.version) {
      options.log.warn(
        `[${stack}] cannot ask EKS which version ${name} runs (${
          live.error ?? 'no version'
        }); the repository's ${line.version} is applied as it is`,
      );
      continue;
    }
    const order = compareKubernetesVersions(line.version, live.version);
    if (order < 0) {
      throw new InputError(
        `stacks: ${stack}/${KUBERNETES_VERSION_FILE} says kubernetes_version ${line.version}, but EKS runs ${name} on ${live.version}; merge the pull request of its upgrade first (applying ${line.version} would take it back a version)`,
      );
    }
    if (order > 0) {
      drift.push({ stack, from: live.version, to: line.version });
    }
  }
  return drift;
}
