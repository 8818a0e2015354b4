import fs from 'node:fs/promises';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  KUBERNETES_VERSION_FILE,
  kubernetesVersionIn,
  SHARED_TFVARS_FILE,
  WEIGHT_FILE,
  WEIGHT_VARIABLE,
  weightFileContent,
  withKubernetesVersion,
} from '@bluegreen/plugin-bluegreen-common';

// These files are written by the generation template and by bluegreen:set-weight, one
// `name = value` per line, so a line match reads them without an HCL parser.
function readAssignment(text: string, name: string): string | undefined {
  const match = new RegExp(
    `^\\s*${name}\\s*=\\s*(?:"([^"\\n]*)"|([^\\s#]+))\\s*(?:#.*)?$`,
    'm',
  ).exec(text);
  return match ? match[1] ?? match[2] : undefined;
}

async function readWorkspaceFile(workspacePath: string, relative: string) {
  try {
    return await fs.readFile(
      resolveSafeChildPath(workspacePath, relative),
      'utf8',
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

/** The generation's environment name, from the shared terraform.tfvars. */
export async function readEnvironmentName(
  workspacePath: string,
): Promise<string> {
  const text = await readWorkspaceFile(workspacePath, SHARED_TFVARS_FILE);
  const name = text && readAssignment(text, 'environment_name');
  if (!name) {
    throw new InputError(
      `${SHARED_TFVARS_FILE}: environment_name is not set at the workspace root; is this a cluster generation repository?`,
    );
  }
  return name;
}

/**
 * The variables the shared terraform.tfvars assigns: the generation's settings, which
 * only a change to the repository may change.
 */
export async function readSharedSettingNames(
  workspacePath: string,
): Promise<string[]> {
  const text =
    (await readWorkspaceFile(workspacePath, SHARED_TFVARS_FILE)) ?? '';
  return [...text.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=/gm)].map(
    match => match[1],
  );
}

/** A stack's weight as its variable files set it, or why it cannot be told. */
export type StackWeight = { weight: number } | { problem: string };

const SIMPLE_ASSIGNMENT = /^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*("?)(\d+)\2\s*$/;
const COMMENT_OR_BLANK = /^\s*(#.*|\/\/.*)?$/;

/**
 * A cluster stack's weight from its machine-owned weight file. The file must hold only
 * simple `name = number` lines (it is written by machines, so anything else, a block
 * comment or a heredoc, is a reason to refuse rather than to guess), must set the weight
 * exactly once, and no other variables file of the stack may set it too.
 */
export async function readStackWeight(
  workspacePath: string,
  stack: string,
): Promise<StackWeight> {
  const weightFile = `${stack}/${WEIGHT_FILE}`;
  const text = await readWorkspaceFile(workspacePath, weightFile);
  if (text === undefined) {
    return { problem: `${weightFile} is missing` };
  }
  const values: number[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (COMMENT_OR_BLANK.test(line)) {
      continue;
    }
    const match = SIMPLE_ASSIGNMENT.exec(line);
    if (!match) {
      return {
        problem: `${weightFile} line ${
          index + 1
        } is not a simple "name = number" assignment`,
      };
    }
    if (match[1] === WEIGHT_VARIABLE) {
      values.push(Number(match[3]));
    }
  }
  if (values.length !== 1) {
    return {
      problem: `${weightFile} sets ${WEIGHT_VARIABLE} ${values.length} times (expected once)`,
    };
  }
  const others = [
    SHARED_TFVARS_FILE,
    ...(await fs.readdir(resolveSafeChildPath(workspacePath, stack)))
      .filter(name => /\.tfvars(\.json)?$/.test(name) && name !== WEIGHT_FILE)
      .map(name => `${stack}/${name}`),
  ];
  for (const other of others) {
    const otherText = await readWorkspaceFile(workspacePath, other);
    if (otherText && new RegExp(`\\b${WEIGHT_VARIABLE}\\b`).test(otherText)) {
      return {
        problem: `${WEIGHT_VARIABLE} is also set in ${other}, which may override ${weightFile}`,
      };
    }
  }
  return { weight: values[0] };
}

/**
 * Replaces a cluster stack's machine-owned weight file. Callers check the stack with
 * readStackWeight first, so a file that something else also sets is never written.
 */
export async function writeStackWeight(
  workspacePath: string,
  stack: string,
  weight: number,
): Promise<void> {
  await fs.writeFile(
    resolveSafeChildPath(workspacePath, `${stack}/${WEIGHT_FILE}`),
    weightFileContent(weight),
  );
}

/** A cluster stack's Kubernetes version from its machine-owned main.tf line. */
export async function readStackKubernetesVersion(
  workspacePath: string,
  stack: string,
): Promise<{ version: string } | { problem: string }> {
  const file = `${stack}/${KUBERNETES_VERSION_FILE}`;
  const text = await readWorkspaceFile(workspacePath, file);
  if (text === undefined) {
    return { problem: `${file} is missing` };
  }
  const found = kubernetesVersionIn(text);
  return 'problem' in found
    ? { problem: `${file} ${found.problem}` }
    : { version: found.version };
}

/** Rewrites the machine-owned version line of a cluster stack's main.tf, only that. */
export async function writeStackKubernetesVersion(
  workspacePath: string,
  stack: string,
  version: string,
): Promise<void> {
  const file = resolveSafeChildPath(
    workspacePath,
    `${stack}/${KUBERNETES_VERSION_FILE}`,
  );
  await fs.writeFile(
    file,
    withKubernetesVersion(await fs.readFile(file, 'utf8'), version),
  );
}
