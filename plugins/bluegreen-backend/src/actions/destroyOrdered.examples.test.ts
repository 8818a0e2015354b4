import fs from 'node:fs';
import path from 'node:path';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { fixtureUrlReader } from '../__testUtils__/fixtureRepository';
import {
  GENERATION_ENTITY,
  GENERATION_URL,
  testGenerationGuard,
  testRouteWeightCheck,
} from '../__testUtils__/security';
import { copyGeneration, tofuBinary } from '../__testUtils__/tofu';
import { RunnerFactory } from '../terraform/createRunner';
import { createDestroyOrderedAction } from './destroyOrdered';
import { examples } from './destroyOrdered.examples';

describe('bluegreen:destroy-ordered examples (dry run of the fixture generation)', () => {
  const workspace = createMockDirectory();

  beforeEach(() => {
    workspace.clear();
    copyGeneration(workspace.path);
    // Traffic shifted away from blue, as retiring it requires.
    fs.writeFileSync(
      path.join(workspace.path, 'eks-blue/traffic.auto.tfvars'),
      'route53_weight = 0\n',
    );
  });

  it.each(examples.map(example => [example.description, example]))(
    '%s',
    async (_description, example) => {
      const step = yaml.parse(example.example).steps[0];
      const commands: string[][] = [];
      const runnerFactory: RunnerFactory = cli => ({
        binary: cli,
        async run(command) {
          commands.push(command.args);
          return { exitCode: 0, interrupted: false, killed: false };
        },
      });
      const { generationGuard, permissionRequests } = testGenerationGuard({
        entities: [GENERATION_ENTITY],
        urlReader: fixtureUrlReader(GENERATION_URL),
      });
      const action = createDestroyOrderedAction({
        config: new ConfigReader({
          bluegreen: { terraform: { binary: tofuBinary() } },
        }),
        generationGuard,
        runnerFactory,
        // No entity of the generation names a hostname: nothing to read in Route 53.
        routeWeightCheck: testRouteWeightCheck([GENERATION_ENTITY]),
      });
      const logger = mockServices.logger.mock();
      const ctx = {
        ...createMockActionContext({
          input: step.input,
          workspacePath: workspace.path,
          logger,
        }),
        isDryRun: true,
      };

      await action.handler(ctx as any);

      expect(step.action).toBe('bluegreen:destroy-ordered');
      expect(commands).toEqual([]);
      expect(permissionRequests).toEqual([
        expect.objectContaining({
          permission: 'bluegreen.retire',
          resourceRef: step.input.generation,
        }),
      ]);
      const lines = logger.info.mock.calls.map(call => String(call[0]));
      expect(lines).toContainEqual(
        expect.stringContaining(
          `Dry run: would run in ${step.input.stack}: ${tofuBinary()} destroy `,
        ),
      );
      expect(ctx.output).toHaveBeenCalledWith('destroyed', []);
    },
  );
});
