import fs from 'node:fs/promises';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  SHARED_TFVARS_FILE,
  WEIGHT_FILE,
  WEIGHT_VARIABLE,
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
 * A cluster stack's weight from its machine-owned weight file, or undefined when the file
 * or the assignment is missing or not a number.
 */
export async function readStackWeight(
  workspacePath: string,
  stack: string,
): Promise<number | undefined> {
  const text = await readWorkspaceFile(
    workspacePath,
    `${stack}/${WEIGHT_FILE}`,
  );
  const value = text && readAssignment(text, WEIGHT_VARIABLE);
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}
