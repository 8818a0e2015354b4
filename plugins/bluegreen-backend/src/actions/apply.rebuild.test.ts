/*
 * bluegreen:apply with a changed kubernetes_version line (what "Upgrade the idle cluster"
 * applies, or what any template could write into the workspace): only for a stack the
 * task applies, and only while Route 53 and the weight file give that cluster no traffic
 * (Route 53 is the AWS sandbox, a local stand-in). No CLI runs before that is settled.
 */
import fs from 'node:fs';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { versionsTableOn } from '../__testUtils__/eksVersions';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import { fixtureUrlReader } from '../__testUtils__/fixtureRepository';
import { sandboxRoute53 } from '../__testUtils__/sandbox';
import {
  GENERATION_WITH_RECORDS,
  GENERATION_URL,
  testGenerationGuard,
  testRouteWeightCheck,
} from '../__testUtils__/security';
import { copyGeneration, tofuBinary } from '../__testUtils__/tofu';
import { weightFileContent } from '@bluegreen/plugin-bluegreen-common';
import { RouteWeightCheck } from '../retire/RouteWeightCheck';
import { ClusterVersionReader } from '../retire/versionDrift';
import { RunnerFactory } from '../terraform/createRunner';
import { createApplyAction } from './apply';

const generation = GENERATION_WITH_RECORDS;

// EKS unreachable: the versions table decides, as of this day.
const eksVersions = versionsTableOn('2026-12-03T12:00:00Z');

