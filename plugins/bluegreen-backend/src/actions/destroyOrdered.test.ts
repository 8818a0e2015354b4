import fs from 'node:fs';
import path from 'node:path';
import { UrlReaderService } from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import { CLUSTER_DESTROY_ORDER } from '@bluegreen/plugin-bluegreen-common';
import {
  fixtureUrlReader,
  fixtureWithLocalState,
} from '../__testUtils__/fixtureRepository';
import {
  GENERATION_ENTITY,
  GENERATION_URL,
  PermissionRule,
  testGenerationGuard,
} from '../__testUtils__/security';
import {
  applyStack,
  copyGeneration,
  stateList,
  tofuBinary,
} from '../__testUtils__/tofu';
import { RunnerFactory } from '../terraform/createRunner';
import { TerraformCli, TerraformCommand } from '../terraform/TerraformCli';
import { ApplicationTeardown } from '../teardown/ApplicationTeardown';
import { createDestroyOrderedAction } from './destroyOrdered';

jest.setTimeout(120_000);

const M = 'module.eks_cluster.module';
const GENERATION = 'system:default/eks-blueprint';

describe('bluegreen:destroy-ordered (real OpenTofu CLI)', () => {
  const workspace = createMockDirectory();
  const reference = createMockDirectory();
  const binary = tofuBinary();
  const config = new ConfigReader({ bluegreen: { terraform: { binary } } });

  beforeEach(() => {
    workspace.clear();
    copyGeneration(workspace.path);
  });

  /** The real CLI, recording each command and the state after each destroy. */
  function recordingRunner() {
    const commands: string[][] = [];
    const stateAfterDestroy: Array<{ target: string; state: string[] }> = [];
    const factory: RunnerFactory = (cli, environment) => {
      const real = new TerraformCli(cli, {
        environment,
        cancelGracePeriodMs: 10_000,
      });
      return {
        binary: cli,
        async run(command: TerraformCommand) {
          commands.push(command.args);
          const result = await real.run(command);
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
    };
    return { factory, commands, stateAfterDestroy };
  }

  /** A runner factory that starts nothing and records every command it is asked for. */
  const noProcess = () => {
    const commands: string[][] = [];
    const factoryCalls = jest.fn();
    const factory: RunnerFactory = cli => {
      factoryCalls(cli);
      return {
        binary: cli,
        async run(command: TerraformCommand) {
          commands.push(command.args);
          return { exitCode: 0, interrupted: false, killed: false };
        },
      };
    };
    return { factory, factoryCalls, commands };
  };

  function run(
    input: JsonObject,
    runner: { factory: RunnerFactory },
    applicationTeardown?: ApplicationTeardown,
    extra: {
      isDryRun?: boolean;
      rule?: PermissionRule;
      urlReader?: UrlReaderService;
      getInitiatorCredentials?: () => Promise<unknown>;
    } = {},
  ) {
    const guarded = testGenerationGuard({
      entities: [GENERATION_ENTITY],
      urlReader:
        extra.urlReader ??
        fixtureWithLocalState(workspace.path, fixtureUrlReader(GENERATION_URL)),
      rule: extra.rule,
    });
    const action = createDestroyOrderedAction({
      config,
      generationGuard: guarded.generationGuard,
      runnerFactory: runner.factory,
      applicationTeardown,
    });
    const logger = mockServices.logger.mock();
    const ctx = {
      ...createMockActionContext({
        input: { generation: GENERATION, ...input },
        workspacePath: workspace.path,
        logger,
      }),
      isDryRun: extra.isDryRun,
      ...(extra.getInitiatorCredentials
        ? { getInitiatorCredentials: extra.getInitiatorCredentials }
        : {}),
    };
    const lines = () => logger.info.mock.calls.map(call => String(call[0]));
    return {
      ctx,
      lines,
      auditor: guarded.auditor,
      permissionRequests: guarded.permissionRequests,
      done: action.handler(ctx as any),
    };
  }

  it('destroys the modules present in state in the seed order, then the rest', async () => {
    applyStack(workspace.path, 'eks-green');
    const recorder = recordingRunner();

    const { ctx, done } = run(
      { stack: 'eks-green', confirmation: 'eks-blueprint-green' },
      recorder,
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
      recorder,
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
        recorder,
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
          recorder,
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
        recordingRunner(),
        { teardown },
      ).done;

      expect(teardown).not.toHaveBeenCalled();
      expect(stateList(workspace.path, 'eks-green')).toEqual([]);
    });
  });

  /** The fixture as a repository changed by `change` (in a copy). */
  function repositoryWith(change: (dir: string) => void): UrlReaderService {
    reference.clear();
    copyGeneration(reference.path);
    change(reference.path);
    return fixtureWithLocalState(
      workspace.path,
      fixtureUrlReader(GENERATION_URL, { fixture: reference.path }),
    );
  }

  describe('refuses without starting any CLI process', () => {
    it('a cluster whose weight is above 0', async () => {
      const runner = noProcess();
      await expect(
        run({ stack: 'eks-blue', confirmation: 'eks-blueprint-blue' }, runner)
          .done,
      ).rejects.toThrow(
        'stack: eks-blueprint-blue still has route53_weight = 100 in eks-blue/traffic.auto.tfvars; shift its traffic away (weight 0) and apply before retiring it',
      );
      expect(runner.commands).toEqual([]);
      expect(runner.factoryCalls).not.toHaveBeenCalled();
    });

    it('a cluster whose weight file is missing (from the workspace: the verifier; from the repository too: the weight check)', async () => {
      fs.rmSync(path.join(workspace.path, 'eks-green/traffic.auto.tfvars'));
      const runner = noProcess();
      await expect(
        run({ stack: 'eks-green', confirmation: 'eks-blueprint-green' }, runner)
          .done,
      ).rejects.toThrow(
        'eks-green/traffic.auto.tfvars is missing from the workspace',
      );

      await expect(
        run(
          { stack: 'eks-green', confirmation: 'eks-blueprint-green' },
          runner,
          undefined,
          {
            urlReader: repositoryWith(dir =>
              fs.rmSync(path.join(dir, 'eks-green/traffic.auto.tfvars')),
            ),
          },
        ).done,
      ).rejects.toThrow(
        'stack: cannot tell that eks-blueprint-green receives no traffic (eks-green/traffic.auto.tfvars is missing), so it is not destroyed',
      );
      expect(runner.commands).toEqual([]);
      expect(runner.factoryCalls).not.toHaveBeenCalled();
    });

    // The verifier refuses such a weight file first; a dry run, which does not verify
    // the workspace, still meets the weight check.
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
      const runner = noProcess();
      const input = { stack: 'eks-green', confirmation: 'eks-blueprint-green' };
      await expect(run(input, runner).done).rejects.toThrow(
        'eks-green/traffic.auto.tfvars holds more than the "route53_weight = <0-255>" line',
      );
      await expect(
        run(input, runner, undefined, { isDryRun: true }).done,
      ).rejects.toThrow(message);
      expect(runner.commands).toEqual([]);
    });

    it('a weight overridden by another variables file (in the workspace: the verifier; in the repository: the weight check)', async () => {
      const override = 'eks-green/zz-override.auto.tfvars';
      fs.writeFileSync(
        path.join(workspace.path, override),
        'route53_weight = 100\n',
      );
      const runner = noProcess();
      const input = { stack: 'eks-green', confirmation: 'eks-blueprint-green' };
      await expect(run(input, runner).done).rejects.toThrow(
        `${override} is not in the repository`,
      );

      await expect(
        run(input, runner, undefined, {
          urlReader: repositoryWith(dir =>
            fs.writeFileSync(
              path.join(dir, override),
              'route53_weight = 100\n',
            ),
          ),
        }).done,
      ).rejects.toThrow(
        /route53_weight is also set in eks-green\/zz-override\.auto\.tfvars/,
      );
      expect(runner.commands).toEqual([]);
      expect(runner.factoryCalls).not.toHaveBeenCalled();
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
      [
        {
          stack: 'eks-green',
          confirmation: 'eks-blueprint-green',
          awsAccountId: '111122223333',
        },
        /Unrecognized key\(s\) in object: 'awsAccountId'/,
      ],
      [
        {
          stack: 'eks-green',
          confirmation: 'eks-blueprint-green',
          generation: undefined,
        },
        /generation: Required/,
      ],
      [
        {
          stack: 'eks-green',
          confirmation: 'eks-blueprint-green',
          generation: 'user:default/eks-blueprint',
        },
        /generation: must be the generation's System entity, got kind user/,
      ],
    ])('bad input %j', async (input, message) => {
      const runner = noProcess();
      await expect(run(input as JsonObject, runner).done).rejects.toThrow(
        message,
      );
      expect(runner.commands).toEqual([]);
      expect(runner.factoryCalls).not.toHaveBeenCalled();
    });

    it('a workspace with an extra .tf file in the cluster stack', async () => {
      applyStack(workspace.path, 'eks-green');
      fs.writeFileSync(
        path.join(workspace.path, 'eks-green/evil.tf'),
        'data "external" "pwn" {\n  program = ["sh", "-c", "touch pwned; echo {}"]\n}\n',
      );
      const runner = noProcess();
      await expect(
        run({ stack: 'eks-green', confirmation: 'eks-blueprint-green' }, runner)
          .done,
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(
          `workspace: it does not hold the generation repository ${GENERATION_URL} (eks-green/evil.tf is not in the repository)`,
        ),
      });
      expect(runner.commands).toEqual([]);
      expect(runner.factoryCalls).not.toHaveBeenCalled();
      expect(stateList(workspace.path, 'eks-green')).toHaveLength(7);
    });
  });

  describe('refuses the initiator before any CLI process', () => {
    it('without bluegreen.retire on the generation (bluegreen.apply is not enough): NotAllowedError naming the permission and the entity, audited as failed', async () => {
      applyStack(workspace.path, 'eks-green');
      const runner = noProcess();
      const teardown = jest.fn();
      const attempt = run(
        { stack: 'eks-green', confirmation: 'eks-blueprint-green' },
        runner,
        { teardown },
        { rule: ({ permission }) => permission === 'bluegreen.apply' },
      );

      await expect(attempt.done).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: `user:default/mock is not allowed to destroy-ordered: permission bluegreen.retire on ${GENERATION}`,
      });
      expect(runner.factoryCalls).not.toHaveBeenCalled();
      expect(runner.commands).toEqual([]);
      expect(teardown).not.toHaveBeenCalled();
      expect(attempt.permissionRequests).toEqual([
        {
          permission: 'bluegreen.retire',
          resourceRef: GENERATION,
          user: 'user:default/mock',
        },
      ]);
      const [[event]] = attempt.auditor.createEvent.mock.calls;
      expect(event).toMatchObject({
        eventId: 'bluegreen-action',
        severityLevel: 'high',
        meta: {
          action: 'bluegreen:destroy-ordered',
          initiator: 'user:default/mock',
          dryRun: false,
          permissions: [
            { permission: 'bluegreen.retire', entityRef: GENERATION },
          ],
          input: { stack: 'eks-green' },
        },
      });
      const audit = await attempt.auditor.createEvent.mock.results[0].value;
      expect(audit.fail).toHaveBeenCalledTimes(1);
      expect(audit.fail).toHaveBeenCalledWith(
        expect.objectContaining({ meta: { refused: true } }),
      );
      expect(audit.success).not.toHaveBeenCalled();
      expect(stateList(workspace.path, 'eks-green')).toHaveLength(7);
    });

    it('for a task with no user initiator: NotAllowedError, audited as failed, no permission asked', async () => {
      const runner = noProcess();
      const attempt = run(
        { stack: 'eks-green', confirmation: 'eks-blueprint-green' },
        runner,
        undefined,
        { getInitiatorCredentials: async () => mockCredentials.none() },
      );

      await expect(attempt.done).rejects.toMatchObject({
        name: 'NotAllowedError',
        message:
          'bluegreen:destroy-ordered runs only for a task started by a signed-in user; this task has no user initiator',
      });
      expect(runner.factoryCalls).not.toHaveBeenCalled();
      expect(runner.commands).toEqual([]);
      expect(attempt.permissionRequests).toEqual([]);
      const audit = await attempt.auditor.createEvent.mock.results[0].value;
      expect(audit.fail).toHaveBeenCalledTimes(1);
      expect(audit.success).not.toHaveBeenCalled();
    });

    it('in a dry run too', async () => {
      const runner = noProcess();
      await expect(
        run(
          { stack: 'eks-green', confirmation: 'eks-blueprint-green' },
          runner,
          undefined,
          { isDryRun: true, rule: () => false },
        ).done,
      ).rejects.toThrow(`permission bluegreen.retire on ${GENERATION}`);
      expect(runner.commands).toEqual([]);
    });
  });

  describe('dry run', () => {
    it('of a cluster spawns no CLI process, logs the exact commands and leaves the state alone', async () => {
      applyStack(workspace.path, 'eks-green');
      const runner = noProcess();
      const teardown = jest.fn();
      const { ctx, lines, done } = run(
        { stack: 'eks-green', confirmation: 'eks-blueprint-green' },
        runner,
        { teardown },
        { isDryRun: true },
      );
      await done;

      expect(runner.commands).toEqual([]);
      expect(teardown).not.toHaveBeenCalled();
      expect(lines().filter(l => l.includes('Dry run:'))).toEqual([
        `Dry run: the workspace is not compared with ${GENERATION_URL} and no CLI runs`,
        `[eks-green] Dry run: would run in eks-green: ${binary} init -input=false -no-color`,
        `[eks-green] Dry run: would run in eks-green: ${binary} state list`,
        `[eks-green] Dry run: would run in eks-green: ${binary} destroy -auto-approve -input=false -json with -target= each of ${CLUSTER_DESTROY_ORDER.join(
          ', ',
        )} that the state holds, in that order, then once without -target`,
      ]);
      expect(ctx.output).toHaveBeenCalledWith('destroyed', []);
      expect(stateList(workspace.path, 'eks-green')).toHaveLength(7);
      expect(fs.existsSync(path.join(workspace.path, '.bluegreen'))).toBe(
        false,
      );
    });

    it('of the environment spawns no CLI process and lists the state checks of both clusters first', async () => {
      applyStack(workspace.path, 'environment');
      const recorder = recordingRunner();
      const { ctx, lines, done } = run(
        { stack: 'environment', confirmation: 'eks-blueprint' },
        recorder,
        undefined,
        { isDryRun: true },
      );
      await done;

      expect(recorder.commands).toEqual([]);
      expect(lines().filter(l => l.includes('Dry run: would run'))).toEqual([
        `[environment] Dry run: would run in eks-blue: ${binary} init -input=false -no-color`,
        `[environment] Dry run: would run in eks-blue: ${binary} state list`,
        `[environment] Dry run: would run in eks-green: ${binary} init -input=false -no-color`,
        `[environment] Dry run: would run in eks-green: ${binary} state list`,
        `[environment] Dry run: would run in environment: ${binary} init -input=false -no-color`,
        `[environment] Dry run: would run in environment: ${binary} state list`,
        `[environment] Dry run: would run in environment: ${binary} destroy -auto-approve -input=false -json`,
      ]);
      expect(ctx.output).toHaveBeenCalledWith('destroyed', []);
      expect(stateList(workspace.path, 'environment')).toHaveLength(2);
    });

    it('still refuses a cluster that has traffic, and a wrong confirmation', async () => {
      const runner = noProcess();
      await expect(
        run(
          { stack: 'eks-blue', confirmation: 'eks-blueprint-blue' },
          runner,
          undefined,
          { isDryRun: true },
        ).done,
      ).rejects.toThrow(
        'stack: eks-blueprint-blue still has route53_weight = 100',
      );
      await expect(
        run(
          { stack: 'eks-green', confirmation: 'eks-blueprint-blue' },
          runner,
          undefined,
          { isDryRun: true },
        ).done,
      ).rejects.toThrow('confirmation: type "eks-blueprint-green"');
      expect(runner.commands).toEqual([]);
    });
  });

  it('refuses the environment while a cluster stack has resources, destroying nothing', async () => {
    applyStack(workspace.path, 'environment');
    applyStack(workspace.path, 'eks-blue');
    const recorder = recordingRunner();

    await expect(
      run({ stack: 'environment', confirmation: 'eks-blueprint' }, recorder)
        .done,
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
      recorder,
    );
    await done;

    expect(ctx.output).toHaveBeenCalledWith('destroyed', ['(all)']);
    expect(stateList(workspace.path, 'environment')).toEqual([]);
  });
});
