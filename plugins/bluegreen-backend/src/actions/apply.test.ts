import fs from 'node:fs';
import path from 'node:path';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import { copyGeneration, stateList, tofuBinary } from '../__testUtils__/tofu';
import {
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import { RunnerFactory } from '../terraform/createRunner';
import { TerraformCli, TerraformRunner } from '../terraform/TerraformCli';
import { createApplyAction } from './apply';

jest.setTimeout(90_000);

const CLUSTER = 'module.eks_cluster.module.eks.terraform_data.cluster';

/** The real CLI, keeping the environment each command was given. */
const recordingEnvironments =
  (sink: Array<Record<string, string>>): RunnerFactory =>
  (cli, environment) =>
    new TerraformCli(cli, {
      environment: async () => {
        const env = await environment();
        sink.push(env);
        return env;
      },
      cancelGracePeriodMs: 10_000,
    });
const CLUSTER_RE = CLUSTER.replace(/\./g, '\\.');

describe('bluegreen:apply (real OpenTofu CLI)', () => {
  const workspace = createMockDirectory();
  const binary = tofuBinary();
  const config = new ConfigReader({
    bluegreen: { terraform: { binary, cancelGracePeriodSeconds: 20 } },
  });

  beforeEach(() => {
    workspace.clear();
    copyGeneration(workspace.path);
  });

  function start(
    input: JsonObject,
    extra: {
      signal?: AbortSignal;
      isDryRun?: boolean;
      heartbeatMs?: number;
    } = {},
  ) {
    const action = createApplyAction({
      config,
      heartbeatMs: extra.heartbeatMs,
    });
    const logger = mockServices.logger.mock();
    const ctx = {
      ...createMockActionContext({
        input,
        workspacePath: workspace.path,
        logger,
      }),
      signal: extra.signal,
      isDryRun: extra.isDryRun,
    };
    const lines = () => logger.info.mock.calls.map(call => String(call[0]));
    return { ctx, lines, done: action.handler(ctx as any) };
  }

  async function waitForLine(lines: () => string[], pattern: RegExp) {
    const deadline = Date.now() + 30_000;
    while (!lines().some(line => pattern.test(line))) {
      if (Date.now() > deadline) {
        throw new Error(
          `no log line matched ${pattern}:\n${lines().join('\n')}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }

  const lockFile = (stack: string) =>
    path.join(workspace.path, stack, '.terraform.tfstate.lock.info');

  it('applies two stacks in order and returns their non-sensitive outputs', async () => {
    const { ctx, lines, done } = start({ stacks: ['environment', 'eks-blue'] });
    await done;

    expect(stateList(workspace.path, 'environment')).toEqual([
      'terraform_data.route53_zone',
      'terraform_data.vpc',
    ]);
    expect(stateList(workspace.path, 'eks-blue')).toContain(CLUSTER);
    expect(
      fs.existsSync(path.join(workspace.path, 'eks-green/terraform.tfstate')),
    ).toBe(false);

    expect(ctx.output).toHaveBeenCalledWith('outputs', {
      environment: { vpc_id: 'vpc-eks-blueprint' },
      'eks-blue': {
        cluster_name: 'eks-blueprint-blue',
        cluster_endpoint: 'https://eks-blueprint-blue.eks.example.com',
      },
    });
    expect(ctx.output).toHaveBeenCalledWith('changes', {
      environment:
        'Apply complete! Resources: 2 added, 0 changed, 0 destroyed.',
      'eks-blue': 'Apply complete! Resources: 7 added, 0 changed, 0 destroyed.',
    });

    const log = lines();
    const lastEnvironment = log.findLastIndex(l =>
      l.startsWith('[environment]'),
    );
    const firstBlue = log.findIndex(l => l.startsWith('[eks-blue]'));
    expect(lastEnvironment).toBeLessThan(firstBlue);
    expect(
      log.some(l =>
        l.startsWith(`[eks-blue] ${CLUSTER}: Creation complete after`),
      ),
    ).toBe(true);
    expect(log.join('\n')).toContain(
      '[environment] Outputs: vpc_id (sensitive, not shown: argocd_admin_password)',
    );
    expect(log.join('\n')).not.toContain('not-for-the-log');
  });

  it('fails on a failing resource, naming it, and leaves the next stack untouched', async () => {
    const { done } = start({
      stacks: ['eks-blue', 'eks-green'],
      variables: { fail: true },
    });

    await expect(done).rejects.toThrow(
      new RegExp(
        `eks-blue: apply failed \\(exit 1\\) \\[failed: ${CLUSTER_RE}\\]: local-exec provisioner error`,
      ),
    );
    expect(
      fs.existsSync(path.join(workspace.path, 'eks-green/.terraform')),
    ).toBe(false);
    expect(
      fs.existsSync(path.join(workspace.path, 'eks-green/terraform.tfstate')),
    ).toBe(false);
  });

  it('plans instead of applying in a dry run', async () => {
    const { ctx, lines, done } = start(
      { stacks: ['eks-green'] },
      { isDryRun: true },
    );
    await done;

    expect(ctx.output).toHaveBeenCalledWith('changes', {
      'eks-green': 'Plan: 7 to add, 0 to change, 0 to destroy.',
    });
    expect(lines()).toContain(`[eks-green] ${CLUSTER}: Plan to create`);
    expect(
      fs.existsSync(path.join(workspace.path, 'eks-green/terraform.tfstate')),
    ).toBe(false);
  });

  it('on cancellation interrupts the CLI, which releases the lock, and a rerun succeeds', async () => {
    const controller = new AbortController();
    const { lines, done } = start(
      { stacks: ['eks-blue'], variables: { sleep_once_seconds: 60 } },
      { signal: controller.signal },
    );
    await waitForLine(lines, new RegExp(`${CLUSTER_RE}: Creating\\.\\.\\.`));
    const cancelledAt = Date.now();
    controller.abort();

    await expect(done).rejects.toThrow(
      'bluegreen:apply was cancelled during apply of eks-blue: the CLI was interrupted (SIGINT) and exited, releasing the state lock',
    );
    expect(Date.now() - cancelledAt).toBeLessThan(15_000);
    expect(fs.existsSync(lockFile('eks-blue'))).toBe(false);

    await start({ stacks: ['eks-blue'] }).done;
    expect(stateList(workspace.path, 'eks-blue')).toContain(CLUSTER);
  });

  it('fails a second apply of the same stack on the state lock and keeps the state intact', async () => {
    const first = start({
      stacks: ['eks-blue'],
      variables: { sleep_once_seconds: 20 },
    });
    await waitForLine(
      first.lines,
      new RegExp(`${CLUSTER_RE}: Creating\\.\\.\\.`),
    );

    await expect(start({ stacks: ['eks-blue'] }).done).rejects.toThrow(
      /eks-blue: apply failed \(exit 1\): Error acquiring the state lock/,
    );
    await first.done;
    const state = stateList(workspace.path, 'eks-blue');
    expect(state).toHaveLength(7);
    expect(state).toContain(CLUSTER);
  });

  it('reruns an apply once when a resource stalls, with heartbeats meanwhile', async () => {
    const { lines, done } = start(
      {
        stacks: ['eks-green'],
        variables: { sleep_once_seconds: 60 },
        stallTimeoutMinutes: 0.05,
      },
      { heartbeatMs: 1000 },
    );
    await done;

    const log = lines().join('\n');
    expect(log).toMatch(
      new RegExp(`still in progress: ${CLUSTER_RE} \\(\\d+s\\)`),
    );
    expect(log).toContain(
      `${CLUSTER} was still in progress after 3 s (stall timeout): interrupted the apply; running it once more`,
    );
    expect(log).toContain('apply (attempt 2)');
    expect(stateList(workspace.path, 'eks-green')).toContain(CLUSTER);
  });

  it('gives the CLI the AWS credentials of the configured account and logs no secret', async () => {
    const manager = DefaultAwsCredentialsManager.fromConfig(
      new ConfigReader({
        aws: {
          accounts: [
            {
              accountId: '111122223333',
              accessKeyId: 'AKIAEXAMPLEACCOUNT00',
              secretAccessKey: 'example-secret-key',
            },
          ],
        },
      }),
    );
    const environments: Array<Record<string, string>> = [];
    const action = createApplyAction({
      config,
      awsCredentialsManager: manager,
      runnerFactory: recordingEnvironments(environments),
    });
    const logger = mockServices.logger.mock();
    const ctx = createMockActionContext({
      input: { stacks: ['environment'], awsAccountId: '111122223333' },
      workspacePath: workspace.path,
      logger,
    });

    await action.handler(ctx as any);

    // One environment per command (init, apply), each with the account's credentials.
    expect(environments).toHaveLength(2);
    expect(environments[1]).toMatchObject({
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEACCOUNT00',
      AWS_SECRET_ACCESS_KEY: 'example-secret-key',
      TF_IN_AUTOMATION: '1',
    });
    expect(JSON.stringify(logger.info.mock.calls)).not.toContain(
      'example-secret-key',
    );
  });

  it('resolves AWS credentials again for every command', async () => {
    let issued = 0;
    const rotating: AwsCredentialsManager = {
      async getCredentialProvider() {
        return {
          sdkCredentialProvider: async () => {
            issued += 1;
            return {
              accessKeyId: `ASIAROTATING${issued}`,
              secretAccessKey: `rotating-secret-${issued}`,
              sessionToken: `session-${issued}`,
            };
          },
        };
      },
    };
    const keys: Array<Record<string, string>> = [];
    const action = createApplyAction({
      config,
      awsCredentialsManager: rotating,
      runnerFactory: recordingEnvironments(keys),
    });

    await action.handler(
      createMockActionContext({
        input: { stacks: ['environment', 'eks-blue'] },
        workspacePath: workspace.path,
        logger: mockServices.logger.mock(),
      }) as any,
    );

    expect(keys.map(env => env.AWS_ACCESS_KEY_ID)).toEqual([
      'ASIAROTATING1',
      'ASIAROTATING2',
      'ASIAROTATING3',
      'ASIAROTATING4',
    ]);
  });

  it('gives a dry run no AWS credentials', async () => {
    const environments: Array<Record<string, string>> = [];
    const action = createApplyAction({
      config,
      awsCredentialsManager: DefaultAwsCredentialsManager.fromConfig(
        new ConfigReader({
          aws: {
            mainAccount: {
              accessKeyId: 'AKIAEXAMPLEMAIN00000',
              secretAccessKey: 'main-secret-key',
            },
          },
        }),
      ),
      runnerFactory: recordingEnvironments(environments),
    });
    const ctx = {
      ...createMockActionContext({
        input: { stacks: ['environment'] },
        workspacePath: workspace.path,
        logger: mockServices.logger.mock(),
      }),
      isDryRun: true,
    };

    await action.handler(ctx as any);

    expect(environments).toHaveLength(2);
    expect(environments.map(env => env.AWS_ACCESS_KEY_ID)).toEqual([
      undefined,
      undefined,
    ]);
    expect(environments[1].AWS_SHARED_CREDENTIALS_FILE).toBe('/dev/null');
  });

  it('refuses a stack directory missing from the workspace before any process starts', async () => {
    fs.rmSync(path.join(workspace.path, 'eks-green'), { recursive: true });
    const run = jest.fn();
    const action = createApplyAction({
      config,
      runnerFactory: () => ({ binary, run } as TerraformRunner),
    });

    await expect(
      action.handler(
        createMockActionContext({
          input: { stacks: ['eks-blue', 'eks-green'] },
          workspacePath: workspace.path,
          logger: mockServices.logger.mock(),
        }) as any,
      ),
    ).rejects.toThrow(
      'stacks[1]: stack directory "eks-green" does not exist in the workspace',
    );
    expect(run).not.toHaveBeenCalled();
  });

  describe('rejects bad input before any process starts', () => {
    it.each([
      [
        { stacks: ['../eks-blue'] },
        /stacks\[0\]: must be one of environment, eks-blue, eks-green/,
      ],
      [{ stacks: ['/tmp/eks-blue'] }, /stacks\[0\]: must be one of/],
      [{ stacks: ['eks-purple'] }, /stacks\[0\]: must be one of/],
      [{ stacks: [] }, /stacks: list at least one stack/],
      [
        { stacks: ['eks-blue', 'eks-blue'] },
        /stacks: a stack is listed more than once/,
      ],
      [
        { stacks: ['eks-blue'], variables: { 'x; rm -rf /': '1' } },
        /variables\.x; rm -rf \/: a variable name must be an HCL identifier/,
      ],
      [
        { stacks: ['eks-blue'], variables: { '$(id)': '1' } },
        /variables\.\$\(id\): a variable name must be an HCL identifier/,
      ],
      [
        { stacks: ['eks-blue'], binary: '/bin/sh' },
        /binary: Invalid enum value/,
      ],
      [
        { stacks: ['eks-blue'], awsAccountId: '12345' },
        /awsAccountId: an AWS account ID is 12 digits/,
      ],
    ])('%j', async (input, message) => {
      const run = jest.fn();
      const action = createApplyAction({
        config,
        runnerFactory: () => ({ binary, run } as TerraformRunner),
      });
      const ctx = createMockActionContext({
        input: input as JsonObject,
        workspacePath: workspace.path,
        logger: mockServices.logger.mock(),
      });

      await expect(action.handler(ctx as any)).rejects.toThrow(message);
      expect(run).not.toHaveBeenCalled();
    });
  });
});
