/*
 * The EKS subset of the sandbox (a local stand-in for AWS) through the unmodified
 * @aws-sdk/client-eks, with support status computed from an injected clock.
 */
import {
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeInsightCommand,
  EKSClient,
  ListInsightsCommand,
  paginateListInsights,
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

  describe('cluster insights', () => {
    const upgrade = { categories: ['UPGRADE_READINESS' as const] };

    it("lists each cluster's upgrade insights for its next version: one passing, one warning", async () => {
      const blue = await eks.send(
        new ListInsightsCommand({
          clusterName: 'eks-blueprint-blue',
          filter: upgrade,
        }),
      );
      expect(
        blue.insights!.map(i => [
          i.name,
          i.kubernetesVersion,
          i.insightStatus?.status,
        ]),
      ).toEqual([
        ['Kubelet version skew', '1.34', 'PASSING'],
        ['Deprecated APIs removed in Kubernetes v1.34', '1.34', 'WARNING'],
      ]);
      expect(blue.insights![1]).toMatchObject({
        category: 'UPGRADE_READINESS',
        insightStatus: {
          reason: 'Deprecated API usage detected within last 30 days.',
        },
        lastRefreshTime: new Date('2026-11-25T06:12:00Z'),
      });
      const green = await eks.send(
        new ListInsightsCommand({ clusterName: 'eks-blueprint-green' }),
      );
      expect(green.insights!.map(i => i.name)).toContain(
        'Deprecated APIs removed in Kubernetes v1.35',
      );
      expect(sandbox.requestCounts()).toEqual({ ListInsights: 2 });
    });

    it('filters by status, category and version, and pages with maxResults/nextToken', async () => {
      const list = (filter: object, maxResults?: number, nextToken?: string) =>
        eks.send(
          new ListInsightsCommand({
            clusterName: 'eks-blueprint-blue',
            filter,
            maxResults,
            nextToken,
          }),
        );
      expect(
        (await list({ statuses: ['WARNING'] })).insights!.map(i => i.name),
      ).toEqual(['Deprecated APIs removed in Kubernetes v1.34']);
      expect(
        (await list({ categories: ['MISCONFIGURATION'] })).insights,
      ).toEqual([]);
      expect((await list({ kubernetesVersions: ['1.35'] })).insights).toEqual(
        [],
      );
      const seen: string[] = [];
      for await (const page of paginateListInsights(
        { client: eks, pageSize: 1 },
        { clusterName: 'eks-blueprint-blue', filter: upgrade },
      )) {
        expect(page.insights).toHaveLength(1);
        seen.push(page.insights![0].id!);
      }
      expect(new Set(seen).size).toBe(2);
      const bad: any = await list({ statuses: ['BROKEN'] }).catch(e => e);
      expect(bad.name).toBe('InvalidParameterException');
    });

    it('describes the warning: the removed API, its replacement, the versions and the clients that called it', async () => {
      const { insights } = await eks.send(
        new ListInsightsCommand({
          clusterName: 'eks-blueprint-blue',
          filter: { statuses: ['WARNING'] },
        }),
      );
      const { insight } = await eks.send(
        new DescribeInsightCommand({
          clusterName: 'eks-blueprint-blue',
          id: insights![0].id,
        }),
      );
      expect(insight).toMatchObject({
        name: 'Deprecated APIs removed in Kubernetes v1.34',
        recommendation:
          'Update manifests and API clients to use newer Kubernetes APIs if applicable before upgrading to Kubernetes v1.34.',
        categorySpecificSummary: {
          deprecationDetails: [
            {
              usage: '/apis/resource.k8s.io/v1beta1/resourceclaims',
              replacedWith: '/apis/resource.k8s.io/v1beta2/resourceclaims',
              startServingReplacementVersion: '1.33',
              stopServingVersion: '1.34',
              clientStats: [
                {
                  userAgent: 'argocd-application-controller/v3.1.0',
                  numberOfRequestsLast30Days: 1284,
                  lastRequestTime: new Date('2026-11-24T22:41:07Z'),
                },
              ],
            },
          ],
        },
      });
      const missing: any = await eks
        .send(
          new DescribeInsightCommand({
            clusterName: 'eks-blueprint-blue',
            id: 'no-such-insight',
          }),
        )
        .catch(e => e);
      expect(missing.name).toBe('ResourceNotFoundException');
    });

    it("a fault lists no insights for one cluster, or refuses them (AccessDeniedException, 403), leaving the other cluster's alone", async () => {
      const names = async (clusterName: string) =>
        (
          await eks.send(new ListInsightsCommand({ clusterName }))
        ).insights!.map(i => i.name);
      sandbox.faults.insights('eks-blueprint-blue', 'none');
      expect(await names('eks-blueprint-blue')).toEqual([]);
      sandbox.faults.insights('eks-blueprint-blue', 'access-denied');
      const denied: any = await eks
        .send(new ListInsightsCommand({ clusterName: 'eks-blueprint-blue' }))
        .catch(e => e);
      expect(denied.name).toBe('AccessDeniedException');
      expect(denied.$metadata.httpStatusCode).toBe(403);
      expect(denied.message).toContain(
        'is not authorized to perform: eks:ListInsights on resource: arn:aws:eks:us-west-2:111122223333:cluster/eks-blueprint-blue',
      );
      expect(await names('eks-blueprint-green')).toHaveLength(2);
      sandbox.faults.insights('eks-blueprint-blue');
      expect(await names('eks-blueprint-blue')).toHaveLength(2);
    });

    it('answers ResourceNotFoundException for the insights of a cluster that does not exist', async () => {
      const e: any = await eks
        .send(new ListInsightsCommand({ clusterName: 'eks-blueprint-red' }))
        .catch(err => err);
      expect(e.name).toBe('ResourceNotFoundException');
      expect(e.$metadata.httpStatusCode).toBe(404);
    });
  });
});
