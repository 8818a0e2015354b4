import {
  DescribeInsightCommand,
  EKSClient,
  Insight,
  InsightSummary,
  paginateListInsights,
} from '@aws-sdk/client-eks';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  UpgradeInsight,
  UpgradeInsightStatus,
} from '@bluegreen/plugin-bluegreen-common';
import { redactAwsError } from './redactAwsError';

const STATUSES: readonly UpgradeInsightStatus[] = [
  'PASSING',
  'WARNING',
  'ERROR',
  'UNKNOWN',
];

function statusOf(insight: InsightSummary): UpgradeInsightStatus {
  const status = insight.insightStatus?.status as UpgradeInsightStatus;
  return STATUSES.includes(status) ? status : 'UNKNOWN';
}

function upgradeInsight(
  summary: InsightSummary,
  details?: Insight,
): UpgradeInsight {
  return {
    id: summary.id ?? '',
    name: summary.name ?? '',
    status: statusOf(summary),
    reason: summary.insightStatus?.reason,
    kubernetesVersion: summary.kubernetesVersion,
    lastRefreshTime: summary.lastRefreshTime?.toISOString(),
    deprecations: (
      details?.categorySpecificSummary?.deprecationDetails ?? []
    ).map(d => ({
      usage: d.usage ?? '',
      replacedWith: d.replacedWith,
      stopServingVersion: d.stopServingVersion,
      startServingReplacementVersion: d.startServingReplacementVersion,
      clients: (d.clientStats ?? []).map(c => ({
        userAgent: c.userAgent ?? '',
        requestsLast30Days: c.numberOfRequestsLast30Days,
        lastRequestTime: c.lastRequestTime?.toISOString(),
      })),
    })),
    recommendation: details?.recommendation,
  };
}

/**
 * A cluster's EKS upgrade-readiness insights: ListInsights (every page), and
 * DescribeInsight for each one that does not pass (the removed APIs and their clients
 * are only in the details).
 */
export class EksInsights {
  constructor(
    private readonly eks: () => Promise<EKSClient>,
    private readonly logger: LoggerService,
  ) {}

  /** Throws an error naming the failed operation, without ARNs or account ids. */
  async read(clusterName: string): Promise<UpgradeInsight[]> {
    const client = await this.call('ListInsights', () => this.eks());
    const summaries = await this.call('ListInsights', async () => {
      const all: InsightSummary[] = [];
      for await (const page of paginateListInsights(
        { client },
        { clusterName, filter: { categories: ['UPGRADE_READINESS'] } },
      )) {
        all.push(...(page.insights ?? []));
      }
      return all;
    });
    return Promise.all(
      summaries.map(async summary => {
        if (statusOf(summary) === 'PASSING') {
          return upgradeInsight(summary);
        }
        const { insight } = await this.call('DescribeInsight', () =>
          client.send(
            new DescribeInsightCommand({ clusterName, id: summary.id }),
          ),
        );
        return upgradeInsight(summary, insight);
      }),
    );
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const redacted = redactAwsError(error, this.logger);
      throw new Error(
        `EKS ${operation}: ${
          redacted instanceof Error ? redacted.message : String(redacted)
        }`,
      );
    }
  }
}
