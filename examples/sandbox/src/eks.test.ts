/*
 * The EKS subset through the unmodified @aws-sdk/client-eks, with support status computed
 * from an injected clock.
 */
import {
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  EKSClient,
} from '@aws-sdk/client-eks';
import { Sandbox, startSandbox } from './server';

describe('EKS', () => {
  let clock = new Date('2026-09-15T00:00:00Z');
  let sandbox: Sandbox;
  let eks: EKSClient;

  beforeEach(async () => {
    clock = new Date('2026-09-15T00:00:00Z');
    sandbox = await startSandbox({ now: () => clock });
    eks = new EKSClient({
      endpoint: sandbox.url,
      region: 'us-west-2',
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    });
  });
  afterEach(async () => {
    eks.destroy();
    await sandbox.close();
  });

  it('describes a cluster', async () => {
    const { cluster } = await eks.send(
      new DescribeClusterCommand({ name: 'eks-blueprint-blue' }),
    );
    expect(cluster).toMatchObject({
      name: 'eks-blueprint-blue',
      arn: 'arn:aws:eks:us-west-2:111122223333:cluster/eks-blueprint-blue',
      version: '1.33',
      status: 'ACTIVE',
      platformVersion: 'eks.12',
    });
    expect(cluster!.createdAt).toEqual(new Date('2025-06-10T09:00:00Z'));
    expect(cluster!.endpoint).toMatch(/^https:\/\/.*\.invalid$/);
    expect(cluster!.certificateAuthority!.data).toBeTruthy();
    const green = await eks.send(
      new DescribeClusterCommand({ name: 'eks-blueprint-green' }),
    );
    expect(green.cluster!.version).toBe('1.34');
    expect(sandbox.requestCounts()).toEqual({ DescribeCluster: 2 });
  });

  it('answers ResourceNotFoundException (404) for an unknown cluster', async () => {
    const e: any = await eks
      .send(new DescribeClusterCommand({ name: 'eks-blueprint-red' }))
      .catch(err => err);
    expect(e.name).toBe('ResourceNotFoundException');
    expect(e.$metadata.httpStatusCode).toBe(404);
    expect(e.message).toBe('No cluster found for name: eks-blueprint-red.');
  });

  it('lists cluster versions with status computed from the sandbox clock', async () => {
    const out = await eks.send(
      new DescribeClusterVersionsCommand({ includeAll: true }),
    );
    const byVersion = Object.fromEntries(
      out.clusterVersions!.map(v => [v.clusterVersion, v.versionStatus]),
    );
    expect(byVersion).toEqual({
      '1.36': 'STANDARD_SUPPORT',
      '1.35': 'STANDARD_SUPPORT',
      '1.34': 'STANDARD_SUPPORT',
      '1.33': 'EXTENDED_SUPPORT',
      '1.32': 'EXTENDED_SUPPORT',
      '1.31': 'EXTENDED_SUPPORT',
      '1.30': 'UNSUPPORTED',
      '1.29': 'UNSUPPORTED',
      '1.28': 'UNSUPPORTED',
    });
    const v133 = out.clusterVersions!.find(v => v.clusterVersion === '1.33')!;
    expect(v133).toMatchObject({
      clusterType: 'eks',
      status: 'extended-support',
      defaultVersion: false,
      endOfStandardSupportDate: new Date('2026-07-29T00:00:00Z'),
      endOfExtendedSupportDate: new Date('2027-07-29T00:00:00Z'),
      releaseDate: new Date('2025-05-29T00:00:00Z'),
    });
    // Without includeAll, unsupported versions are left out.
    const current = await eks.send(new DescribeClusterVersionsCommand({}));
    expect(current.clusterVersions!.map(v => v.clusterVersion)).toEqual([
      '1.36',
      '1.35',
      '1.34',
      '1.33',
      '1.32',
      '1.31',
    ]);
  });

  it('moves a version to extended support at the start of its end-of-standard-support day', async () => {
    const status = async () =>
      (
        await eks.send(
          new DescribeClusterVersionsCommand({ clusterVersions: ['1.33'] }),
        )
      ).clusterVersions!.map(v => v.versionStatus);
    clock = new Date('2026-07-28T23:59:59Z');
    expect(await status()).toEqual(['STANDARD_SUPPORT']);
    clock = new Date('2026-07-29T00:00:00Z');
    expect(await status()).toEqual(['EXTENDED_SUPPORT']);
    clock = new Date('2027-07-29T00:00:00Z');
    expect(await status()).toEqual(['UNSUPPORTED']);
  });

  it('filters by versionStatus, defaultOnly and pages with maxResults/nextToken', async () => {
    const extended = await eks.send(
      new DescribeClusterVersionsCommand({ versionStatus: 'EXTENDED_SUPPORT' }),
    );
    expect(extended.clusterVersions!.map(v => v.clusterVersion)).toEqual([
      '1.33',
      '1.32',
      '1.31',
    ]);
    const def = await eks.send(
      new DescribeClusterVersionsCommand({ defaultOnly: true }),
    );
    expect(
      def.clusterVersions!.map(v => [v.clusterVersion, v.defaultVersion]),
    ).toEqual([['1.35', true]]);
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await eks.send(
        new DescribeClusterVersionsCommand({
          includeAll: true,
          maxResults: 4,
          nextToken,
        }),
      );
      expect(page.clusterVersions!.length).toBeLessThanOrEqual(4);
      seen.push(...page.clusterVersions!.map(v => v.clusterVersion!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
  });
});
