import fs from 'node:fs';
import path from 'node:path';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import { createLinkTfvarsAction } from './linkTfvars';

const SHARED = 'region = "eu-west-1"\n';

describe('bluegreen:link-tfvars', () => {
  const workspace = createMockDirectory();
  const action = createLinkTfvarsAction();

  beforeEach(() => {
    workspace.setContent({
      'terraform.tfvars': SHARED,
      environment: {},
      'eks-blue': {},
      'eks-green': {},
    });
  });

  function run(input: JsonObject = {}) {
    const ctx = createMockActionContext({
      input,
      workspacePath: workspace.path,
      logger: mockServices.logger.mock(),
    });
    return { ctx, done: action.handler(ctx as any) };
  }

  function linkAt(relative: string) {
    const file = path.join(workspace.path, relative);
    const stat = fs.lstatSync(file, { throwIfNoEntry: false });
    return stat?.isSymbolicLink() ? fs.readlinkSync(file) : undefined;
  }

  function entriesIn(dir: string) {
    return fs.readdirSync(path.join(workspace.path, dir));
  }

  it('links the three default stacks relatively to the root file', async () => {
    const { ctx, done } = run();
    await done;

    for (const stack of ['environment', 'eks-blue', 'eks-green']) {
      expect(linkAt(`${stack}/terraform.tfvars`)).toBe('../terraform.tfvars');
      expect(
        fs.readFileSync(
          path.join(workspace.path, stack, 'terraform.tfvars'),
          'utf8',
        ),
      ).toBe(SHARED);
    }
    expect(ctx.output).toHaveBeenCalledWith('links', [
      'environment/terraform.tfvars',
      'eks-blue/terraform.tfvars',
      'eks-green/terraform.tfvars',
    ]);
  });

  it('links only the stacks it is given, in order', async () => {
    const { ctx, done } = run({ stacks: ['eks-green', 'eks-blue'] });
    await done;

    expect(linkAt('eks-green/terraform.tfvars')).toBe('../terraform.tfvars');
    expect(linkAt('eks-blue/terraform.tfvars')).toBe('../terraform.tfvars');
    expect(entriesIn('environment')).toEqual([]);
    expect(ctx.output).toHaveBeenCalledWith('links', [
      'eks-green/terraform.tfvars',
      'eks-blue/terraform.tfvars',
    ]);
  });

  it('is idempotent when the right links exist', async () => {
    await run().done;
    const before = fs.lstatSync(
      path.join(workspace.path, 'eks-blue/terraform.tfvars'),
    );

    const { ctx, done } = run();
    await done;

    const after = fs.lstatSync(
      path.join(workspace.path, 'eks-blue/terraform.tfvars'),
    );
    expect(after.ino).toBe(before.ino);
    expect(linkAt('eks-blue/terraform.tfvars')).toBe('../terraform.tfvars');
    expect(ctx.logger.info).toHaveBeenCalledWith(
      'eks-blue/terraform.tfvars already links to ../terraform.tfvars',
    );
  });

  it('replaces a link that points somewhere else', async () => {
    fs.symlinkSync(
      '../other.tfvars',
      path.join(workspace.path, 'eks-blue/terraform.tfvars'),
    );

    await run({ stacks: ['eks-blue'] }).done;

    expect(linkAt('eks-blue/terraform.tfvars')).toBe('../terraform.tfvars');
  });

  describe('refuses, naming the field, and creates nothing', () => {
    function expectNothingLinked() {
      for (const stack of ['environment', 'eks-blue', 'eks-green']) {
        expect(linkAt(`${stack}/terraform.tfvars`)).toBeUndefined();
      }
    }

    it('a stack name containing /', async () => {
      await expect(
        run({ stacks: ['eks-blue', 'eks-green/nested'] }).done,
      ).rejects.toThrow(
        /stacks\[1\]: stack name "eks-green\/nested" must be a single directory name/,
      );
      expectNothingLinked();
    });

    it('a stack name containing ..', async () => {
      await expect(run({ stacks: ['eks-blue', '..'] }).done).rejects.toThrow(
        /stacks\[1\]: stack name "\.\." must not be '\.' or contain '\.\.'/,
      );
      await expect(run({ stacks: ['eks..blue'] }).done).rejects.toThrow(
        /stacks\[0\]: .*must not be '\.' or contain '\.\.'/,
      );
      expectNothingLinked();
    });

    it('an absolute path', async () => {
      await expect(
        run({ stacks: ['eks-blue', path.join(workspace.path, 'eks-green')] })
          .done,
      ).rejects.toThrow(/stacks\[1\]: .*not an absolute path/);
      expectNothingLinked();
    });

    it('a repeated or empty stack list', async () => {
      await expect(
        run({ stacks: ['eks-blue', 'eks-blue'] }).done,
      ).rejects.toThrow(
        /stacks\[1\]: stack "eks-blue" is listed more than once/,
      );
      await expect(run({ stacks: [] }).done).rejects.toThrow(
        /stacks: list at least one stack/,
      );
      expectNothingLinked();
    });

    it('a missing root terraform.tfvars', async () => {
      fs.rmSync(path.join(workspace.path, 'terraform.tfvars'));

      await expect(run().done).rejects.toThrow(
        /terraform\.tfvars: the shared variables file must be a regular file at the workspace root; it is missing/,
      );
      expectNothingLinked();
    });

    it('an existing regular file at the link path', async () => {
      workspace.addContent({
        'eks-green/terraform.tfvars': 'hand = "written"',
      });

      await expect(run().done).rejects.toThrow(
        /stacks\[2\]: eks-green\/terraform\.tfvars already exists as a regular file; refusing to overwrite it/,
      );
      expectNothingLinked();
      expect(
        fs.readFileSync(
          path.join(workspace.path, 'eks-green/terraform.tfvars'),
          'utf8',
        ),
      ).toBe('hand = "written"');
    });

    it('a stack directory that is missing', async () => {
      await expect(
        run({ stacks: ['eks-blue', 'eks-purple'] }).done,
      ).rejects.toThrow(
        /stacks\[1\]: stack directory "eks-purple" does not exist/,
      );
      expectNothingLinked();
      expect(fs.existsSync(path.join(workspace.path, 'eks-purple'))).toBe(
        false,
      );
    });

    it('a stack directory that links out of the workspace', async () => {
      const outside = createMockDirectory();
      outside.setContent({ 'somewhere-else': {} });
      fs.symlinkSync(
        path.join(outside.path, 'somewhere-else'),
        path.join(workspace.path, 'escape'),
      );

      await expect(
        run({ stacks: ['eks-blue', 'escape'] }).done,
      ).rejects.toThrow(/stacks\[1\]: stack "escape" resolves outside/);
      expectNothingLinked();
      expect(entriesIn('escape')).toEqual([]);
    });
  });
});
