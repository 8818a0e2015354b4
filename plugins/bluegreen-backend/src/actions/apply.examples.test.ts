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
} from '../__testUtils__/security';
import { copyGeneration, tofuBinary } from '../__testUtils__/tofu';
import { RunnerFactory } from '../terraform/createRunner';
import { createApplyAction } from './apply';
import { examples } from './apply.examples';

describe('bluegreen:apply examples (dry run of the fixture generation)', () => {
  const workspace = createMockDirectory();
  const bin = createMockDirectory();
  const savedPath = process.env.PATH;

  beforeAll(() => {
    // `binary: tofu` is looked up on PATH.
    fs.symlinkSync(tofuBinary(), bin.resolve('tofu'));
    process.env.PATH = `${bin.path}${path.delimiter}${savedPath}`;
  });
  afterAll(() => {
    process.env.PATH = savedPath;
  });
  beforeEach(() => {
    workspace.clear();
    copyGeneration(workspace.path);
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
      const action = createApplyAction({
        config: new ConfigReader({
          bluegreen: { terraform: { binary: tofuBinary() } },
        }),
        generationGuard,
        runnerFactory,
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

      expect(step.action).toBe('bluegreen:apply');
      expect(commands).toEqual([]);
      expect(permissionRequests).toEqual([
        expect.objectContaining({
          permission: 'bluegreen.apply',
          resourceRef: step.input.generation,
        }),
      ]);
      const lines = logger.info.mock.calls.map(call => String(call[0]));
      for (const stack of step.input.stacks) {
        expect(lines).toContainEqual(
          expect.stringMatching(
            new RegExp(`^Dry run: would run in ${stack}: \\S+ apply `),
          ),
        );
      }
      expect(ctx.output).toHaveBeenCalledWith(
        'changes',
        Object.fromEntries(
          step.input.stacks.map((stack: string) => [
            stack,
            'dry run: nothing applied',
          ]),
        ),
      );
    },
  );
});
