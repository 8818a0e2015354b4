import fs from 'node:fs/promises';
import path from 'node:path';
import { UrlReaderService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { ACTIONS_DIRECTORY } from '../terraform/RunDirectory';
import {
  CLUSTER_STACKS,
  KUBERNETES_VERSION_FILE,
  kubernetesVersionIn,
  SHARED_TFVARS_FILE,
  WEIGHT_FILE,
  WEIGHT_VARIABLE,
  withKubernetesVersion,
} from '@bluegreen/plugin-bluegreen-common';

type Entry =
  | { type: 'file'; content: Buffer }
  | { type: 'link'; target: string }
  | { type: 'dir' };

// The actions' own run directories (at the root), and .terraform at the root or in a
// stack, which the CLI never reads here (its data directory is TF_DATA_DIR inside the run
// directory). Anywhere deeper they are compared like everything else.
function skipped(rel: string, name: string): boolean {
  const depth = rel.split('/').length;
  return (
    // publish:github leaves the repository's own .git at the root; the CLI never reads it.
    ((name === ACTIONS_DIRECTORY || name === '.git') && depth === 1) ||
    (name === '.terraform' && depth <= 2)
  );
}
const LOCK_FILE = '.terraform.lock.hcl';
const WEIGHT_FILES = new Set(
  Object.values(CLUSTER_STACKS).map(stack => `${stack}/${WEIGHT_FILE}`),
);
const VERSION_FILES = new Set(
  Object.values(CLUSTER_STACKS).map(
    stack => `${stack}/${KUBERNETES_VERSION_FILE}`,
  ),
);
const TFVARS_LINK_TARGET = `../${SHARED_TFVARS_FILE}`;
const WEIGHT_LINE = new RegExp(
  `^\\s*${WEIGHT_VARIABLE}\\s*=\\s*(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\s*$`,
);
const COMMENT_OR_BLANK = /^\s*(#.*)?$/;

/** A cluster stack whose Kubernetes version line the task changed. */
export interface VersionChange {
  /** eks-blue or eks-green. */
  stack: string;
  from: string;
  to: string;
}

/**
 * The version change between the repository's main.tf and the workspace's, when the
 * machine-owned version line is all that differs; undefined otherwise.
 */
function versionChangeOf(
  stack: string,
  expected: Buffer,
  actual: Buffer,
): VersionChange | undefined {
  const before = kubernetesVersionIn(expected.toString('utf8'));
  const after = kubernetesVersionIn(actual.toString('utf8'));
  if ('problem' in before || 'problem' in after) return undefined;
  const onlyTheLine =
    withKubernetesVersion(expected.toString('utf8'), after.version) ===
    actual.toString('utf8');
  return onlyTheLine
    ? { stack, from: before.version, to: after.version }
    : undefined;
}

/** A cluster stack whose weight file the task changed. */
export interface WeightChange {
  /** eks-blue or eks-green. */
  stack: string;
  /** The repository's weight, undefined when it has no valid weight file there. */
  from?: number;
  to: number;
}

function weightIn(content: Buffer): number | undefined {
  const line = content
    .toString('utf8')
    .split('\n')
    .find(l => WEIGHT_LINE.test(l));
  return line === undefined ? undefined : Number(line.split('=')[1]);
}

/**
 * A weight file may differ from the repository (a cutover writes it) but may hold
 * nothing but the weight: any other assignment would override a generation setting.
 */
function isWeightFile(content: Buffer): boolean {
  const lines = content.toString('utf8').split('\n');
  return (
    lines.every(
      line => COMMENT_OR_BLANK.test(line) || WEIGHT_LINE.test(line),
    ) && lines.filter(line => WEIGHT_LINE.test(line)).length === 1
  );
}

async function walk(root: string): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  const visit = async (relative: string) => {
    for (const item of await fs.readdir(path.join(root, relative), {
      withFileTypes: true,
    })) {
      const rel = relative ? `${relative}/${item.name}` : item.name;
      const full = path.join(root, rel);
      if (item.isSymbolicLink()) {
        entries.set(rel, { type: 'link', target: await fs.readlink(full) });
      } else if (item.isDirectory()) {
        if (!skipped(rel, item.name)) {
          await visit(rel);
        }
      } else if (item.isFile()) {
        entries.set(rel, { type: 'file', content: await fs.readFile(full) });
      }
    }
  };
  await visit('');
  return entries;
}

/**
 * Proves that a task workspace holds a generation's repository and nothing else before
 * the Terraform CLI runs in it: every file equal to the repository's, except what the
 * bluegreen actions themselves write (the cluster stacks' weight files, the
 * `<stack>/terraform.tfvars` links) and what the CLI creates (.terraform/, lock files).
 * Terraform uploaded or fetched from elsewhere by a template step is refused.
 */
export class WorkspaceVerifier {
  constructor(private readonly urlReader: UrlReaderService) {}

  /**
   * Throws naming what differs; returns the reference checkout's directory and the
   * weight files that differ from the repository (a traffic change the caller must
   * authorise). With `weightFiles: 'must-match'` a differing weight file is refused too.
   * With `versionLines: 'may-change'` a cluster stack's main.tf may differ in its
   * machine-owned kubernetes_version line alone (returned as versionChanges).
   */
  async verify(options: {
    workspacePath: string;
    repositoryUrl: string;
    scratchDir: string;
    weightFiles: 'may-change' | 'must-match';
    versionLines?: 'may-change' | 'must-match';
  }): Promise<{
    referenceDir: string;
    changedWeightFiles: string[];
    weightChanges: WeightChange[];
    versionChanges: VersionChange[];
  }> {
    const { workspacePath, repositoryUrl, scratchDir } = options;
    const tree = await this.urlReader.readTree(repositoryUrl);
    const referenceDir = await tree.dir({ targetDir: scratchDir });
    const [workspace, reference] = await Promise.all([
      walk(workspacePath),
      walk(referenceDir),
    ]);
    const sharedTfvars = workspace.get(SHARED_TFVARS_FILE);
    const problems: string[] = [];
    const changedWeightFiles: string[] = [];
    const weightChanges: WeightChange[] = [];
    const versionChanges: VersionChange[] = [];
    for (const [rel, entry] of workspace) {
      const expected = reference.get(rel);
      if (entry.type === 'link') {
        const isTfvarsLink =
          /^[^/]+\/terraform\.tfvars$/.test(rel) &&
          entry.target === TFVARS_LINK_TARGET;
        if (!isTfvarsLink) {
          problems.push(`${rel} is a link to ${entry.target}`);
        } else if (
          expected?.type === 'file' &&
          !(
            sharedTfvars?.type === 'file' &&
            expected.content.equals(sharedTfvars.content)
          ) &&
          expected.content.toString().trim() !== TFVARS_LINK_TARGET
        ) {
          problems.push(`${rel} replaces a different file of the repository`);
        }
        continue;
      }
      if (entry.type !== 'file') {
        continue;
      }
      if (WEIGHT_FILES.has(rel)) {
        const same =
          expected?.type === 'file' && expected.content.equals(entry.content);
        if (!isWeightFile(entry.content)) {
          problems.push(
            `${rel} holds more than the "${WEIGHT_VARIABLE} = <0-255>" line`,
          );
        } else if (!same && options.weightFiles === 'must-match') {
          problems.push(
            `${rel} differs from the repository (retire only what the repository's weights say, once merged)`,
          );
        } else if (!same) {
          changedWeightFiles.push(rel);
          weightChanges.push({
            stack: rel.split('/')[0],
            from:
              expected?.type === 'file' && isWeightFile(expected.content)
                ? weightIn(expected.content)
                : undefined,
            to: weightIn(entry.content)!,
          });
        }
        continue;
      }
      const versionChange =
        options.versionLines === 'may-change' &&
        VERSION_FILES.has(rel) &&
        expected?.type === 'file' &&
        !expected.content.equals(entry.content)
          ? versionChangeOf(rel.split('/')[0], expected.content, entry.content)
          : undefined;
      if (versionChange) {
        versionChanges.push(versionChange);
      } else if (!expected) {
        if (path.basename(rel) !== LOCK_FILE) {
          problems.push(`${rel} is not in the repository`);
        }
      } else if (
        expected.type !== 'file' ||
        !expected.content.equals(entry.content)
      ) {
        problems.push(`${rel} differs from the repository`);
      }
    }
    for (const [rel, entry] of reference) {
      if (entry.type === 'file' && !workspace.has(rel)) {
        problems.push(`${rel} is missing from the workspace`);
      }
    }
    if (problems.length > 0) {
      throw new InputError(
        `workspace: it does not hold the generation repository ${repositoryUrl} (${problems
          .slice(0, 5)
          .join('; ')}${
          problems.length > 5 ? `; and ${problems.length - 5} more` : ''
        }); the Terraform actions run only the generation's own Terraform`,
      );
    }
    return { referenceDir, changedWeightFiles, weightChanges, versionChanges };
  }
}
