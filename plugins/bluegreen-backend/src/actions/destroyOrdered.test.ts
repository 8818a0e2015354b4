import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Route53Client } from '@aws-sdk/client-route-53';
import { UrlReaderService } from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { CLUSTER_DESTROY_ORDER } from '@bluegreen/plugin-bluegreen-common';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import {
  fixtureUrlReader,
  fixtureWithLocalState,
} from '../__testUtils__/fixtureRepository';
import {
  blueGreenComponent,
  BURNHAM,
  CLUSTERS,
  sandboxRoute53,
  sandboxZoneId,
  upsertRecord,
  weightedRecords,
} from '../__testUtils__/sandbox';
import {
  GENERATION_ENTITY,
  GENERATION_URL,
  PermissionRule,
  testGenerationGuard,
  testRouteWeightCheck,
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
/** The generation's catalog entities: its System and the Component serving burnham. */
const ENTITIES: Entity[] = [
  GENERATION_ENTITY,
  blueGreenComponent('burnham', BURNHAM),
];

describe('bluegreen:destroy-ordered (real OpenTofu CLI)', () => {
  const workspace = createMockDirectory();
  const reference = createMockDirectory();
  const binary = tofuBinary();
  const config = new ConfigReader({ bluegreen: { terraform: { binary } } });
  // The AWS sandbox stand-in: burnham is blue 100 / green 0 in Route 53.
  let sandbox: Sandbox;
  let client: Route53Client;

  beforeEach(async () => {
    workspace.clear();
    copyGeneration(workspace.path);
    sandbox = await startSandbox({ insyncDelayMs: 0, throttle: false });
    client = sandboxRoute53(sandbox.url);
  });
  afterEach(async () => {
    client.destroy();
    await sandbox.close();
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
      /** The generation's catalog entities the Route 53 check reads. */
      entities?: Entity[];
      /** Route 53 for the check; the sandbox by default. */
      route53?: Route53Client;
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
      routeWeightCheck: testRouteWeightCheck(
        extra.entities ?? ENTITIES,
        extra.route53 ?? client,
      ),
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
    const warnings = () => logger.warn.mock.calls.map(call => String(call[0]));
    return {
      ctx,
      lines,
      warnings,
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
      // The weight file is checked first: Route 53 was not even asked.
      expect(sandbox.requestCounts()).toEqual({});
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

  describe('Route 53 check of a cluster (against the AWS sandbox stand-in)', () => {
    const green = { stack: 'eks-green', confirmation: 'eks-blueprint-green' };

    /** Sets burnham's weights in the sandbox as a route53-mode cutover would. */
    async function setRoute53Weights(weights: { blue: number; green: number }) {
      const zone = await sandboxZoneId(client);
      for (const record of await weightedRecords(client, zone, BURNHAM)) {
        const colour =
          record.SetIdentifier === CLUSTERS.blue ? 'blue' : 'green';
        await upsertRecord(client, zone, {
          ...record,
          Weight: weights[colour],
        });
      }
    }

    /** A Route 53 client pointed at a port nothing listens on. */
    async function unreachableRoute53() {
      const server = net.createServer();
      await new Promise<void>(resolve =>
        server.listen(0, '127.0.0.1', resolve),
      );
      const { port } = server.address() as net.AddressInfo;
      await new Promise(resolve => server.close(resolve));
      return sandboxRoute53(`http://127.0.0.1:${port}`, { maxAttempts: 1 });
    }

    it('refuses a cluster whose weight file says 0 while Route 53 sends it 100 % of a hostname, before any CLI process', async () => {
      applyStack(workspace.path, 'eks-green');
      await setRoute53Weights({ blue: 0, green: 100 });
      const recorder = recordingRunner();

      await expect(run(green, recorder).done).rejects.toMatchObject({
        name: 'InputError',
        message: `stack: Route 53 still sends 100% of ${BURNHAM} to eks-blueprint-green (weight 100 in zone eks-blueprint.example.com); cut traffic over before retiring it`,
      });
      expect(recorder.commands).toEqual([]);
      expect(stateList(workspace.path, 'eks-green')).toHaveLength(7);
    });

    it('refuses a cluster that gets any share at all (weight 30 of 100 → 23.1 %), before any CLI process', async () => {
      await setRoute53Weights({ blue: 100, green: 30 });
      const recorder = recordingRunner();

      await expect(run(green, recorder).done).rejects.toThrow(
        `stack: Route 53 still sends 23.1% of ${BURNHAM} to eks-blueprint-green (weight 30 in zone eks-blueprint.example.com)`,
      );
      expect(recorder.commands).toEqual([]);
    });

    it('refuses a cluster at weight 0 when every record of the hostname has weight 0 (Route 53 then answers with each alike)', async () => {
      await setRoute53Weights({ blue: 0, green: 0 });
      const recorder = recordingRunner();

      await expect(run(green, recorder).done).rejects.toThrow(
        `stack: Route 53 still sends 50% of ${BURNHAM} to eks-blueprint-green (weight 0 in zone eks-blueprint.example.com, where every record of the group has weight 0, so Route 53 shares it equally)`,
      );
      expect(recorder.commands).toEqual([]);
    });

    it('in a dry run too: refuses at Route 53 weight 100, listing no command', async () => {
      await setRoute53Weights({ blue: 0, green: 100 });
      const recorder = recordingRunner();
      const attempt = run(green, recorder, undefined, { isDryRun: true });

      await expect(attempt.done).rejects.toThrow(
        `stack: Route 53 still sends 100% of ${BURNHAM} to eks-blueprint-green`,
      );
      expect(recorder.commands).toEqual([]);
      expect(attempt.lines().filter(l => l.includes('would run'))).toEqual([]);
    });

    it('destroys a cluster Route 53 gives weight 0 for every hostname, logging each hostname checked', async () => {
      applyStack(workspace.path, 'eks-green');
      const recorder = recordingRunner();
      const { lines, done } = run(green, recorder);
      await done;

      expect(lines()).toContain(
        `[eks-green] Route 53: eks-blueprint-green has weight 0 for A ${BURNHAM} in zone eks-blueprint.example.com; it receives none of that traffic`,
      );
      expect(sandbox.requestCounts().ListResourceRecordSets).toBeGreaterThan(0);
      expect(recorder.commands[0]).toEqual([
        'init',
        '-input=false',
        '-no-color',
      ]);
      expect(stateList(workspace.path, 'eks-green')).toEqual([]);
    });

    it('counts a hostname the generation System itself names, and accepts a cluster without a record of its own', async () => {
      const system = {
        ...GENERATION_ENTITY,
        metadata: {
          ...GENERATION_ENTITY.metadata,
          annotations: {
            ...blueGreenComponent('system', BURNHAM).metadata.annotations,
            ...GENERATION_ENTITY.metadata.annotations,
          },
        },
      };
      await setRoute53Weights({ blue: 0, green: 100 });
      await expect(
        run(green, noProcess(), undefined, { entities: [system] }).done,
      ).rejects.toThrow(
        `stack: Route 53 still sends 100% of ${BURNHAM} to eks-blueprint-green`,
      );

      const other = {
        ...blueGreenComponent('nothing', `nothing.eks-blueprint.example.com`),
      };
      const { lines, done } = run(green, noProcess(), undefined, {
        entities: [GENERATION_ENTITY, other],
        isDryRun: true,
      });
      await done;
      expect(lines()).toContain(
        '[eks-green] Route 53: no weighted A nothing.eks-blueprint.example.com in zone eks-blueprint.example.com record of eks-blueprint-green; it receives none of that traffic',
      );
    });

    it('logs that nothing in Route 53 was checked when no entity of the generation names a hostname', async () => {
      const { lines, done } = run(green, noProcess(), undefined, {
        entities: [GENERATION_ENTITY, blueGreenComponent('other', BURNHAM)].map(
          (entity, index) =>
            index === 0
              ? entity
              : { ...entity, spec: { ...entity.spec, system: 'other-system' } },
        ),
        isDryRun: true,
      });
      await done;

      expect(lines()).toContain(
        `[eks-green] no catalog entity of ${GENERATION} has a bluegreen/hostname annotation: nothing in Route 53 was checked`,
      );
      expect(sandbox.requestCounts()).toEqual({});
    });

    it('refuses when Route 53 cannot be read (unreachable), before any CLI process', async () => {
      applyStack(workspace.path, 'eks-green');
      const route53 = await unreachableRoute53();
      const recorder = recordingRunner();

      await expect(
        run(green, recorder, undefined, { route53 }).done,
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(
          /^stack: cannot read Route 53 to tell that eks-blueprint-green receives no traffic \(burnham\.eks-blueprint\.example\.com: .*ECONNREFUSED.*\); it is not destroyed\. .*set offline: true to retire it without that check$/,
        ),
      });
      expect(recorder.commands).toEqual([]);
      expect(stateList(workspace.path, 'eks-green')).toHaveLength(7);
      route53.destroy();
    });

    it('keeps role ARNs and account ids of an AWS error out of the refusal', async () => {
      const route53 = new Route53Client({
        endpoint: sandbox.url,
        region: 'us-east-1',
        maxAttempts: 1,
        credentials: async () => {
          throw new Error(
            'User: arn:aws:sts::111122223333:assumed-role/bluegreen/backend is not authorized to perform: sts:AssumeRole on account 111122223333',
          );
        },
      });
      const attempt = run(green, noProcess(), undefined, {
        route53,
        isDryRun: true,
      });

      const error: Error = await attempt.done.then(
        () => {
          throw new Error('expected a refusal');
        },
        e => e,
      );
      expect(error.message).toContain(
        'User: arn:(redacted) is not authorized to perform: sts:AssumeRole on account (account id)',
      );
      expect(error.message).not.toMatch(/111122223333|arn:aws/);
      route53.destroy();
    });

    it('with offline: true, retires despite an unreachable Route 53 and logs a warning that the check was skipped by request', async () => {
      applyStack(workspace.path, 'eks-green');
      const route53 = await unreachableRoute53();
      const recorder = recordingRunner();
      const { warnings, done } = run(
        { ...green, offline: true },
        recorder,
        undefined,
        { route53 },
      );
      await done;

      expect(warnings()).toEqual([
        expect.stringMatching(
          /^\[eks-green\] Route 53 check skipped by request \(offline: true\): cannot read Route 53 \(burnham\.eks-blueprint\.example\.com: .*ECONNREFUSED/,
        ),
      ]);
      expect(
        recorder.commands.filter(args => args[0] === 'destroy'),
      ).toHaveLength(6);
      expect(stateList(workspace.path, 'eks-green')).toEqual([]);
      route53.destroy();
    });

    it('with offline: true, still refuses when Route 53 can be read and sends the cluster traffic', async () => {
      await setRoute53Weights({ blue: 0, green: 100 });
      const runner = noProcess();

      await expect(
        run({ ...green, offline: true }, runner).done,
      ).rejects.toThrow(
        `stack: Route 53 still sends 100% of ${BURNHAM} to eks-blueprint-green`,
      );
      expect(runner.factoryCalls).not.toHaveBeenCalled();
    });

    it('refuses a hostname the configuration does not allow as unreadable, and offline: true skips it with a warning', async () => {
      const outside = blueGreenComponent('outside', 'www.example.org');
      delete outside.metadata.annotations!['bluegreen/hosted-zone'];
      await expect(
        run(green, noProcess(), undefined, {
          entities: [GENERATION_ENTITY, outside],
          isDryRun: true,
        }).done,
      ).rejects.toThrow(
        /^stack: cannot read Route 53 to tell that eks-blueprint-green receives no traffic \(component:default\/outside: bluegreen\/hostname: no zone named in bluegreen\.traffic\.hostedZones holds www\.example\.org/,
      );

      const { warnings, done } = run(
        { ...green, offline: true },
        noProcess(),
        undefined,
        {
          entities: [GENERATION_ENTITY, outside],
          isDryRun: true,
        },
      );
      await done;
      expect(warnings()).toHaveLength(1);
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
