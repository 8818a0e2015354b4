import fs from 'node:fs';
import path from 'node:path';
import { UrlReaderService } from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import {
  fixtureUrlReader,
  fixtureWithLocalState,
} from '../__testUtils__/fixtureRepository';
import {
  GENERATION_ENTITY,
  GENERATION_URL,
  PermissionRule,
  testGenerationGuard,
  testGuard,
} from '../__testUtils__/security';
import { copyGeneration, stateList, tofuBinary } from '../__testUtils__/tofu';
import {
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import { GenerationGuard } from '../security/GenerationGuard';
import { GenerationRepositories } from '../security/GenerationRepositories';
import { Generations } from '../security/Generations';
import { WorkspaceVerifier } from '../security/WorkspaceVerifier';
import { RunnerFactory } from '../terraform/createRunner';
import { TerraformCli, TerraformRunner } from '../terraform/TerraformCli';
import { createApplyAction } from './apply';

jest.setTimeout(90_000);

const GENERATION = 'system:default/eks-blueprint';
const CLUSTER = 'module.eks_cluster.module.eks.terraform_data.cluster';
const CLUSTER_RE = CLUSTER.replace(/\./g, '\\.');

/** The real CLI, keeping the working directory and environment of each command. */
const recordingEnvironments =
  (sink: Array<Record<string, string>>, cwds: string[] = []): RunnerFactory =>
  (cli, environment) =>
    new TerraformCli(cli, {
      environment: async cwd => {
        const env = await environment(cwd);
        sink.push(env);
        cwds.push(cwd);
        return env;
      },
      cancelGracePeriodMs: 10_000,
    });

/** A runner factory that starts nothing and records every command it is asked for. */
function noProcess() {
  const commands: string[][] = [];
  const factory = jest.fn<TerraformRunner, Parameters<RunnerFactory>>(cli => ({
    binary: cli,
    async run(command) {
      commands.push(command.args);
      return { exitCode: 0, interrupted: false, killed: false };
    },
  }));
  return { factory: factory as RunnerFactory, factoryCalls: factory, commands };
}

describe('bluegreen:apply (real OpenTofu CLI)', () => {
  const workspace = createMockDirectory();
  const reference = createMockDirectory();
  const binary = tofuBinary();
  const config = new ConfigReader({
    bluegreen: { terraform: { binary, cancelGracePeriodSeconds: 20 } },
  });

  beforeEach(() => {
    workspace.clear();
    copyGeneration(workspace.path);
  });

  /** The guard of the tests: the example generation, its repository the fixture. */
  function guardOf(
    extra: {
      urlReader?: UrlReaderService;
      rule?: PermissionRule;
      entities?: Entity[];
    } = {},
  ) {
    return testGenerationGuard({
      entities: extra.entities ?? [GENERATION_ENTITY],
      urlReader: extra.urlReader ?? fixtureUrlReader(GENERATION_URL),
      rule: extra.rule,
    });
  }

  function start(
    input: JsonObject,
    extra: {
      signal?: AbortSignal;
      isDryRun?: boolean;
      heartbeatMs?: number;
      urlReader?: UrlReaderService;
      rule?: PermissionRule;
      entities?: Entity[];
      runnerFactory?: RunnerFactory;
      config?: ConfigReader;
      generationGuard?: GenerationGuard;
      getInitiatorCredentials?: () => Promise<unknown>;
    } = {},
  ) {
    const guarded = guardOf(extra);
    const action = createApplyAction({
      config: extra.config ?? config,
      generationGuard: extra.generationGuard ?? guarded.generationGuard,
      heartbeatMs: extra.heartbeatMs,
      runnerFactory: extra.runnerFactory,
    });
    const logger = mockServices.logger.mock();
    const ctx = {
      ...createMockActionContext({
        input: { generation: GENERATION, ...input },
        workspacePath: workspace.path,
        logger,
      }),
      signal: extra.signal,
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
        cluster_endpoint:
          'https://eks-blueprint-blue.gr7.us-west-2.eks.amazonaws.com',
        cluster_certificate_authority_data: Buffer.from(
          'fixture CA of eks-blueprint-blue',
        ).toString('base64'),
        kubernetes_version: '1.33',
      },
    });
    expect(ctx.output).toHaveBeenCalledWith('changes', {
      environment:
        'Apply complete! Resources: 2 added, 0 changed, 0 destroyed.',
      'eks-blue': 'Apply complete! Resources: 7 added, 0 changed, 0 destroyed.',
    });

    const log = lines();
    expect(log).toContain(
      `The workspace holds ${GENERATION_URL}, which declares system:default/eks-blueprint`,
    );
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

  it('applies after a cutover changed a weight file (the only file that may differ)', async () => {
    fs.writeFileSync(
      path.join(workspace.path, 'eks-blue/traffic.auto.tfvars'),
      'route53_weight = 0\n',
    );
    const { ctx, done } = start({ stacks: ['eks-blue'] });
    await done;
    expect(ctx.output).toHaveBeenCalledWith('changes', {
      'eks-blue': 'Apply complete! Resources: 7 added, 0 changed, 0 destroyed.',
    });
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

  describe('dry run', () => {
    it('spawns no CLI process (not even init) and logs the exact commands of each stack', async () => {
      const { factory, commands } = noProcess();
      const { ctx, lines, done } = start(
        {
          stacks: ['environment', 'eks-green'],
          variables: { fail: true, sleep_once_seconds: 3 },
        },
        { isDryRun: true, runnerFactory: factory },
      );
      await done;

      expect(commands).toEqual([]);
      const dryRunLines = lines().filter(l => l.startsWith('Dry run:'));
      expect(dryRunLines).toEqual([
        `Dry run: the workspace is not compared with ${GENERATION_URL} and no CLI runs`,
        `Dry run: would run in environment: ${binary} init -input=false -no-color`,
        `Dry run: would run in environment: ${binary} apply -auto-approve -input=false -json -var=fail=true -var=sleep_once_seconds=3`,
        `Dry run: would run in eks-green: ${binary} init -input=false -no-color`,
        `Dry run: would run in eks-green: ${binary} apply -auto-approve -input=false -json -var=fail=true -var=sleep_once_seconds=3`,
      ]);
      expect(ctx.output).toHaveBeenCalledWith('outputs', {
        environment: {},
        'eks-green': {},
      });
      expect(ctx.output).toHaveBeenCalledWith('changes', {
        environment: 'dry run: nothing applied',
        'eks-green': 'dry run: nothing applied',
      });
    });

    it('with the real CLI factory: no state, no lock file, no data directory, and the run directory removed', async () => {
      const environments: Array<Record<string, string>> = [];
      const { done } = start(
        { stacks: ['eks-green'] },
        { isDryRun: true, runnerFactory: recordingEnvironments(environments) },
      );
      await done;

      // The environment of a command is built only when it runs: none ran.
      expect(environments).toEqual([]);
      for (const name of [
        'terraform.tfstate',
        '.terraform.lock.hcl',
        '.terraform',
      ]) {
        expect(
          fs.existsSync(path.join(workspace.path, 'eks-green', name)),
        ).toBe(false);
      }
      expect(fs.existsSync(path.join(workspace.path, '.bluegreen'))).toBe(
        false,
      );
    });

    it('asks for no AWS credentials', async () => {
      const getCredentialProvider = jest.fn();
      const action = createApplyAction({
        config,
        generationGuard: guardOf().generationGuard,
        awsCredentialsManager: { getCredentialProvider },
        runnerFactory: noProcess().factory,
      });
      const ctx = {
        ...createMockActionContext({
          input: { generation: GENERATION, stacks: ['environment'] },
          workspacePath: workspace.path,
          logger: mockServices.logger.mock(),
        }),
        isDryRun: true,
      };

      await action.handler(ctx as any);

      expect(getCredentialProvider).not.toHaveBeenCalled();
    });

    it('runs nothing even in a workspace that a real run would refuse', async () => {
      fs.writeFileSync(
        path.join(workspace.path, 'environment/evil.tf'),
        'data "external" "pwn" { program = ["sh", "-c", "touch pwned; echo {}"] }\n',
      );
      const { factory, commands } = noProcess();
      await start(
        { stacks: ['environment'] },
        { isDryRun: true, runnerFactory: factory },
      ).done;
      expect(commands).toEqual([]);
      expect(
        fs.existsSync(path.join(workspace.path, 'environment/pwned')),
      ).toBe(false);
    });

    it('is authorised like a real run: refused without bluegreen.apply', async () => {
      const { factory, commands } = noProcess();
      await expect(
        start(
          { stacks: ['environment'] },
          {
            isDryRun: true,
            runnerFactory: factory,
            rule: ({ permission }) => permission !== 'bluegreen.apply',
          },
        ).done,
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining(
          `permission bluegreen.apply on ${GENERATION}`,
        ),
      });
      expect(commands).toEqual([]);
    });
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

    await start(
      { stacks: ['eks-blue'] },
      {
        urlReader: fixtureWithLocalState(
          workspace.path,
          fixtureUrlReader(GENERATION_URL),
        ),
      },
    ).done;
    expect(stateList(workspace.path, 'eks-blue')).toContain(CLUSTER);
  });

  it('fails a second apply of the same stack on the state lock and keeps the state intact', async () => {
    const first = start({
      stacks: ['eks-blue'],
      variables: { sleep_once_seconds: 20 },
    });
    // Everything but the slow cluster (and what depends on it) is in the state by then.
    for (const address of [
      CLUSTER_RE,
      'module\\.eks_cluster\\.terraform_data\\.subnet_tags',
      'module\\.eks_cluster\\.terraform_data\\.gitops_metadata',
    ]) {
      await waitForLine(
        first.lines,
        new RegExp(
          address === CLUSTER_RE
            ? `${address}: Creating\\.\\.\\.`
            : `${address}: Creation complete`,
        ),
      );
    }

    await expect(
      start(
        { stacks: ['eks-blue'] },
        {
          urlReader: fixtureWithLocalState(
            workspace.path,
            fixtureUrlReader(GENERATION_URL),
          ),
        },
      ).done,
    ).rejects.toThrow(
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

  describe('the CLI environment', () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const name of ['HTTP_PROXY', 'https_proxy', 'HOME']) {
        if (saved[name] === undefined) {
          delete process.env[name];
        } else {
          process.env[name] = saved[name];
        }
      }
    });

    it("is the run's own HOME and a TF_DATA_DIR per stack inside <workspace>/.bluegreen, removed afterwards; never the backend's HOME or proxy variables", async () => {
      process.env.HOME = '/home/backstage-backend';
      process.env.HTTP_PROXY = 'http://proxy-user:proxy-secret@127.0.0.1:9';
      process.env.https_proxy = 'http://proxy-user:proxy-secret@127.0.0.1:9';
      const environments: Array<Record<string, string>> = [];
      const cwds: string[] = [];
      await start(
        { stacks: ['environment', 'eks-blue'] },
        { runnerFactory: recordingEnvironments(environments, cwds) },
      ).done;

      // init and apply of each stack.
      expect(environments).toHaveLength(4);
      const runRoot = new RegExp(
        `^${workspace.path.replace(
          /[.*+?^${}()|[\]\\]/g,
          '\\$&',
        )}/\\.bluegreen/run-[^/]+`,
      );
      const [{ HOME: home }] = environments;
      expect(home).toMatch(new RegExp(`${runRoot.source}/home$`));
      expect(environments.map(env => env.HOME)).toEqual([
        home,
        home,
        home,
        home,
      ]);
      const root = path.dirname(home);
      expect(environments.map(env => env.TF_DATA_DIR)).toEqual([
        path.join(root, 'data', 'environment'),
        path.join(root, 'data', 'environment'),
        path.join(root, 'data', 'eks-blue'),
        path.join(root, 'data', 'eks-blue'),
      ]);
      expect(cwds.map(cwd => path.relative(workspace.path, cwd))).toEqual([
        'environment',
        'environment',
        'eks-blue',
        'eks-blue',
      ]);
      for (const env of environments) {
        expect(env.HOME).not.toBe('/home/backstage-backend');
        expect(env).not.toHaveProperty('HTTP_PROXY');
        expect(env).not.toHaveProperty('https_proxy');
      }
      // The run directory is gone, and no .terraform was written into the stacks.
      expect(fs.existsSync(path.join(workspace.path, '.bluegreen'))).toBe(
        false,
      );
      expect(
        fs.existsSync(path.join(workspace.path, 'environment/.terraform')),
      ).toBe(false);
      expect(
        fs.existsSync(path.join(workspace.path, 'eks-blue/.terraform')),
      ).toBe(false);
    });

    it('passes the proxy variables only with bluegreen.terraform.passProxyVariables: true', async () => {
      process.env.HTTP_PROXY = 'http://proxy-user:proxy-secret@127.0.0.1:9';
      const environments: Array<Record<string, string>> = [];
      await start(
        { stacks: ['environment'] },
        {
          config: new ConfigReader({
            bluegreen: { terraform: { binary, passProxyVariables: true } },
          }),
          runnerFactory: recordingEnvironments(environments),
        },
      ).done;

      expect(environments.map(env => env.HTTP_PROXY)).toEqual([
        'http://proxy-user:proxy-secret@127.0.0.1:9',
        'http://proxy-user:proxy-secret@127.0.0.1:9',
      ]);
    });
  });

  /** A guard whose configuration binds the example repository to an AWS account. */
  function accountBoundGuard(awsAccountId: string) {
    const repositories = GenerationRepositories.fromConfig(
      new ConfigReader({
        bluegreen: {
          generations: {
            repositories: [
              { host: 'github.com', owner: 'example', awsAccountId },
            ],
          },
        },
      }),
    );
    return new GenerationGuard({
      guard: testGuard().guard,
      generations: new Generations({
        catalog: catalogServiceMock({ entities: [GENERATION_ENTITY] }),
        repositories,
      }),
      verifier: new WorkspaceVerifier(fixtureUrlReader(GENERATION_URL)),
      userInfo: mockServices.userInfo(),
    });
  }

  it('gives the CLI the AWS credentials of the account bluegreen.generations.repositories binds to the repository, and logs no secret', async () => {
    const manager = DefaultAwsCredentialsManager.fromConfig(
      new ConfigReader({
        aws: {
          mainAccount: {
            accessKeyId: 'AKIAEXAMPLEMAIN00000',
            secretAccessKey: 'main-secret-key',
          },
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
      generationGuard: accountBoundGuard('111122223333'),
      awsCredentialsManager: manager,
      runnerFactory: recordingEnvironments(environments),
    });
    const logger = mockServices.logger.mock();
    const ctx = createMockActionContext({
      input: { generation: GENERATION, stacks: ['environment'] },
      workspacePath: workspace.path,
      logger,
    });

    await action.handler(ctx as any);

    // One environment per command (init, apply), each with the account's credentials.
    expect(environments).toHaveLength(2);
    for (const env of environments) {
      expect(env).toMatchObject({
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEACCOUNT00',
        AWS_SECRET_ACCESS_KEY: 'example-secret-key',
        TF_IN_AUTOMATION: '1',
      });
    }
    expect(JSON.stringify(logger.info.mock.calls)).not.toContain(
      'example-secret-key',
    );
  });

  it('without an account bound to the repository, asks for the main account', async () => {
    const getCredentialProvider = jest.fn(async () => ({
      sdkCredentialProvider: async () => ({
        accessKeyId: 'AKIAEXAMPLEMAIN00000',
        secretAccessKey: 'main-secret-key',
      }),
    }));
    const environments: Array<Record<string, string>> = [];
    const action = createApplyAction({
      config,
      generationGuard: guardOf().generationGuard,
      awsCredentialsManager: { getCredentialProvider },
      runnerFactory: recordingEnvironments(environments),
    });

    await action.handler(
      createMockActionContext({
        input: { generation: GENERATION, stacks: ['environment'] },
        workspacePath: workspace.path,
        logger: mockServices.logger.mock(),
      }) as any,
    );

    expect(getCredentialProvider.mock.calls).toEqual([[{}], [{}]]);
    expect(environments.map(env => env.AWS_ACCESS_KEY_ID)).toEqual([
      'AKIAEXAMPLEMAIN00000',
      'AKIAEXAMPLEMAIN00000',
    ]);
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
      generationGuard: guardOf().generationGuard,
      awsCredentialsManager: rotating,
      runnerFactory: recordingEnvironments(keys),
    });

    await action.handler(
      createMockActionContext({
        input: { generation: GENERATION, stacks: ['environment', 'eks-blue'] },
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

  it('refuses a stack directory missing from the workspace before any process starts', async () => {
    fs.rmSync(path.join(workspace.path, 'eks-green'), { recursive: true });
    // A repository without eks-green: the workspace holds it, the stack is missing.
    reference.clear();
    copyGeneration(reference.path);
    fs.rmSync(reference.resolve('eks-green'), { recursive: true });
    const { factory, commands } = noProcess();

    await expect(
      start(
        { stacks: ['eks-blue', 'eks-green'] },
        {
          runnerFactory: factory,
          urlReader: fixtureUrlReader(GENERATION_URL, {
            fixture: reference.path,
          }),
        },
      ).done,
    ).rejects.toThrow(
      'stacks[1]: stack directory "eks-green" does not exist in the workspace',
    );
    expect(commands).toEqual([]);
  });

  describe('refuses the initiator before any CLI process', () => {
    it('without bluegreen.apply on the generation: NotAllowedError naming the permission and the entity, audited as failed', async () => {
      const { factory, factoryCalls, commands } = noProcess();
      const attempt = start(
        { stacks: ['environment'] },
        {
          runnerFactory: factory,
          // Allowed on another generation only.
          rule: ({ permission, resourceRef }) =>
            permission === 'bluegreen.apply' &&
            resourceRef === 'system:default/other-generation',
        },
      );

      await expect(attempt.done).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: `user:default/mock is not allowed to apply: permission bluegreen.apply on ${GENERATION}`,
      });
      expect(factoryCalls).not.toHaveBeenCalled();
      expect(commands).toEqual([]);
      expect(attempt.permissionRequests).toEqual([
        {
          permission: 'bluegreen.apply',
          resourceRef: GENERATION,
          user: 'user:default/mock',
        },
      ]);
      const [[event]] = attempt.auditor.createEvent.mock.calls;
      expect(event).toMatchObject({
        eventId: 'bluegreen-action',
        severityLevel: 'high',
        meta: {
          action: 'bluegreen:apply',
          initiator: 'user:default/mock',
          dryRun: false,
          permissions: [
            { permission: 'bluegreen.apply', entityRef: GENERATION },
          ],
          input: { stacks: ['environment'] },
        },
      });
      const audit = await attempt.auditor.createEvent.mock.results[0].value;
      expect(audit.fail).toHaveBeenCalledTimes(1);
      expect(audit.fail).toHaveBeenCalledWith(
        expect.objectContaining({ meta: { refused: true } }),
      );
      expect(audit.success).not.toHaveBeenCalled();
    });

    it('for a task with no user initiator (a service principal): NotAllowedError, audited as failed, no permission asked', async () => {
      const { factory, factoryCalls, commands } = noProcess();
      const attempt = start(
        { stacks: ['environment'] },
        {
          runnerFactory: factory,
          getInitiatorCredentials: async () => mockCredentials.service(),
        },
      );

      await expect(attempt.done).rejects.toMatchObject({
        name: 'NotAllowedError',
        message:
          'bluegreen:apply runs only for a task started by a signed-in user; this task has no user initiator',
      });
      expect(factoryCalls).not.toHaveBeenCalled();
      expect(commands).toEqual([]);
      expect(attempt.permissionRequests).toEqual([]);
      const [[event]] = attempt.auditor.createEvent.mock.calls;
      expect(event.meta).toMatchObject({
        initiator: null,
        permissions: [{ permission: 'bluegreen.apply', entityRef: GENERATION }],
      });
      const audit = await attempt.auditor.createEvent.mock.results[0].value;
      expect(audit.fail).toHaveBeenCalledTimes(1);
      expect(audit.success).not.toHaveBeenCalled();
    });

    it('an allowed apply is audited as a success with the initiator and the validated input', async () => {
      const attempt = start({
        stacks: ['eks-green'],
        variables: { fail: false },
      });
      await attempt.done;
      const [[event]] = attempt.auditor.createEvent.mock.calls;
      expect(event.meta).toMatchObject({
        action: 'bluegreen:apply',
        initiator: 'user:default/mock',
        input: { stacks: ['eks-green'], variables: ['fail'] },
      });
      const audit = await attempt.auditor.createEvent.mock.results[0].value;
      expect(audit.success).toHaveBeenCalledTimes(1);
      expect(audit.fail).not.toHaveBeenCalled();
    });
  });

  describe('refuses a workspace that does not hold the generation repository, before any CLI process', () => {
    it.each<[string, () => void, string]>([
      [
        'an extra .tf file (a data "external" that runs a program at plan time)',
        () =>
          fs.writeFileSync(
            path.join(workspace.path, 'environment/evil.tf'),
            'data "external" "pwn" {\n  program = ["sh", "-c", "touch pwned; echo {}"]\n}\n',
          ),
        'environment/evil.tf is not in the repository',
      ],
      [
        'a changed .tf file',
        () =>
          fs.appendFileSync(
            path.join(workspace.path, 'modules/eks_cluster/eks/main.tf'),
            '\nresource "terraform_data" "extra" {\n  provisioner "local-exec" {\n    command = "touch pwned"\n  }\n}\n',
          ),
        'modules/eks_cluster/eks/main.tf differs from the repository',
      ],
      [
        'a weight file with an extra assignment',
        () =>
          fs.writeFileSync(
            path.join(workspace.path, 'eks-blue/traffic.auto.tfvars'),
            'route53_weight = 100\neks_admin_role_name = "x"\n',
          ),
        'eks-blue/traffic.auto.tfvars holds more than the "route53_weight = <0-255>" line',
      ],
      [
        'a symlink other than the tfvars links',
        () =>
          fs.symlinkSync(
            '../../outside/evil.tf',
            path.join(workspace.path, 'environment/evil.tf'),
          ),
        'environment/evil.tf is a link to ../../outside/evil.tf',
      ],
      [
        'a tfvars link pointing elsewhere',
        () => {
          fs.rmSync(path.join(workspace.path, 'eks-blue/terraform.tfvars'));
          fs.symlinkSync(
            '/etc/evil.tfvars',
            path.join(workspace.path, 'eks-blue/terraform.tfvars'),
          );
        },
        'eks-blue/terraform.tfvars is a link to /etc/evil.tfvars',
      ],
    ])('%s', async (_what, tamper, problem) => {
      tamper();
      const { factory, factoryCalls, commands } = noProcess();
      const attempt = start(
        { stacks: ['environment', 'eks-blue'] },
        { runnerFactory: factory },
      );

      await expect(attempt.done).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(problem),
      });
      await expect(attempt.done).rejects.toThrow(
        `workspace: it does not hold the generation repository ${GENERATION_URL} (`,
      );
      expect(factoryCalls).not.toHaveBeenCalled();
      expect(commands).toEqual([]);
      expect(
        fs.existsSync(path.join(workspace.path, 'environment/pwned')),
      ).toBe(false);
      const audit = await attempt.auditor.createEvent.mock.results[0].value;
      expect(audit.fail).toHaveBeenCalledTimes(1);
      expect(fs.existsSync(path.join(workspace.path, '.bluegreen'))).toBe(
        false,
      );
    });

    it('a generation whose repository is outside bluegreen.generations.repositories', async () => {
      const evil: Entity = {
        ...GENERATION_ENTITY,
        metadata: {
          ...GENERATION_ENTITY.metadata,
          annotations: {
            'bluegreen/generation-repo': 'github.com?owner=evil&repo=x',
          },
        },
      };
      const readTree = jest.fn();
      const { factory, factoryCalls, commands } = noProcess();
      const attempt = start(
        { stacks: ['environment'] },
        {
          runnerFactory: factory,
          entities: [evil],
          urlReader: { ...fixtureUrlReader(GENERATION_URL), readTree },
        },
      );

      await expect(attempt.done).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: `${GENERATION} bluegreen/generation-repo: repository github.com/evil/x is not in bluegreen.generations.repositories`,
      });
      expect(readTree).not.toHaveBeenCalled();
      expect(factoryCalls).not.toHaveBeenCalled();
      expect(commands).toEqual([]);
    });

    it('a generation that is not in the catalog', async () => {
      const { factory, commands } = noProcess();
      await expect(
        start(
          { stacks: ['environment'] },
          { runnerFactory: factory, entities: [] },
        ).done,
      ).rejects.toMatchObject({
        name: 'NotFoundError',
        message: `generation: ${GENERATION} was not found`,
      });
      expect(commands).toEqual([]);
    });
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
      // -var beats every variables file: neither the weight nor a generation setting.
      [
        { stacks: ['eks-blue'], variables: { route53_weight: 0 } },
        /variables\.route53_weight: must not be set here: the traffic weight changes only through a cutover/,
      ],
      [
        { stacks: ['eks-blue'], variables: { environment_name: 'other' } },
        /variables: variables\.environment_name would override the generation's terraform\.tfvars/,
      ],
      // The account comes from configuration now, never from the input.
      [
        { stacks: ['eks-blue'], awsAccountId: '111122223333' },
        /Unrecognized key\(s\) in object: 'awsAccountId'/,
      ],
      [{ stacks: ['eks-blue'], generation: undefined }, /generation: Required/],
      [
        { stacks: ['eks-blue'], generation: '' },
        /generation: must not be empty/,
      ],
      [
        { stacks: ['eks-blue'], generation: 'component:default/eks-blueprint' },
        /generation: must be the generation's System entity, got kind component/,
      ],
    ])('%j', async (input, message) => {
      const { factory, commands } = noProcess();
      const attempt = start(input as JsonObject, { runnerFactory: factory });

      await expect(attempt.done).rejects.toThrow(message);
      expect(commands).toEqual([]);
    });
  });
});
