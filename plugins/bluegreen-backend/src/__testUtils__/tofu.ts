import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const FIXTURE = path.resolve(__dirname, '../__fixtures__/generation');

/**
 * The real OpenTofu CLI for tests. Missing is a failure, never a skip: the message says
 * how to get it.
 */
export function tofuBinary(): string {
  const binary = process.env.BLUEGREEN_TOFU;
  if (!binary || !fs.existsSync(binary)) {
    throw new Error(
      'These tests run the real OpenTofu CLI. Build it with `bash scripts/ensure-tofu.sh` (needs Go) and set BLUEGREEN_TOFU to the path it prints; scripts/test.sh does both.',
    );
  }
  return binary;
}

/** Copies the fixture generation (terraform_data stacks shaped like the real ones). */
export function copyGeneration(workspacePath: string) {
  fs.cpSync(FIXTURE, workspacePath, {
    recursive: true,
    verbatimSymlinks: true,
  });
}

/** Runs the CLI directly in a stack (not through the code under test). */
function tofu(workspacePath: string, stack: string, args: string[]): string {
  const result = spawnSync(tofuBinary(), args, {
    cwd: path.join(workspacePath, stack),
    encoding: 'utf8',
    // A CLI configuration file named but missing makes the CLI print a warning on stdout.
    env: { ...process.env, TF_CLI_CONFIG_FILE: undefined },
  });
  if (result.status !== 0) {
    throw new Error(`${args.join(' ')} failed in ${stack}: ${result.stderr}`);
  }
  return result.stdout;
}

/** `state list` of a stack. */
export function stateList(workspacePath: string, stack: string): string[] {
  return tofu(workspacePath, stack, ['state', 'list'])
    .split('\n')
    .filter(Boolean);
}

/** `init` and `apply` of a stack, to set up a test. */
export function applyStack(workspacePath: string, stack: string) {
  tofu(workspacePath, stack, ['init', '-input=false']);
  tofu(workspacePath, stack, ['apply', '-auto-approve', '-input=false']);
}

/** The weight a cluster stack's state holds (its GitOps Bridge metadata), if applied. */
export function stateWeight(
  workspacePath: string,
  stack: string,
): number | undefined {
  // The actions keep the CLI's data directory elsewhere: init this folder for `show`.
  tofu(workspacePath, stack, ['init', '-input=false']);
  const shown = JSON.parse(tofu(workspacePath, stack, ['show', '-json']));
  const find = (module: any): number | undefined => {
    for (const resource of module?.resources ?? []) {
      if (resource.address.endsWith('terraform_data.gitops_metadata')) {
        return resource.values?.input?.route53_weight;
      }
    }
    for (const child of module?.child_modules ?? []) {
      const found = find(child);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return find(shown.values?.root_module);
}
