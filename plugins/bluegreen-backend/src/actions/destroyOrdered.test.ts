import fs from 'node:fs';
import path from 'node:path';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import {
  applyStack,
  copyGeneration,
  stateList,
  tofuBinary,
} from '../__testUtils__/tofu';
import {
  cliEnvironment,
  TerraformCli,
  TerraformCommand,
  TerraformRunner,
} from '../terraform/TerraformCli';
import { ApplicationTeardown } from '../teardown/ApplicationTeardown';
import { createDestroyOrderedAction } from './destroyOrdered';

jest.setTimeout(120_000);

const M = 'module.eks_cluster.module';

describe('bluegreen:destroy-ordered (real OpenTofu CLI)', () => {
  const workspace = createMockDirectory();
  const binary = tofuBinary();
  const config = new ConfigReader({ bluegreen: { terraform: { binary } } });

  beforeEach(() => {
    workspace.clear();
    copyGeneration(workspace.path);
  });

  /** The real CLI, recording each command and the state after each destroy. */
  function recordingRunner() {
    const cli = new TerraformCli(binary, {
      environment: async () => cliEnvironment(process.env),
      cancelGracePeriodMs: 10_000,
    });
    const commands: string[][] = [];
    const stateAfterDestroy: Array<{ target: string; state: string[] }> = [];
    const runner: TerraformRunner = {
      binary,
      async run(command: TerraformCommand) {
        commands.push(command.args);
        const result = await cli.run(command);
        if (command.args[0] === 'destroy') {
          const target = command.args.find(a => a.startsWith('-target='));
          stateAfterDestroy.push({
            target: target?.slice('-target='.length) ?? '(all)',
            state: stateList(workspace.path, path.basename(command.cwd)),
          });
        }
        return result;
      },
    };
    return { runner, commands, stateAfterDestroy };
  }

  function run(
    input: JsonObject,
    runner: TerraformRunner,
    applicationTeardown?: ApplicationTeardown,
  ) {
    const action = createDestroyOrderedAction({
      config,
      runnerFactory: () => runner,
      applicationTeardown,
    });
    const ctx = createMockActionContext({
      input,
      workspacePath: workspace.path,
      logger: mockServices.logger.mock(),
    });
    return { ctx, done: action.handler(ctx as any) };
  }

  it('destroys the modules present in state in the seed order, then the rest', async () => {
    applyStack(workspace.path, 'eks-green');
    const recorder = recordingRunner();

    const { ctx, done } = run(
      { stack: 'eks-green', confirmation: 'eks-blueprint-green' },
      recorder.runner,
    );
    await done;

    const expectedOrder = [
      `${M}.eks_blueprints_dev_teams`,
      `${M}.gitops_bridge_bootstrap`,
      `${M}.eks_blueprints_addons`,
      `${M}.vpc_cni_irsa`,
      `${M}.eks`,
      '(all)',
    ];
    expect(recorder.stateAfterDestroy.map(s => s.target)).toEqual(
      expectedOrder,
    );
    expect(ctx.output).toHaveBeenCalledWith('destroyed', expectedOrder);

    // After each step, its module is gone and every later one is still there.
    const inModule = (state: string[], target: string) =>
      state.some(address => address.startsWith(`${target}.`));
    const observed = recorder.stateAfterDestroy.map(
      ({ target, state }, index) => ({
        target,
        gone:
          target === '(all)' ? state.length === 0 : !inModule(state, target),
        laterStillThere: expectedOrder
          .slice(index + 1, -1)
          .every(later => inModule(state, later)),
      }),
    );
    expect(observed).toEqual(
      expectedOrder.map(target => ({
        target,
        gone: true,
        laterStillThere: true,
      })),
    );
    expect(stateList(workspace.path, 'eks-green')).toEqual([]);
  });

  it('stops at the first failing step and names it', async () => {
    applyStack(workspace.path, 'eks-green');
    fs.writeFileSync(
      path.join(workspace.path, 'eks-green/.fail-destroy-addons'),
      '',
    );
    const recorder = recordingRunner();

    const { done } = run(
      { stack: 'eks-green', confirmation: 'eks-blueprint-green' },
      recorder.runner,
    );

    await expect(done).rejects.toThrow(
      `eks-green: destroy of ${M}.eks_blueprints_addons (step 3 of 6) failed (exit 1) [failed: ${M}.eks_blueprints_addons.terraform_data.coredns]: local-exec provisioner error`,
    );
    expect(recorder.stateAfterDestroy.map(s => s.target)).toEqual([
      `${M}.eks_blueprints_dev_teams`,
      `${M}.gitops_bridge_bootstrap`,
      `${M}.eks_blueprints_addons`,
    ]);
    expect(stateList(workspace.path, 'eks-green')).toContain(
      `${M}.eks.terraform_data.cluster`,
    );
  });

  describe('application teardown', () => {
    it('runs before the first destroy, for the cluster being retired', async () => {
      applyStack(workspace.path, 'eks-green');
      const recorder = recordingRunner();
      const teardown = jest.fn(async () => {
        // Nothing may have been destroyed yet when the workloads are removed.
        expect(recorder.stateAfterDestroy).toEqual([]);
      });

      await run(
        { stack: 'eks-green', confirmation: 'eks-blueprint-green' },
        recorder.runner,
        { teardown },
      ).done;

      expect(teardown).toHaveBeenCalledTimes(1);
      expect(teardown).toHaveBeenCalledWith(
        expect.objectContaining({ clusterName: 'eks-blueprint-green' }),
      );
      expect(stateList(workspace.path, 'eks-green')).toEqual([]);
    });

    it('stops everything when it fails', async () => {
      applyStack(workspace.path, 'eks-green');
      const recorder = recordingRunner();

      await expect(
        run(
          { stack: 'eks-green', confirmation: 'eks-blueprint-green' },
          recorder.runner,
          {
            teardown: async () => {
              throw new Error('ingresses still present: burnham-ingress');
            },
          },
        ).done,
      ).rejects.toThrow('ingresses still present: burnham-ingress');
      expect(recorder.commands.filter(args => args[0] === 'destroy')).toEqual(
        [],
      );
    });

    it('is skipped on request', async () => {
      applyStack(workspace.path, 'eks-green');
      const teardown = jest.fn();

      await run(
        {
          stack: 'eks-green',
          confirmation: 'eks-blueprint-green',
          skipApplicationTeardown: true,
        },
        recordingRunner().runner,
        { teardown },
      ).done;

      expect(teardown).not.toHaveBeenCalled();
      expect(stateList(workspace.path, 'eks-green')).toEqual([]);
    });
  });

  describe('refuses without starting any CLI process', () => {
    const noProcess = () => {
      const runFn = jest.fn();
      return { runner: { binary, run: runFn } as TerraformRunner, runFn };
    };

    it('a cluster whose weight is above 0', async () => {
      const { runner, runFn } = noProcess();
      await expect(
        run({ stack: 'eks-blue', confirmation: 'eks-blueprint-blue' }, runner)
          .done,
      ).rejects.toThrow(
        'stack: eks-blueprint-blue still has route53_weight = 100 in eks-blue/traffic.auto.tfvars; shift its traffic away (weight 0) and apply before retiring it',
      );
      expect(runFn).not.toHaveBeenCalled();
    });

    it('a cluster whose weight file is missing', async () => {
      fs.rmSync(path.join(workspace.path, 'eks-green/traffic.auto.tfvars'));
      const { runner, runFn } = noProcess();
      await expect(
        run({ stack: 'eks-green', confirmation: 'eks-blueprint-green' }, runner)
          .done,
      ).rejects.toThrow(
        'stack: cannot tell that eks-blueprint-green receives no traffic (eks-green/traffic.auto.tfvars is missing), so it is not destroyed',
      );
      expect(runFn).not.toHaveBeenCalled();
    });

    it.each([
      [
        'a block comment hiding the real weight',
        '/*\nroute53_weight = 0\n*/\nroute53_weight = 100\n',
        /eks-green\/traffic\.auto\.tfvars line 1 is not a simple "name = number" assignment/,
      ],
      [
        'two assignments',
        'route53_weight = 0\nroute53_weight = 100\n',
        /sets route53_weight 2 times \(expected once\)/,
      ],
    ])('a weight file with %s', async (_what, content, message) => {
      fs.writeFileSync(
        path.join(workspace.path, 'eks-green/traffic.auto.tfvars'),
        content,
      );
      const { runner, runFn } = noProcess();
      await expect(
        run({ stack: 'eks-green', confirmation: 'eks-blueprint-green' }, runner)
          .done,
      ).rejects.toThrow(message);
      expect(runFn).not.toHaveBeenCalled();
    });

    it('a weight overridden by another variables file', async () => {
      fs.writeFileSync(
        path.join(workspace.path, 'eks-green/zz-override.auto.tfvars'),
        'route53_weight = 100\n',
      );
      const { runner, runFn } = noProcess();
      await expect(
        run({ stack: 'eks-green', confirmation: 'eks-blueprint-green' }, runner)
          .done,
      ).rejects.toThrow(
        /route53_weight is also set in eks-green\/zz-override\.auto\.tfvars/,
      );
      expect(runFn).not.toHaveBeenCalled();
    });

    it.each([
      [
        { stack: 'eks-green', confirmation: 'eks-blueprint-blue' },
        /confirmation: type "eks-blueprint-green"/,
      ],
      [
        { stack: 'environment', confirmation: 'yes' },
        /confirmation: type "eks-blueprint"/,
      ],
      [{ stack: '../eks-green', confirmation: 'x' }, /stack: must be one of/],
      [{ stack: 'eks-green' }, /confirmation: Required/],
      [
        {
          stack: 'eks-green',
          confirmation: 'eks-blueprint-green',
          force: true,
        },
        /Unrecognized key\(s\) in object: 'force'/,
      ],
    ])('bad input %j', async (input, message) => {
      const { runner, runFn } = noProcess();
      await expect(run(input, runner).done).rejects.toThrow(message);
      expect(runFn).not.toHaveBeenCalled();
    });
  });

  it('refuses the environment while a cluster stack has resources, destroying nothing', async () => {
    applyStack(workspace.path, 'environment');
    applyStack(workspace.path, 'eks-blue');
    const recorder = recordingRunner();

    await expect(
      run(
        { stack: 'environment', confirmation: 'eks-blueprint' },
        recorder.runner,
      ).done,
    ).rejects.toThrow(
      'stack: eks-blue still has 7 resources in its state; retire both clusters before the environment',
    );
    expect(recorder.commands.filter(args => args[0] === 'destroy')).toEqual([]);
    expect(stateList(workspace.path, 'environment')).toHaveLength(2);
  });

  it('destroys the environment when no cluster stack has resources', async () => {
    applyStack(workspace.path, 'environment');
    const recorder = recordingRunner();

    const { ctx, done } = run(
      { stack: 'environment', confirmation: 'eks-blueprint' },
      recorder.runner,
    );
    await done;

    expect(ctx.output).toHaveBeenCalledWith('destroyed', ['(all)']);
    expect(stateList(workspace.path, 'environment')).toEqual([]);
  });
});
