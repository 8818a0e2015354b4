import { redactAwsMessage } from './redactAwsError';
import {
  DescribeClusterVersionsCommand,
  DescribeClusterVersionsCommandOutput,
  EKSClient,
} from '@aws-sdk/client-eks';
import {
  compareKubernetesVersions,
  EKS_VERSIONS,
  EksVersionSupport,
  eksSupportStatus,
  EksVersionsResponse,
} from '@bluegreen/plugin-bluegreen-common';

/** The EKS calendar, from EKS or, when EKS cannot be asked, from the versions table. */
export type EksCalendar = EksVersionsResponse;
type EksVersionStatus = EksCalendar['versions'][number];

const REFRESH_MS = 60 * 60 * 1000;

function day(date: Date | undefined): string | undefined {
  return date?.toISOString().slice(0, 10);
}

/**
 * The EKS Kubernetes versions and their support dates: EKS DescribeClusterVersions when
 * reachable (read at most hourly), else the table in bluegreen-common.
 */
export class EksVersionCatalog {
  private cached?: { at: number; calendar: Promise<EksCalendar> };

  constructor(
    private readonly eks: () => Promise<EKSClient>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private withStatus(versions: EksVersionSupport[]): EksVersionStatus[] {
    return versions
      .map(v => ({ ...v, supportStatus: eksSupportStatus(v, this.now()) }))
      .sort((a, b) => compareKubernetesVersions(a.version, b.version));
  }

  private async read(): Promise<EksCalendar> {
    try {
      const client = await this.eks();
      const versions: EksVersionSupport[] = [];
      let nextToken: string | undefined;
      do {
        const page: DescribeClusterVersionsCommandOutput = await client.send(
          new DescribeClusterVersionsCommand({ includeAll: true, nextToken }),
        );
        for (const v of page.clusterVersions ?? []) {
          const endOfStandardSupport = day(v.endOfStandardSupportDate);
          const endOfExtendedSupport = day(v.endOfExtendedSupportDate);
          if (
            v.clusterVersion &&
            endOfStandardSupport &&
            endOfExtendedSupport
          ) {
            versions.push({
              version: v.clusterVersion,
              endOfStandardSupport,
              endOfExtendedSupport,
            });
          }
        }
        nextToken = page.nextToken;
      } while (nextToken);
      if (versions.length > 0) {
        return { versions: this.withStatus(versions), source: 'eks' };
      }
      throw new Error('EKS listed no versions');
    } catch (error) {
      return {
        versions: this.withStatus([...EKS_VERSIONS]),
        source: 'versions-table',
        // Shown to users (the versions field, the task log): no ARNs or account ids.
        error: `EKS DescribeClusterVersions: ${redactAwsMessage(
          (error as Error).message,
        )}`,
      };
    }
  }

  calendar(): Promise<EksCalendar> {
    const at = this.now().getTime();
    if (!this.cached || at - this.cached.at > REFRESH_MS) {
      this.cached = { at, calendar: this.read() };
    }
    return this.cached.calendar;
  }

  /** The versions EKS supports today (standard or extended), oldest first. */
  async supported(): Promise<EksCalendar> {
    const calendar = await this.calendar();
    return {
      ...calendar,
      versions: calendar.versions.filter(
        v => v.supportStatus !== 'unsupported',
      ),
    };
  }
}
