import {
  DeprecatedApiUsage,
  UpgradeInsight,
  UpgradeInsightsResponse,
} from '@bluegreen/plugin-bluegreen-common';

const refreshed = '2026-11-25T06:12:00.000Z';

/** EKS's kubelet skew check, passing: not a finding. */
export const kubeletSkew = (version: string): UpgradeInsight => ({
  id: `kubelet-${version}`,
  name: 'Kubelet version skew',
  status: 'PASSING',
  reason: 'Node kubelet versions match the cluster control plane version.',
  kubernetesVersion: version,
  lastRefreshTime: refreshed,
  deprecations: [],
});

const deprecatedApis = (
  version: string,
  deprecation: Omit<DeprecatedApiUsage, 'clients' | 'stopServingVersion'>,
): UpgradeInsight => ({
  id: `deprecated-${version}`,
  name: `Deprecated APIs removed in Kubernetes v${version}`,
  status: 'WARNING',
  reason: 'Deprecated API usage detected within last 30 days.',
  kubernetesVersion: version,
  lastRefreshTime: refreshed,
  deprecations: [
    {
      ...deprecation,
      stopServingVersion: version,
      clients: [
        {
          userAgent: 'argocd-application-controller/v3.1.0',
          requestsLast30Days: 1284,
          lastRequestTime: '2026-11-24T22:41:07.000Z',
        },
      ],
    },
  ],
  recommendation: `Update manifests and API clients to use newer Kubernetes APIs if applicable before upgrading to Kubernetes v${version}.`,
});

/**
 * burnham's insights as the backend answers them from the sandbox's seed (a stand-in:
 * the removals are hypothetical, see examples/sandbox/fixtures/aws.yaml).
 */
export const burnhamInsights: UpgradeInsightsResponse = {
  entityRef: 'component:default/burnham',
  clusters: {
    blue: {
      name: 'eks-blueprint-blue',
      status: 'ok',
      insights: [
        kubeletSkew('1.34'),
        deprecatedApis('1.34', {
          usage: '/apis/resource.k8s.io/v1beta1/resourceclaims',
          replacedWith: '/apis/resource.k8s.io/v1beta2/resourceclaims',
          startServingReplacementVersion: '1.33',
        }),
      ],
    },
    green: {
      name: 'eks-blueprint-green',
      status: 'ok',
      insights: [
        kubeletSkew('1.35'),
        deprecatedApis('1.35', {
          usage: '/apis/resource.k8s.io/v1beta1/deviceclasses',
          replacedWith: '/apis/resource.k8s.io/v1/deviceclasses',
          startServingReplacementVersion: '1.34',
        }),
      ],
    },
  },
};
