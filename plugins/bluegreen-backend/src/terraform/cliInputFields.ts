import { z } from 'zod/v3';
import { CLI_NAMES } from './resolveBinary';

/** Input fields of every action that runs the Terraform CLI. */
export const cliInputFields = {
  awsAccountId: z
    .string()
    .regex(/^\d{12}$/, 'an AWS account ID is 12 digits')
    .optional()
    .describe(
      'The aws.accounts entry whose credentials the CLI gets (default: the main account)',
    ),
  binary: z
    .enum(CLI_NAMES)
    .optional()
    .describe(
      'The CLI to run (default: bluegreen.terraform.binary, else tofu or terraform from PATH)',
    ),
};
