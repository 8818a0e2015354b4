import fs from 'node:fs';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { createLinkTfvarsAction } from './linkTfvars';
import { examples } from './linkTfvars.examples';

describe('bluegreen:link-tfvars examples', () => {
  const workspace = createMockDirectory();
  const action = createLinkTfvarsAction();

  beforeEach(() => {
    workspace.setContent({
      'terraform.tfvars': 'environment_name = "eks-blueprint"\n',
      environment: {},
      'eks-blue': {},
      'eks-green': {},
    });
  });

  it.each(examples.map(example => [example.description, example]))(
    '%s',
    async (_description, example) => {
      const step = yaml.parse(example.example).steps[0];
      const ctx = createMockActionContext({
        input: step.input ?? {},
        workspacePath: workspace.path,
      });

      await action.handler(ctx as any);

      const expected = step.input?.stacks ?? [
        'environment',
        'eks-blue',
        'eks-green',
      ];
      for (const stack of expected) {
        expect(
          fs.readlinkSync(path.join(workspace.path, stack, 'terraform.tfvars')),
        ).toBe('../terraform.tfvars');
      }
      expect(ctx.output).toHaveBeenCalledWith(
        'links',
        expected.map((stack: string) => `${stack}/terraform.tfvars`),
      );
    },
  );
});
