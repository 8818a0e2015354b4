import { z } from 'zod/v3';

/**
 * The Terraform stacks of a cluster generation, in apply order.
 * @public
 */
export const GENERATION_STACKS = [
  'environment',
  'eks-blue',
  'eks-green',
] as const;

/** @public */
export type GenerationStack = (typeof GENERATION_STACKS)[number];

/**
 * Zod schema of one stack of a generation, by name.
 * @public
 */
export const generationStackSchema = z.enum(GENERATION_STACKS, {
  errorMap: () => ({
    message: `must be one of ${GENERATION_STACKS.join(', ')}`,
  }),
});

/**
 * The shared variables file at the root of a generation, linked into every stack.
 * @public
 */
export const SHARED_TFVARS_FILE = 'terraform.tfvars';

/**
 * Why a stack name is not acceptable, or undefined when it is. A stack is one directory
 * directly under the workspace root, so anything that could walk elsewhere is refused.
 * @public
 */
export function stackNameProblem(name: string): string | undefined {
  if (name.length === 0) {
    return 'must not be empty';
  }
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) {
    return 'must be a directory name inside the workspace, not an absolute path';
  }
  if (name.includes('/') || name.includes('\\')) {
    return "must be a single directory name, without '/' or '\\'";
  }
  if (name === '.' || name.includes('..')) {
    return "must not be '.' or contain '..'";
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    return 'may only contain letters, digits, ".", "_" and "-", and must start with a letter or digit';
  }
  return undefined;
}

/**
 * Zod schema of a list of stack names: every name valid, none repeated.
 * @public
 */
export const stackListSchema = z
  .array(
    z.string().superRefine((name, ctx) => {
      const problem = stackNameProblem(name);
      if (problem) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `stack name "${name}" ${problem}`,
        });
      }
    }),
  )
  .min(1, 'list at least one stack')
  .superRefine((names, ctx) => {
    names.forEach((name, index) => {
      if (names.indexOf(name) !== index) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [index],
          message: `stack "${name}" is listed more than once`,
        });
      }
    });
  });
