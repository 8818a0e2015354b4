import { z } from 'zod/v3';
import { CLI_NAMES } from './resolveBinary';

/**
 * Input fields of every action that runs the Terraform CLI. The AWS account is not one
 * of them: the configuration binds it to the generation's repository.
 */
export const cliInputFields = {
  binary: z
    .enum(CLI_NAMES)
    .optional()
    .describe(
      'The CLI to run (default: bluegreen.terraform.binary, else tofu or terraform from PATH)',
    ),
};
