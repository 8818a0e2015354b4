import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  GENERATION_STACKS,
  SHARED_TFVARS_FILE,
  stackListSchema,
} from '@bluegreen/plugin-bluegreen-common';
import { z } from 'zod/v3';
import { parseInput } from '../lib/parseInput';
import { resolveStackDirectory } from '../lib/resolveStackDirectory';
import { examples } from './linkTfvars.examples';

/** The link text: relative, so it stays valid wherever the repository is checked out. */
const LINK_TARGET = `../${SHARED_TFVARS_FILE}`;

const inputSchema = z
  .object({
    stacks: stackListSchema
      .default([...GENERATION_STACKS])
      .describe(
        `Stack directories that get ${SHARED_TFVARS_FILE} as a relative symlink to the root file (default: ${GENERATION_STACKS.join(
          ', ',
        )})`,
      ),
  })
  .strict();

const outputSchema = z.object({
  links: z
    .array(z.string())
    .describe('The link paths, relative to the workspace, in input order'),
});

type LinkPlan = {
  stack: string;
  linkPath: string;
  relativePath: string;
  action: 'create' | 'replace' | 'keep';
};

/**
 * Creates the `bluegreen:link-tfvars` action: `<stack>/terraform.tfvars` becomes a
 * relative symlink to the workspace root's `terraform.tfvars`, as in the seed layout.
 * Every link is checked before any is written, so a refusal leaves the workspace as it was.
 * @public
 */
export function createLinkTfvarsAction() {
  return createTemplateAction({
    id: 'bluegreen:link-tfvars',
    description: `Links each stack's ${SHARED_TFVARS_FILE} to the shared root file with a relative symlink (../${SHARED_TFVARS_FILE}). Idempotent; never overwrites a regular file.`,
    examples,
    supportsDryRun: true,
    schema: {
      input: () => inputSchema,
      output: () => outputSchema,
    },
    async handler(ctx) {
      const { stacks } = parseInput(
        inputSchema,
        ctx.input,
        'input to bluegreen:link-tfvars',
      );
      const rootFile = resolveSafeChildPath(
        ctx.workspacePath,
        SHARED_TFVARS_FILE,
      );
      const rootStat = await lstatOrUndefined(rootFile);
      if (!rootStat?.isFile()) {
        throw new InputError(
          `${SHARED_TFVARS_FILE}: the shared variables file must be a regular file at the workspace root; ${
            rootStat ? 'found something else' : 'it is missing'
          } (render it with fetch:template before this step)`,
        );
      }

      const plans: LinkPlan[] = [];
      for (const [index, stack] of stacks.entries()) {
        plans.push(
          await planLink(ctx.workspacePath, stack, `stacks[${index}]`),
        );
      }

      for (const plan of plans) {
        if (plan.action === 'keep') {
          ctx.logger.info(
            `${plan.relativePath} already links to ${LINK_TARGET}`,
          );
          continue;
        }
        if (plan.action === 'replace') {
          await fs.unlink(plan.linkPath);
        }
        await fs.symlink(LINK_TARGET, plan.linkPath);
        ctx.logger.info(
          `${plan.action === 'replace' ? 'Re-linked' : 'Linked'} ${
            plan.relativePath
          } -> ${LINK_TARGET}`,
        );
      }
      ctx.output(
        'links',
        plans.map(plan => plan.relativePath),
      );
    },
  });
}

async function planLink(
  workspacePath: string,
  stack: string,
  field: string,
): Promise<LinkPlan> {
  const stackDir = await resolveStackDirectory(workspacePath, stack, field);
  const linkPath = path.join(stackDir, SHARED_TFVARS_FILE);
  const relativePath = `${stack}/${SHARED_TFVARS_FILE}`;
  const existing = await lstatOrUndefined(linkPath);
  if (!existing) {
    return { stack, linkPath, relativePath, action: 'create' };
  }
  if (!existing.isSymbolicLink()) {
    throw new InputError(
      `${field}: ${relativePath} already exists as a ${
        existing.isDirectory() ? 'directory' : 'regular file'
      }; refusing to overwrite it (remove it from the template skeleton, the link replaces it)`,
    );
  }
  const target = await fs.readlink(linkPath);
  return {
    stack,
    linkPath,
    relativePath,
    action: target === LINK_TARGET ? 'keep' : 'replace',
  };
}

async function lstatOrUndefined(file: string) {
  try {
    return await fs.lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}