describe('bluegreen:apply with a changed kubernetes_version line', () => {
  const workspace = createMockDirectory();
  let sandbox: Sandbox;
  beforeAll(async () => {
    // Route 53: burnham blue 100 / green 0.
    sandbox = await startSandbox({ insyncDelayMs: 0, throttle: false });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => {
    workspace.clear();
    copyGeneration(workspace.path);
  });

  function setVersion(colour: string, version: string) {
    const file = workspace.resolve(`eks-${colour}/main.tf`);
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace(
          /kubernetes_version = "[^"]*"/,
          `kubernetes_version = "${version}"`,
        ),
    );
  }

  async function apply(
    input: JsonObject,
    clusterVersions?: ClusterVersionReader,
    routeWeightCheck: RouteWeightCheck | null = testRouteWeightCheck(
      [generation],
      sandboxRoute53(sandbox.url),
    ),
  ) {
    const commands: string[][] = [];
    const runnerFactory: RunnerFactory = cli => ({
      binary: cli,
      async run(command) {
        commands.push(command.args);
        return { exitCode: 0, interrupted: false, killed: false };
      },
    });
    const action = createApplyAction({
      config: new ConfigReader({
        bluegreen: { terraform: { binary: tofuBinary() } },
      }),
      generationGuard: testGenerationGuard({
        entities: [generation],
        urlReader: fixtureUrlReader(GENERATION_URL),
      }).generationGuard,
      routeWeightCheck: routeWeightCheck ?? undefined,
      eksVersions: routeWeightCheck ? eksVersions : undefined,
      clusterVersions,
      runnerFactory,
    });
    const logger = mockServices.logger.mock();
    const done = action.handler(
      createMockActionContext({
        input: { generation: 'system:default/eks-blueprint', ...input },
        workspacePath: workspace.path,
        logger,
      }) as any,
    );
    return {
      done,
      commands,
      lines: () => logger.info.mock.calls.map(c => String(c[0])),
    };
  }

  it('applies the idle cluster at its new version once Route 53 and its weight file give it no traffic', async () => {
    setVersion('green', '1.35');
    const { done, commands, lines } = await apply({ stacks: ['eks-green'] });
    await done;
    expect(lines()).toContain(
      '[eks-green] kubernetes_version 1.34 → 1.35: the cluster carries no traffic, so it may be rebuilt',
    );
    expect(commands.map(args => args[0])).toEqual(['init', 'apply']);
  });

  it('never rebuilds a serving cluster: a changed version line on blue (weight 100) is refused before any CLI runs', async () => {
    setVersion('blue', '1.35');
    const { done, commands } = await apply({ stacks: ['eks-blue'] });
    await expect(done).rejects.toThrow(
      'colour: eks-blueprint-blue still has route53_weight = 100 in eks-blue/traffic.auto.tfvars; shift its traffic away (weight 0) and apply before rebuilding it',
    );
    expect(commands).toEqual([]);
  });

  it('refuses a version change in a stack the task does not apply, and one a staged step would carry', async () => {
    setVersion('green', '1.35');
    const other = await apply({ stacks: ['eks-blue'] });
    await expect(other.done).rejects.toThrow(
      'stacks: eks-green/main.tf changes kubernetes_version 1.34 → 1.35; only a task that applies eks-green itself may change it',
    );
    expect(other.commands).toEqual([]);
  });

  it('refuses a version change when the backend cannot read Route 53 (no check configured)', async () => {
    setVersion('green', '1.35');
    const { done, commands } = await apply(
      { stacks: ['eks-green'] },
      undefined,
      null,
    );
    await expect(done).rejects.toThrow(
      'this backend cannot read Route 53 and EKS to tell that the cluster carries no traffic',
    );
    expect(commands).toEqual([]);
  });

  it('never rebuilds while the same task moves traffic: a version change with a changed weight file is refused', async () => {
    setVersion('green', '1.35');
    fs.writeFileSync(
      workspace.resolve('eks-blue/traffic.auto.tfvars'),
      weightFileContent(0),
    );
    fs.writeFileSync(
      workspace.resolve('eks-green/traffic.auto.tfvars'),
      weightFileContent(100),
    );
    const { done, commands } = await apply({
      stacks: ['eks-green', 'eks-blue'],
    });
    await expect(done).rejects.toThrow(
      'stacks: eks-green/main.tf changes kubernetes_version 1.34 → 1.35 while the task also changes the weights (eks-blue 100 → 0, eks-green 0 → 100); rebuild and cut over in separate tasks',
    );
    expect(commands).toEqual([]);
  });

  it.each([
    [
      '1.33',
      "stacks: 1.33 is not newer than blue's 1.33, the cluster that serves",
    ],
    ['1.30', 'stacks: EKS does not support 1.30 today'],
  ])(
    'applies the version rules whoever wrote the line: %s refused',
    async (version, message) => {
      setVersion('green', version);
      const { done, commands } = await apply({ stacks: ['eks-green'] });
      await expect(done).rejects.toThrow(message);
      expect(commands).toEqual([]);
    },
  );

  describe('against what EKS runs', () => {
    const live = (
      versions: Record<string, string | undefined>,
    ): ClusterVersionReader => ({
      describe: async name =>
        versions[name]
          ? { name, version: versions[name], source: 'eks' }
          : { name, source: 'not-found' },
    });

    it("refuses a repository line below the live version (an upgrade's pull request not merged yet): it would take the cluster back", async () => {
      const { done, commands } = await apply(
        { stacks: ['eks-green'] },
        live({ 'eks-blueprint-blue': '1.33', 'eks-blueprint-green': '1.35' }),
      );
      await expect(done).rejects.toThrow(
        'stacks: eks-green/main.tf says kubernetes_version 1.34, but EKS runs eks-blueprint-green on 1.35; merge the pull request of its upgrade first',
      );
      expect(commands).toEqual([]);
    });

    it('treats a repository line above the live version as a rebuild: refused on the serving blue', async () => {
      const { done, commands } = await apply(
        { stacks: ['eks-blue'] },
        live({ 'eks-blueprint-blue': '1.32', 'eks-blueprint-green': '1.34' }),
      );
      await expect(done).rejects.toThrow(
        'colour: eks-blueprint-blue still has route53_weight = 100 in eks-blue/traffic.auto.tfvars',
      );
      expect(commands).toEqual([]);
    });

    it('applies a repository that agrees with EKS, and clusters EKS does not know (new or retired)', async () => {
      for (const versions of [
        { 'eks-blueprint-blue': '1.33', 'eks-blueprint-green': '1.34' },
        {},
      ]) {
        const { done, commands } = await apply(
          { stacks: ['eks-blue', 'eks-green'] },
          live(versions),
        );
        await done;
        expect(commands.map(args => args[0])).toEqual([
          'init',
          'apply',
          'init',
          'apply',
        ]);
      }
    });
  });

  it('still refuses any other change to main.tf: only the machine-owned line may differ', async () => {
    const file = workspace.resolve('eks-green/main.tf');
    fs.writeFileSync(
      file,
      `${fs
        .readFileSync(file, 'utf8')
        .replace(
          'kubernetes_version = "1.34"',
          'kubernetes_version = "1.35"',
        )}\nresource "terraform_data" "extra" {}\n`,
    );
    const { done, commands } = await apply({ stacks: ['eks-green'] });
    await expect(done).rejects.toThrow(
      'eks-green/main.tf differs from the repository',
    );
    expect(commands).toEqual([]);
  });
});
