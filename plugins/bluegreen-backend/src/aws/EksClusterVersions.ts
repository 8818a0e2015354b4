import {
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  EKSClient,
} from '@aws-sdk/client-eks';
import {
  ClusterVersionStatus,
  EKS_VERSIONS,
  eksSupportStatus,
} from '@bluegreen/plugin-bluegreen-common';

function day(date: Date | undefined): string | undefined {
  return date?.toISOString().slice(0, 10);
}

/**
 * A cluster's Kubernetes version and its support calendar: the version from EKS
 * DescribeCluster, the dates from DescribeClusterVersions, falling back to the versions
 * table in bluegreen-common when EKS does not answer the second question.
 */
export class EksClusterVersions {
  constructor(
    private readonly eks: () => Promise<EKSClient>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async describe(name: string): Promise<ClusterVersionStatus> {
    let version: string | undefined;
    try {
      const client = await this.eks();
      const { cluster } = await client.send(
        new DescribeClusterCommand({ name }),
      );
      version = cluster?.version;
    } catch (error) {
      return {
        name,
        source: 'unavailable',
        error: `EKS DescribeCluster: ${(error as Error).message}`,
      };
    }
    if (!version) {
      return { name, source: 'unavailable', error: 'EKS returned no version' };
    }
    try {
      const client = await this.eks();
      const { clusterVersions = [] } = await client.send(
        new DescribeClusterVersionsCommand({
          clusterVersions: [version],
          includeAll: true,
        }),
      );
      const found = clusterVersions.find(v => v.clusterVersion === version);
      const endOfStandardSupport = day(found?.endOfStandardSupportDate);
      const endOfExtendedSupport = day(found?.endOfExtendedSupportDate);
      if (endOfStandardSupport && endOfExtendedSupport) {
        return {
          name,
          version,
          endOfStandardSupport,
          endOfExtendedSupport,
          supportStatus: eksSupportStatus(
            { endOfStandardSupport, endOfExtendedSupport },
            this.now(),
          ),
          source: 'eks',
        };
      }
    } catch {
      // Older EKS endpoints and narrow IAM policies lack this call: use the table.
    }
    const known = EKS_VERSIONS.find(v => v.version === version);
    return {
      name,
      version,
      endOfStandardSupport: known?.endOfStandardSupport,
      endOfExtendedSupport: known?.endOfExtendedSupport,
      supportStatus: known ? eksSupportStatus(known, this.now()) : undefined,
      source: 'versions-table',
    };
  }
}
