import { EKSClient } from '@aws-sdk/client-eks';
import { versionsTableOn } from '../__testUtils__/eksVersions';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { seedGenerationValues } from '../__fixtures__/generationValues';
import { EksVersionCatalog } from '../aws/EksVersionCatalog';
import { createValidateGenerationAction } from './validateGeneration';

// EKS unreachable: the versions table decides, as of this day (1.31 ended today).
const catalog = versionsTableOn('2026-11-26T12:00:00Z');
const action = createValidateGenerationAction({ eksVersions: catalog });

const good = seedGenerationValues({ blue: '1.33', green: '1.34' });

const run = (input: object) =>
  action.handler(createMockActionContext({ input: input as any }) as any);

describe('bluegreen:validate-generation', () => {
  it('accepts good values and reports the versions supported today and their source', async () => {
    const ctx = createMockActionContext({ input: good as any });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('supportedVersions', [
      '1.32',
      '1.33',
      '1.34',
      '1.35',
      '1.36',
    ]);
    expect(ctx.output).toHaveBeenCalledWith('versionSource', 'versions-table');
  });

  it.each([
    [
      'both weights 0',
      { initial_weights: { blue: 0, green: 0 } },
      'initial_weights: blue and green must not both be 0',
    ],
    [
      'a weight above 255',
      { initial_weights: { blue: 100, green: 256 } },
      'initial_weights.green: must be between 0 and 255',
    ],
    [
      'green older than blue',
      { kubernetes_versions: { blue: '1.34', green: '1.33' } },
      'kubernetes_versions.green: must not be older than blue (1.34)',
    ],
    [
      'a version EKS no longer supports',
      { kubernetes_versions: { blue: '1.31', green: '1.34' } },
      'kubernetes_versions.blue: must be a Kubernetes version EKS supports today: 1.32, 1.33, 1.34, 1.35, 1.36',
    ],
    [
      'an invalid zone name',
      { hosted_zone_name: 'example..com' },
      'hosted_zone_name: must be the domain name of an existing public hosted zone',
    ],
    [
      'an environment name with upper case',
      { environment_name: 'EKS-Blueprint' },
      'environment_name: must be a DNS label',
    ],
    [
      'an environment name over 40 characters',
      { environment_name: 'a'.repeat(41) },
      'environment_name: must be at most 40 characters',
    ],
    [
      'a region outside the commercial partition',
      { aws_region: 'cn-north-1' },
      'aws_region: must be an AWS commercial region',
    ],
    [
      'an unknown field',
      { clusterVersion: '1.34' },
      "Unrecognized key(s) in object: 'clusterVersion'",
    ],
  ])('refuses %s, naming the field', async (_, change, message) => {
    await expect(run({ ...good, ...change })).rejects.toThrow(message);
  });

  it('refuses a value that would add a variable to terraform.tfvars', async () => {
    await expect(
      run({ ...good, gitops_workloads_repo: 'x"\nevil = "y' }),
    ).rejects.toThrow('gitops_workloads_repo: must be a repository name');
  });

  // Every string of the values (the fixture has every field), with a bad character added.
  const stringFields: Array<[string, (bad: string) => object]> = [
    ...Object.entries(good)
      .filter(([, value]) => typeof value === 'string')
      .map(([field, value]): [string, (bad: string) => object] => [
        field,
        bad => ({ [field]: value + bad }),
      ]),
    ...(['blue', 'green'] as const).map(
      (colour): [string, (bad: string) => object] => [
        `kubernetes_versions.${colour}`,
        bad => ({
          kubernetes_versions: {
            ...good.kubernetes_versions,
            [colour]: good.kubernetes_versions[colour] + bad,
          },
        }),
      ],
    ),
  ];
  it.each(
    stringFields.flatMap(([field, change]) =>
      ['\n', '"', '\\', ' '].map(bad => [
        field,
        JSON.stringify(bad),
        change(bad),
      ]),
    ),
  )(
    'refuses %s ending in %s, naming only that field',
    async (field, _, change) => {
      await expect(run({ ...good, ...(change as object) })).rejects.toThrow(
        new RegExp(
          `^Invalid generation values: ${(field as string).replace(
            '.',
            '\\.',
          )}: [^;]+$`,
        ),
      );
    },
  );

  it.each([
    ['owner', 'group:default/team-burnham'],
    ['owner', 'team-burnham'],
    ['owner', 'default/team-burnham'],
    ['owner', 'user:jane.doe'],
    ['repoUrl', 'github.com?owner=example&repo=eks-blueprint-generation'],
    ['repoUrl', 'github.com?repo=clusters&owner=acme'],
    [
      'repoUrl',
      'dev.azure.com?organization=acme&project=infra&owner=acme&repo=clusters',
    ],
    ['gitops_workloads_org', 'https://github.com/aws-samples'],
    ['gitops_workloads_org', 'https://gitlab.example.com/platform/gitops'],
    ['gitops_addons_org', 'git@gitlab.example.com:platform/gitops'],
    ['gitops_addons_repo', 'eks-blueprints-add-ons.git'],
    ['gitops_workloads_revision', 'release/1.2.x'],
    ['gitops_workloads_revision', '0123456789abcdef0123456789abcdef01234567'],
    ['gitops_addons_path', './argocd/bootstrap'],
  ])('accepts %s %j', async (field, value) => {
    await expect(run({ ...good, [field]: value })).resolves.toBeUndefined();
  });

  it.each([
    ['owner', '', 'must be an entity reference'],
    ['owner', 'group:default/', 'must be an entity reference'],
    ['owner', ':team-burnham', 'must be an entity reference'],
    ['owner', 'group:default/team/burnham', 'must be an entity reference'],
    ['owner', 'group:default/-team', 'must be an entity reference'],
    ['owner', `group:default/${'a'.repeat(64)}`, 'must be an entity reference'],
    ['owner', 'group:default/${x}', 'must be an entity reference'],
    ['repoUrl', 'github.com', 'must be a repository location'],
    ['repoUrl', 'github.com?owner=acme', 'must be a repository location'],
    ['repoUrl', 'github.com?repo=clusters', 'must be a repository location'],
    [
      'repoUrl',
      'https://github.com?owner=acme&repo=clusters',
      'must be a repository location',
    ],
    [
      'repoUrl',
      'github.com/x?owner=acme&repo=clusters',
      'must be a repository location',
    ],
    [
      'repoUrl',
      'github.com?owner=acme&repo=..',
      'must be a repository location',
    ],
    [
      'repoUrl',
      'github.com?owner=acme&repo=clusters&',
      'must be a repository location',
    ],
    [
      'repoUrl',
      'github.com?owner=acme&repo=a%22b',
      'must be a repository location',
    ],
    [
      'gitops_workloads_org',
      'https://github.com/aws-samples/',
      'must be a git organisation URL',
    ],
    [
      'gitops_workloads_org',
      'http://github.com/aws-samples',
      'must be a git organisation URL',
    ],
    [
      'gitops_workloads_org',
      'github.com/aws-samples',
      'must be a git organisation URL',
    ],
    ['gitops_addons_org', 'git@github.com:', 'must be a git organisation URL'],
    [
      'gitops_addons_org',
      'https://github.com/..',
      'must be a git organisation URL',
    ],
    ['gitops_workloads_repo', '..', 'must be a repository name'],
    ['gitops_addons_repo', 'acme/add-ons', 'must be a repository name'],
    ['gitops_workloads_revision', 'main..dev', 'must be a git branch'],
    ['gitops_workloads_revision', '-main', 'must be a git branch'],
    ['gitops_workloads_revision', 'release//1', 'must be a git branch'],
    ['gitops_addons_revision', 'release/', 'must be a git branch'],
    ['gitops_addons_revision', 'main.lock', 'must be a git branch'],
    ['gitops_workloads_path', '../other', 'must be a relative path'],
    ['gitops_addons_basepath', 'argocd/../..', 'must be a relative path'],
    ['gitops_addons_path', '/argocd', 'must be a relative path'],
  ])(
    'refuses %s %j, naming the field and the rule',
    async (field, value, rule) => {
      await expect(run({ ...good, [field]: value })).rejects.toThrow(
        `${field}: ${rule}`,
      );
    },
  );

  it('prefers the versions EKS lists when it answers', async () => {
    const eks = {
      send: jest.fn(async () => ({
        clusterVersions: [
          {
            clusterVersion: '1.37',
            endOfStandardSupportDate: new Date('2028-01-01'),
            endOfExtendedSupportDate: new Date('2029-01-01'),
          },
        ],
      })),
    } as unknown as EKSClient;
    const live = createValidateGenerationAction({
      eksVersions: new EksVersionCatalog(async () => eks),
    });
    await expect(
      live.handler(createMockActionContext({ input: good as any }) as any),
    ).rejects.toThrow(
      'kubernetes_versions.blue: must be a Kubernetes version EKS supports today: 1.37',
    );
  });
});
