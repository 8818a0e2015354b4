import { EKSClient } from '@aws-sdk/client-eks';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { seedGenerationValues } from '../__fixtures__/generationValues';
import { EksVersionCatalog } from '../aws/EksVersionCatalog';
import { createValidateGenerationAction } from './validateGeneration';

// EKS unreachable: the versions table decides, as of this day (1.31 ended today).
const catalog = new EksVersionCatalog(
  async () => {
    throw new Error('no route to EKS');
  },
  () => new Date('2026-11-26T12:00:00Z'),
);
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
