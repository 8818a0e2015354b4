import fs from 'node:fs';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { versionsTableOn } from '../__testUtils__/eksVersions';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import { weightFileContent } from '@bluegreen/plugin-bluegreen-common';
import yaml from 'yaml';
import { fixtureUrlReader } from '../__testUtils__/fixtureRepository';
import {
  BURNHAM,
  CLUSTERS,
  sandboxRoute53,
  sandboxZoneId,
  upsertRecord,
  weightedRecords,
} from '../__testUtils__/sandbox';
import {
  GENERATION_WITH_RECORDS,
  GENERATION_URL,
  PermissionRule,
  testGenerationGuard,
  testRouteWeightCheck,
} from '../__testUtils__/security';
import { copyGeneration } from '../__testUtils__/tofu';
import { createSetClusterVersionAction } from './setClusterVersion';
import { examples } from './setClusterVersion.examples';

const generation = GENERATION_WITH_RECORDS;

// EKS unreachable: the versions table decides, as of this day.
const eksVersions = versionsTableOn('2026-12-03T12:00:00Z');

describe('bluegreen:set-cluster-version', () => {
  const workspace = createMockDirectory();
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 0, throttle: false });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => {
    workspace.clear();
    copyGeneration(workspace.path);
  });

  function setUp(rule?: PermissionRule) {
    const client = sandboxRoute53(sandbox.url);
    const { generationGuard, auditor, permissionRequests } =
      testGenerationGuard({
        entities: [generation],
        urlReader: fixtureUrlReader(GENERATION_URL),
        rule,
      });
    const action = createSetClusterVersionAction({
      generationGuard,
      routeWeightCheck: testRouteWeightCheck([generation], client),
      eksVersions,
    });
    const logger = mockServices.logger.mock();
    const run = async (input: JsonObject, isDryRun = false) => {
      const ctx = {
        ...createMockActionContext({
          input,
          workspacePath: workspace.path,
          logger,
        }),
        isDryRun,
      };
      await action.handler(ctx as any);
      return ctx;
    };
    return { run, auditor, permissionRequests, client };
  }

  const mainTf = (colour: string) =>
    fs.readFileSync(workspace.resolve(`eks-${colour}/main.tf`), 'utf8');

  it("sets only the idle cluster's version line, after the weight file, Route 53 and the version are checked", async () => {
    const { run, permissionRequests } = setUp();
    const before = mainTf('green');
    const ctx = await run({
      generation: 'system:default/eks-blueprint',
      colour: 'green',
      kubernetesVersion: '1.35',
    });
    expect(mainTf('green')).toBe(
      before.replace(
        'kubernetes_version = "1.34"',
        'kubernetes_version = "1.35"',
      ),
    );
    expect(ctx.output).toHaveBeenCalledWith('previousVersion', '1.34');
    expect(ctx.output).toHaveBeenCalledWith('servingVersion', '1.33');
    expect(permissionRequests).toEqual([
      expect.objectContaining({
        permission: 'bluegreen.apply',
        resourceRef: 'system:default/eks-blueprint',
      }),
    ]);
  });

  it('refuses without bluegreen.apply on the generation, writing nothing, and audits the refusal', async () => {
    const { run, auditor } = setUp(() => false);
    const before = mainTf('green');
    await expect(
      run({
        generation: 'system:default/eks-blueprint',
        colour: 'green',
        kubernetesVersion: '1.35',
      }),
    ).rejects.toThrow(/bluegreen\.apply/);
    expect(mainTf('green')).toBe(before);
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        meta: expect.objectContaining({
          action: 'bluegreen:set-cluster-version',
        }),
      }),
    );
  });

  it.each([
    [
      { colour: 'blue', kubernetesVersion: '1.35' },
      'colour: eks-blueprint-blue still has route53_weight = 100 in eks-blue/traffic.auto.tfvars',
    ],
    [
      { colour: 'green', kubernetesVersion: '1.33' },
      "kubernetesVersion: 1.33 is not newer than blue's 1.33, the cluster that serves",
    ],
    [
      { colour: 'green', kubernetesVersion: '1.30' },
      'kubernetesVersion: EKS does not support 1.30 today',
    ],
    [
      { colour: 'green', kubernetesVersion: 'latest' },
      'kubernetesVersion: must be a Kubernetes minor version such as 1.35',
    ],
  ])('refuses %j, writing nothing', async (values, message) => {
    const { run } = setUp();
    const before = mainTf(values.colour);
    await expect(
      run({ generation: 'system:default/eks-blueprint', ...values }),
    ).rejects.toThrow(message);
    expect(mainTf(values.colour)).toBe(before);
  });

  it('refuses a main.tf whose version line is not machine-shaped (never guesses)', async () => {
    const { run } = setUp();
    fs.writeFileSync(
      workspace.resolve('eks-green/main.tf'),
      mainTf('green').replace(
        'kubernetes_version = "1.34"',
        'kubernetes_version = var.v',
      ),
    );
    await expect(
      run(
        {
          generation: 'system:default/eks-blueprint',
          colour: 'green',
          kubernetesVersion: '1.35',
        },
        true,
      ),
    ).rejects.toThrow(
      'colour: eks-green/main.tf sets kubernetes_version on 0 lines of the form kubernetes_version = "<major>.<minor>" (expected exactly one)',
    );
  });

  it.each(examples.map(example => [example.description, example]))(
    'example, once green serves: %s',
    async (_description, example) => {
      const { run, client } = setUp();
      // After the cutover to green: files and Route 53 both say blue 0 / green 100.
      fs.writeFileSync(
        workspace.resolve('eks-blue/traffic.auto.tfvars'),
        weightFileContent(0),
      );
      fs.writeFileSync(
        workspace.resolve('eks-green/traffic.auto.tfvars'),
        weightFileContent(100),
      );
      const zone = await sandboxZoneId(client);
      for (const record of await weightedRecords(client, zone, BURNHAM)) {
        await upsertRecord(client, zone, {
          ...record,
          Weight: record.SetIdentifier === CLUSTERS.green ? 100 : 0,
        });
      }
      const step = yaml.parse(example.example).steps[0];
      expect(step.action).toBe('bluegreen:set-cluster-version');
      // A dry run: the repository comparison is skipped, the checks and the write are not.
      await run(step.input, true);
      expect(mainTf('blue')).toContain('kubernetes_version = "1.35"');
    },
  );
});
