import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ClusterVersionStatus } from '@bluegreen/plugin-bluegreen-common';
import { EksVersionCatalog } from './EksVersionCatalog';
import { redactAwsError } from './redactAwsError';

/**
 * A cluster's Kubernetes version (EKS DescribeCluster) and its support calendar (EKS
 * DescribeClusterVersions, or the versions table in bluegreen-common when EKS does not
 * answer that).
 */
export class EksClusterVersions {
  constructor(
    private readonly eks: () => Promise<EKSClient>,
    private readonly catalog: EksVersionCatalog,
    private readonly logger: LoggerService,
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
        // EKS's own answer that the cluster does not exist: a destroyed colour, not an
        // outage.
        source:
          (error as Error)?.name === 'ResourceNotFoundException'
            ? 'not-found'
            : 'unavailable',
        error: `EKS DescribeCluster: ${
          (redactAwsError(error, this.logger) as Error).message
        }`,
      };
    }
    if (!version) {
      return { name, source: 'unavailable', error: 'EKS returned no version' };
    }
    const calendar = await this.catalog.calendar();
    const known = calendar.versions.find(v => v.version === version);
    return {
      name,
      version,
      endOfStandardSupport: known?.endOfStandardSupport,
      endOfExtendedSupport: known?.endOfExtendedSupport,
      supportStatus: known?.supportStatus,
      source: calendar.source,
    };
  }
}
