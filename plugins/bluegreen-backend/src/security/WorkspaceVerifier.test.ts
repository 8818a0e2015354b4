import fs from 'node:fs';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { fixtureUrlReader } from '../__testUtils__/fixtureRepository';
import { GENERATION_URL } from '../__testUtils__/security';
import { copyGeneration } from '../__testUtils__/tofu';
import { WorkspaceVerifier } from './WorkspaceVerifier';

describe('WorkspaceVerifier', () => {
  const workspace = createMockDirectory();
  const scratch = createMockDirectory();
  const repository = createMockDirectory();

  beforeEach(() => {
    workspace.clear();
    scratch.clear();
    copyGeneration(workspace.path);
  });

  const file = (rel: string) => path.join(workspace.path, rel);

  function verify(
    options: {
      dereference?: boolean;
      fixture?: string;
      weightFiles?: 'may-change' | 'must-match';
    } = {},
  ) {
    return new WorkspaceVerifier(
      fixtureUrlReader(GENERATION_URL, options),
    ).verify({
      workspacePath: workspace.path,
      repositoryUrl: GENERATION_URL,
      scratchDir: scratch.path,
      weightFiles: options.weightFiles ?? 'may-change',
    });
  }

  async function refusal(): Promise<Error> {
    try {
      await verify();
    } catch (error) {
      return error as Error;
    }
    throw new Error('the workspace was accepted');
  }

  /** The fixture as a repository changed by `change` (in a copy). */
  function repositoryWith(change: (dir: string) => void) {
    repository.clear();
    copyGeneration(repository.path);
    change(repository.path);
    return { fixture: repository.path };
  }

  describe('accepts', () => {
    it('a copy of the repository, its tfvars links verbatim', async () => {
      await expect(verify()).resolves.toMatchObject({
        changedWeightFiles: expect.any(Array),
      });
    });

    it('a copy whose links the reference delivers dereferenced (a repository archive)', async () => {
      await expect(verify({ dereference: true })).resolves.toMatchObject({
        changedWeightFiles: expect.any(Array),
      });
    });

    it('a repository that stores the links as text files holding the target (git without symlinks)', async () => {
      const fixture = repositoryWith(dir => {
        for (const stack of ['environment', 'eks-blue', 'eks-green']) {
          fs.rmSync(path.join(dir, stack, 'terraform.tfvars'));
          fs.writeFileSync(
            path.join(dir, stack, 'terraform.tfvars'),
            '../terraform.tfvars',
          );
        }
      });
      await expect(verify(fixture)).resolves.toMatchObject({
        changedWeightFiles: expect.any(Array),
      });
    });

    it('tfvars links that link-tfvars created where the repository has none', async () => {
      const fixture = repositoryWith(dir => {
        for (const stack of ['environment', 'eks-blue', 'eks-green']) {
          fs.rmSync(path.join(dir, stack, 'terraform.tfvars'));
        }
      });
      await expect(verify(fixture)).resolves.toMatchObject({
        changedWeightFiles: expect.any(Array),
      });
    });

    it('weight files a cutover changed, holding only the weight (and comments)', async () => {
      fs.writeFileSync(
        file('eks-blue/traffic.auto.tfvars'),
        'route53_weight = 0\n',
      );
      fs.writeFileSync(
        file('eks-green/traffic.auto.tfvars'),
        '# written by bluegreen:set-weight\n\nroute53_weight   =  255\n',
      );
      // Returned, so that the caller can ask for bluegreen.cutover: it moves traffic.
      await expect(verify()).resolves.toMatchObject({
        changedWeightFiles: [
          'eks-blue/traffic.auto.tfvars',
          'eks-green/traffic.auto.tfvars',
        ],
      });
    });

    it('must-match (destroy): a weight file that differs from the repository is refused, since only merged weights count', async () => {
      fs.writeFileSync(
        file('eks-blue/traffic.auto.tfvars'),
        'route53_weight = 0\n',
      );
      await expect(verify({ weightFiles: 'must-match' })).rejects.toThrow(
        'eks-blue/traffic.auto.tfvars differs from the repository',
      );
    });

    it('a weight above 255 is not a weight file', async () => {
      fs.writeFileSync(
        file('eks-blue/traffic.auto.tfvars'),
        'route53_weight = 256\n',
      );
      await expect(verify()).rejects.toThrow(
        'eks-blue/traffic.auto.tfvars holds more than the "route53_weight = <0-255>" line',
      );
    });

    it("what the CLI and the actions create: .terraform/, lock files, the actions' .bluegreen/", async () => {
      fs.mkdirSync(file('eks-blue/.terraform/modules'), { recursive: true });
      fs.writeFileSync(file('eks-blue/.terraform/modules/modules.json'), '{}');
      fs.writeFileSync(file('eks-blue/.terraform.lock.hcl'), '# lock\n');
      fs.mkdirSync(file('.bluegreen/run-x/home'), { recursive: true });
      fs.writeFileSync(file('.bluegreen/run-x/home/.terraformrc'), '');
      await expect(verify()).resolves.toMatchObject({
        changedWeightFiles: expect.any(Array),
      });
    });
  });

  describe('refuses, naming the problem', () => {
    it.each<[string, () => void, string]>([
      [
        'an extra .tf file',
        () =>
          fs.writeFileSync(
            file('environment/evil.tf'),
            'data "external" "pwn" {\n  program = ["sh", "-c", "id"]\n}\n',
          ),
        'environment/evil.tf is not in the repository',
      ],
      [
        'an extra variables file (overriding a generation setting)',
        () =>
          fs.writeFileSync(
            file('eks-blue/zz.auto.tfvars'),
            'eks_admin_role_name = "x"\n',
          ),
        'eks-blue/zz.auto.tfvars is not in the repository',
      ],
      [
        'an extra .tf file in a module',
        () => fs.writeFileSync(file('modules/eks_cluster/eks/override.tf'), ''),
        'modules/eks_cluster/eks/override.tf is not in the repository',
      ],
      [
        'a changed .tf file',
        () => fs.appendFileSync(file('eks-green/main.tf'), '\n# changed\n'),
        'eks-green/main.tf differs from the repository',
      ],
      [
        'a changed shared terraform.tfvars',
        () =>
          fs.writeFileSync(
            file('terraform.tfvars'),
            'environment_name = "other"\n',
          ),
        'terraform.tfvars differs from the repository',
      ],
      [
        'a deleted .tf file',
        () => fs.rmSync(file('modules/eks_cluster/addons/main.tf')),
        'modules/eks_cluster/addons/main.tf is missing from the workspace',
      ],
      [
        'a weight file with an extra assignment',
        () =>
          fs.writeFileSync(
            file('eks-blue/traffic.auto.tfvars'),
            'route53_weight = 100\neks_admin_role_name = "x"\n',
          ),
        'eks-blue/traffic.auto.tfvars holds more than the "route53_weight = <0-255>" line',
      ],
      [
        'a weight file with the weight twice',
        () =>
          fs.writeFileSync(
            file('eks-green/traffic.auto.tfvars'),
            'route53_weight = 0\nroute53_weight = 100\n',
          ),
        'eks-green/traffic.auto.tfvars holds more than the "route53_weight = <0-255>" line',
      ],
      [
        'a weight file with a block comment',
        () =>
          fs.writeFileSync(
            file('eks-green/traffic.auto.tfvars'),
            '/*\nroute53_weight = 100\n*/\nroute53_weight = 0\n',
          ),
        'eks-green/traffic.auto.tfvars holds more than the "route53_weight = <0-255>" line',
      ],
      [
        'a weight file without the weight',
        () => fs.writeFileSync(file('eks-green/traffic.auto.tfvars'), ''),
        'eks-green/traffic.auto.tfvars holds more than the "route53_weight = <0-255>" line',
      ],
      [
        'a weight file in the environment stack (not a cluster stack)',
        () =>
          fs.writeFileSync(
            file('environment/traffic.auto.tfvars'),
            'route53_weight = 0\n',
          ),
        'environment/traffic.auto.tfvars is not in the repository',
      ],
      [
        'a symlink to a file outside',
        () => fs.symlinkSync('/etc/evil.tf', file('environment/evil.tf')),
        'environment/evil.tf is a link to /etc/evil.tf',
      ],
      [
        'a symlinked module directory',
        () => {
          fs.rmSync(file('modules/eks_cluster/teams'), { recursive: true });
          fs.symlinkSync('/tmp/teams', file('modules/eks_cluster/teams'));
        },
        'modules/eks_cluster/teams is a link to /tmp/teams',
      ],
      [
        'a tfvars link to another target',
        () => {
          fs.rmSync(file('eks-blue/terraform.tfvars'));
          fs.symlinkSync('../evil.tfvars', file('eks-blue/terraform.tfvars'));
        },
        'eks-blue/terraform.tfvars is a link to ../evil.tfvars',
      ],
      [
        'the shared terraform.tfvars as a link',
        () => {
          fs.rmSync(file('terraform.tfvars'));
          fs.symlinkSync('../terraform.tfvars', file('terraform.tfvars'));
        },
        'terraform.tfvars is a link to ../terraform.tfvars',
      ],
      [
        'a weight file as a link',
        () => {
          fs.rmSync(file('eks-blue/traffic.auto.tfvars'));
          fs.symlinkSync('/tmp/weights', file('eks-blue/traffic.auto.tfvars'));
        },
        'eks-blue/traffic.auto.tfvars is a link to /tmp/weights',
      ],
      [
        "a link to the actions' own directory",
        () => fs.symlinkSync('.bluegreen', file('environment/.bluegreen-link')),
        'environment/.bluegreen-link is a link to .bluegreen',
      ],
    ])('%s', async (_what, tamper, problem) => {
      tamper();
      const error = await refusal();
      expect(error).toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(problem),
      });
      expect(error.message).toMatch(
        /^workspace: it does not hold the generation repository https:\/\/github\.com\/example\/eks-blueprint-generation \(.*\); the Terraform actions run only the generation's own Terraform$/,
      );
    });

    it('names exactly the problem found', async () => {
      fs.writeFileSync(file('environment/evil.tf'), '');
      await expect(verify()).rejects.toThrow(
        `workspace: it does not hold the generation repository ${GENERATION_URL} (environment/evil.tf is not in the repository); the Terraform actions run only the generation's own Terraform`,
      );
    });

    it('a tfvars link where the repository has a different file (dereferenced reference)', async () => {
      const fixture = repositoryWith(dir => {
        fs.rmSync(path.join(dir, 'eks-blue/terraform.tfvars'));
        fs.writeFileSync(
          path.join(dir, 'eks-blue/terraform.tfvars'),
          'environment_name = "eks-blueprint"\nextra = 1\n',
        );
      });
      await expect(verify(fixture)).rejects.toThrow(
        'eks-blue/terraform.tfvars replaces a different file of the repository',
      );
    });

    it('a file where the repository has a tfvars link', async () => {
      fs.rmSync(file('eks-green/terraform.tfvars'));
      fs.writeFileSync(
        file('eks-green/terraform.tfvars'),
        'environment_name = "eks-blueprint"\n',
      );
      await expect(verify()).rejects.toThrow(
        'eks-green/terraform.tfvars differs from the repository',
      );
    });

    it('lists at most 5 problems and counts the rest', async () => {
      for (const n of [1, 2, 3, 4, 5, 6, 7]) {
        fs.writeFileSync(file(`environment/evil${n}.tf`), '');
      }
      const error = await refusal();
      const listed = error.message.match(/environment\/evil\d\.tf/g) ?? [];
      expect(listed).toHaveLength(5);
      expect(error.message).toContain(
        'is not in the repository; and 2 more); the Terraform actions run only',
      );
    });

    it('a workspace when the repository cannot be read', async () => {
      await expect(
        new WorkspaceVerifier(fixtureUrlReader(GENERATION_URL)).verify({
          workspacePath: workspace.path,
          repositoryUrl: 'https://github.com/example/other',
          scratchDir: scratch.path,
          weightFiles: 'may-change',
        }),
      ).rejects.toThrow('unexpected URL https://github.com/example/other');
    });
  });
});
