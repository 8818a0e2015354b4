import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '@backstage/errors';

/** CLI names an action input may ask for; anything else comes from configuration. */
export const CLI_NAMES = ['tofu', 'terraform'] as const;

export type CliName = (typeof CLI_NAMES)[number];

function findOnPath(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The CLI to run: the name the action asked for, else `bluegreen.terraform.binary` from
 * configuration (a name or an absolute path), else whichever of tofu and terraform is on
 * PATH.
 */
export function resolveBinary(options: {
  requested?: CliName;
  configured?: string;
  searchPath: string;
}): string {
  const { requested, configured, searchPath } = options;
  if (requested) {
    const found = findOnPath(requested, searchPath);
    if (!found) {
      throw new InputError(
        `binary: "${requested}" is not on the backend's PATH; install it or set bluegreen.terraform.binary`,
      );
    }
    return found;
  }
  if (configured) {
    if (path.isAbsolute(configured)) {
      return configured;
    }
    const found = findOnPath(configured, searchPath);
    if (!found) {
      throw new InputError(
        `bluegreen.terraform.binary: "${configured}" is not on the backend's PATH`,
      );
    }
    return found;
  }
  for (const name of CLI_NAMES) {
    const found = findOnPath(name, searchPath);
    if (found) {
      return found;
    }
  }
  throw new InputError(
    'binary: neither tofu nor terraform is on the backend PATH; install one or set bluegreen.terraform.binary',
  );
}
