import { ClusterColour } from './annotations';

/**
 * An EKS insight's status: ERROR usually blocks the next minor version, WARNING a later
 * one; UNKNOWN when EKS could not tell.
 * @public
 */
export type UpgradeInsightStatus = 'PASSING' | 'WARNING' | 'ERROR' | 'UNKNOWN';

/**
 * A client that called a deprecated API, from the cluster's audit log of the last 30 days.
 * @public
 */
export interface DeprecatedApiClient {
  userAgent: string;
  requestsLast30Days?: number;
  /** ISO date-time. */
  lastRequestTime?: string;
}

/**
 * A deprecated API still in use, and what replaces it.
 * @public
 */
export interface DeprecatedApiUsage {
  /** The API called, e.g. /apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas. */
  usage: string;
  replacedWith?: string;
  /** The Kubernetes version that stops serving it. */
  stopServingVersion?: string;
  startServingReplacementVersion?: string;
  clients: DeprecatedApiClient[];
}

/**
 * One EKS upgrade-readiness insight of a cluster (ListInsights, with DescribeInsight's
 * details for the ones that do not pass).
 * @public
 */
export interface UpgradeInsight {
  id: string;
  name: string;
  status: UpgradeInsightStatus;
  reason?: string;
  /** The Kubernetes version the insight is about. */
  kubernetesVersion?: string;
  /** ISO date-time: EKS refreshes insights about once a day. */
  lastRefreshTime?: string;
  deprecations: DeprecatedApiUsage[];
  recommendation?: string;
}

/**
 * One cluster's upgrade insights, or why they could not be read: one cluster's failure
 * leaves the other's answer standing.
 * @public
 */
export type ClusterUpgradeInsights =
  | { name: string; status: 'ok'; insights: UpgradeInsight[] }
  | { name: string; status: 'unavailable'; error: string };

/**
 * GET /api/bluegreen/entity/:kind/:namespace/:name/insights
 * @public
 */
export interface UpgradeInsightsResponse {
  entityRef: string;
  clusters: Record<ClusterColour, ClusterUpgradeInsights>;
}

/**
 * The insights that block (ERROR) or warn about (WARNING) an upgrade, errors first.
 * @public
 */
export function failingInsights(
  insights: readonly UpgradeInsight[],
): UpgradeInsight[] {
  const rank = (i: UpgradeInsight) => (i.status === 'ERROR' ? 0 : 1);
  return insights
    .filter(i => i.status === 'ERROR' || i.status === 'WARNING')
    .sort((a, b) => rank(a) - rank(b));
}
