import { Config } from '@backstage/config';
import { CliName, resolveBinary } from './resolveBinary';
import { cliEnvironment, TerraformCli, TerraformRunner } from './TerraformCli';

/** `bluegreen.terraform` configuration with its defaults. */
export interface TerraformSettings {
  configuredBinary?: string;
  cancelGracePeriodMs: number;
  stallTimeoutMinutes: number;
}

export function readTerraformSettings(config: Config): TerraformSettings {
  const terraform = config.getOptionalConfig('bluegreen.terraform');
  return {
    configuredBinary: terraform?.getOptionalString('binary'),
    cancelGracePeriodMs:
      (terraform?.getOptionalNumber('cancelGracePeriodSeconds') ?? 60) * 1000,
    stallTimeoutMinutes:
      terraform?.getOptionalNumber('stallTimeoutMinutes') ?? 30,
  };
}

/** The runner of an action: the CLI the input or configuration names, or the test's. */
export function createRunner(options: {
  settings: TerraformSettings;
  requested?: CliName;
  runnerFactory?: (binary: string) => TerraformRunner;
}): TerraformRunner {
  const { settings, requested, runnerFactory } = options;
  const binary = resolveBinary({
    requested,
    configured: settings.configuredBinary,
    searchPath: process.env.PATH ?? '',
  });
  return (
    runnerFactory?.(binary) ??
    new TerraformCli(binary, {
      env: cliEnvironment(process.env),
      cancelGracePeriodMs: settings.cancelGracePeriodMs,
    })
  );
}
