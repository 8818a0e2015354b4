import fs from 'node:fs/promises';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';

/**
 * The directory of a stack in the task workspace, refused with an error naming `field`
 * when it resolves outside the workspace (resolveSafeChildPath follows symlinks) or is
 * not a directory there.
 */
export async function resolveStackDirectory(
  workspacePath: string,
  stack: string,
  field: string,
): Promise<string> {
  let dir: string;
  try {
    dir = resolveSafeChildPath(workspacePath, stack);
  } catch {
    throw new InputError(
      `${field}: stack "${stack}" resolves outside the task workspace`,
    );
  }
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new InputError(
      `${field}: stack directory "${stack}" does not exist in the workspace`,
    );
  }
  return dir;
}
