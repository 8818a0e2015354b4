import { Entity } from '@backstage/catalog-model';
import {
  ClusterUpgradeInsights,
  UpgradeInsightsResponse,
} from '@bluegreen/plugin-bluegreen-common';
import { EksInsights } from '../aws/EksInsights';
import { TrafficTargets } from '../security/TrafficTargets';
import { SharedReads } from './SharedReads';

/** EKS refreshes insights about once a day; a few minutes old is fresh enough. */
const INSIGHTS_CACHE_MS = 5 * 60 * 1000;

/**
 * The upgrade insights of an entity's two clusters, each read on its own: one cluster's
 * failure is its answer, not the response's.
 */
export class UpgradeInsightsService {
  constructor(
    private readonly options: {
      insights: EksInsights;
      targets: TrafficTargets;
      reads: SharedReads;
    },
  ) {}

  async forEntity(entity: Entity): Promise<UpgradeInsightsResponse> {
    // The clusters the traffic status reads, bound to the configured zones the same way.
    const target = this.options.targets.forStatus(entity);
    const [blue, green] = await Promise.all([
      this.cluster(target.clusters.blue),
      this.cluster(target.clusters.green),
    ]);
    return { entityRef: target.entityRef, clusters: { blue, green } };
  }

  private async cluster(name: string): Promise<ClusterUpgradeInsights> {
    try {
      // Shared across viewers and replicas; a failed read is not cached, so the next
      // view asks again.
      const insights = await this.options.reads.get(
        `eks-insights:${name}`,
        INSIGHTS_CACHE_MS,
        () => this.options.insights.read(name),
      );
      return { name, status: 'ok', insights };
    } catch (error) {
      return { name, status: 'unavailable', error: (error as Error).message };
    }
  }
}
