/*
 * A GitOps-mode cutover as the "Cut over traffic" template runs it: bluegreen:set-weight
 * writes the weight files and names the apply order, bluegreen:apply applies the stacks
 * in that order with the real OpenTofu CLI. The invariant: the stack gaining weight is
 * applied first, so a failure of the second apply never leaves both clusters at 0.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { fixtureUrlReader } from '../__testUtils__/fixtureRepository';
import { startSandbox } from '@bluegreen/example-sandbox';
import {
  blueGreenComponent,
  BURNHAM,
  sandboxRoute53,
} from '../__testUtils__/sandbox';
import { Route53WeightedRecords } from '../route53/Route53WeightedRecords';
import {
  GENERATION_ENTITY,
  GENERATION_URL,
  testGenerationGuard,
  testGuard,
  testLeases,
  testTargets,
} from '../__testUtils__/security';
import { copyGeneration, stateWeight, tofuBinary } from '../__testUtils__/tofu';
import { testCutover } from '../__testUtils__/kubernetes';
import { createApplyAction } from './apply';
import { createSetWeightAction } from './setWeight';

jest.setTimeout(120_000);

describe('GitOps cutover: set-weight then apply in its order (real OpenTofu CLI)', () => {
  const repository = createMockDirectory();
  const workspace = createMockDirectory();
  const afterTest: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanUp of afterTest.splice(0)) await cleanUp();
  });

  beforeEach(() => {
    // A generation whose eks-blue fails to apply (a broken commit, an AWS error).
    repository.clear();
    copyGeneration(repository.path);
    const blue = path.join(repository.path, 'eks-blue/main.tf');
    fs.writeFileSync(
      blue,
      fs
        .readFileSync(blue, 'utf8')
        .replace('fail               = var.fail', 'fail               = true'),
    );
    workspace.clear();
    fs.cpSync(repository.path, workspace.path, {
      recursive: true,
      verbatimSymlinks: true,
    });
  });

  it('100/0 -> 0/100 with the eks-blue apply failing: eks-green was applied first, no state is all-zero, the error says what is live and how to go back', async () => {
    const { guard } = testGuard();
    const { catalog, targets, bindings } = testTargets([
      blueGreenComponent('burnham', BURNHAM),
      GENERATION_ENTITY,
    ]);
    // Route 53 serves 100/0 (the AWS sandbox stand-in), as the weight files say.
    const sandbox = await startSandbox({ throttle: false });
    const client = sandboxRoute53(sandbox.url);
    afterTest.push(async () => {
      client.destroy();
      await sandbox.close();
    });
    const setWeight = createSetWeightAction({
      route53: async () => new Route53WeightedRecords(client),
      catalog,
      guard,
      targets,
      bindings,
      cutover: testCutover().cutover,
      logger: mockServices.logger.mock(),
      leases: (await testLeases()).leases,
    });
    const setCtx = createMockActionContext({
      input: {
        entityRef: 'component:default/burnham',
        weights: { blue: 0, green: 100 },
      },
      workspacePath: workspace.path,
    });
    await setWeight.handler(setCtx as any);
    const applyOrder = Object.fromEntries(
      (setCtx.output as jest.Mock).mock.calls,
    ).applyOrder;
    expect(applyOrder).toEqual(['eks-green', 'eks-blue']);

    const { generationGuard } = testGenerationGuard({
      entities: [GENERATION_ENTITY],
      urlReader: fixtureUrlReader(GENERATION_URL, {
        fixture: repository.path,
      }),
    });
    const apply = createApplyAction({
      config: new ConfigReader({
        bluegreen: { terraform: { binary: tofuBinary() } },
      }),
      generationGuard,
    });
    const logger = mockServices.logger.mock();
    const applyCtx = createMockActionContext({
      input: { generation: 'system:default/eks-blueprint', stacks: applyOrder },
      workspacePath: workspace.path,
      logger,
    });

    const failure = await apply.handler(applyCtx as any).then(
      () => undefined,
      (error: Error) => error,
    );

    expect(failure?.message).toContain('eks-blue: apply failed');
    expect(failure?.message).toContain(
      "Live now (through external-dns): eks-blue route53_weight = 100 (not applied: the repository's weight), eks-green route53_weight = 100 (applied by this task); traffic is split blue 100 / green 100, never all-zero.",
    );
    expect(failure?.message).toContain(
      'To go back, run the "Cut over traffic" template with weights blue 100 / green 0',
    );
    // eks-green went first and holds its new weight; whatever eks-blue got before it
    // failed, the two states are never both 0.
    const lines = logger.info.mock.calls.map(call => String(call[0]));
    expect(
      lines.findIndex(line => line.startsWith('[eks-green]')),
    ).toBeLessThan(lines.findIndex(line => line.startsWith('[eks-blue]')));
    const green = stateWeight(workspace.path, 'eks-green');
    const blue = stateWeight(workspace.path, 'eks-blue') ?? 100;
    expect(green).toBe(100);
    expect(green! + blue).toBeGreaterThan(0);
  });
});
