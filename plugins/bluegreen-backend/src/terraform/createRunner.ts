import { Config } from '@backstage/config';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { awsEnvironment } from './awsEnvironment';
import { CliName, resolveBinary } from './resolveBinary';
import { RunDirectory } from './RunDirectory';
import { cliEnvironment, TerraformCli, TerraformRunner } from './TerraformCli';

/** `bluegreen.terraform` configuration with its defaults. */
export interface TerraformSettings {
  configuredBinary?: string;
  cancelGracePeriodMs: number;
  stallTimeoutMinutes: number;
  passProxyVariables: boolean;
}

export function readTerraformSettings(config: Config): TerraformSettings {
  const terraform = config.getOptionalConfig('bluegreen.terraform');
  const positive = (key: string, fallback: number) => {
    const value = terraform?.getOptionalNumber(key) ?? fallback;
    if (!(value > 0)) {
      throw new Error(
        `bluegreen.terraform.${key} must be a positive number, got ${value}`,
      );
    }
    return value;
  };
  return {
    configuredBinary: terraform?.getOptionalString('binary'),
    cancelGracePeriodMs: positive('cancelGracePeriodSeconds', 60) * 1000,
    stallTimeoutMinutes: positive('stallTimeoutMinutes', 30),
    passProxyVariables:
      terraform?.getOptionalBoolean('passProxyVariables') ?? false,
  };
}

/** Builds the runner of a command; tests replace it to observe or fake the CLI. */
export type RunnerFactory = (
  binary: string,
  environment: (cwd: string) => Promise<Record<string, string>>,
) => TerraformRunner;

/**
 * The runner of an action: the CLI the input or configuration names, in a clean
 * environment (the run directory's HOME and data directories) with AWS credentials from
 * the backend's AWS configuration.
 */
export function createRunner(options: {
  settings: TerraformSettings;
  requested?: CliName;
  runDirectory: RunDirectory;
  awsCredentialsManager?: AwsCredentialsManager;
  awsAccountId?: string;
  runnerFactory?: RunnerFactory;
}): TerraformRunner {
  const { settings, requested, runnerFactory } = options;
  const binary = resolveBinary({
    requested,
    configured: settings.configuredBinary,
    searchPath: process.env.PATH ?? '',
  });
  const environment = async (cwd: string) =>
    cliEnvironment(process.env, {
      home: options.runDirectory.home,
      dataDir: options.runDirectory.dataDirFor(cwd),
      passProxyVariables: settings.passProxyVariables,
      extra: await awsEnvironment(
        options.awsCredentialsManager,
        options.awsAccountId,
      ),
    });
  return (
    runnerFactory?.(binary, environment) ??
    new TerraformCli(binary, {
      environment,
      cancelGracePeriodMs: settings.cancelGracePeriodMs,
    })
  );
}
