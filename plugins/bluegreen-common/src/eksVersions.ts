/**
 * One Amazon EKS Kubernetes version and its support calendar (dates are UTC days).
 * @public
 */
export interface EksVersionSupport {
  version: string;
  endOfStandardSupport: string;
  endOfExtendedSupport: string;
}

/**
 * The EKS calendar as published in the Amazon EKS user guide (kubernetes-versions). It is
 * the fallback when EKS DescribeClusterVersions cannot be reached; the backend prefers the
 * live answer. 1.35 and 1.36 dates are from third-party calendars until AWS publishes them.
 * @public
 */
export const EKS_VERSIONS: readonly EksVersionSupport[] = [
  {
    version: '1.28',
    endOfStandardSupport: '2024-11-26',
    endOfExtendedSupport: '2025-11-26',
  },
  {
    version: '1.29',
    endOfStandardSupport: '2025-03-23',
    endOfExtendedSupport: '2026-03-23',
  },
  {
    version: '1.30',
    endOfStandardSupport: '2025-07-23',
    endOfExtendedSupport: '2026-07-23',
  },
  {
    version: '1.31',
    endOfStandardSupport: '2025-11-26',
    endOfExtendedSupport: '2026-11-26',
  },
  {
    version: '1.32',
    endOfStandardSupport: '2026-03-23',
    endOfExtendedSupport: '2027-03-23',
  },
  {
    version: '1.33',
    endOfStandardSupport: '2026-07-29',
    endOfExtendedSupport: '2027-07-29',
  },
  {
    version: '1.34',
    endOfStandardSupport: '2026-12-02',
    endOfExtendedSupport: '2027-12-02',
  },
  {
    version: '1.35',
    endOfStandardSupport: '2027-03-27',
    endOfExtendedSupport: '2028-03-27',
  },
  {
    version: '1.36',
    endOfStandardSupport: '2027-08-02',
    endOfExtendedSupport: '2028-08-02',
  },
];

/**
 * EKS control-plane price per cluster-hour (USD) in standard and in extended support,
 * from the April 2024 billing cycle.
 * @public
 */
export const EKS_HOURLY_PRICE_USD = { standard: 0.1, extended: 0.6 } as const;

/**
 * Where a version stands on a day: EKS bills extended support from the first moment of
 * the end-of-standard-support day (UTC), and stops supporting it on the end of extended
 * support day.
 * @public
 */
export type EksSupportStatus = 'standard' | 'extended' | 'unsupported';

/** @public */
export function eksSupportStatus(
  support: Pick<
    EksVersionSupport,
    'endOfStandardSupport' | 'endOfExtendedSupport'
  >,
  at: Date,
): EksSupportStatus {
  const day = at.toISOString().slice(0, 10);
  if (day >= support.endOfExtendedSupport) {
    return 'unsupported';
  }
  return day >= support.endOfStandardSupport ? 'extended' : 'standard';
}

/**
 * The versions EKS still supports (standard or extended) on a day, oldest first.
 * @public
 */
export function supportedEksVersions(
  at: Date,
  versions: readonly EksVersionSupport[] = EKS_VERSIONS,
): EksVersionSupport[] {
  return versions.filter(v => eksSupportStatus(v, at) !== 'unsupported');
}

/**
 * Orders Kubernetes minor versions ("1.9" before "1.10").
 * @public
 */
export function compareKubernetesVersions(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number);
  const [bMajor, bMinor] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/**
 * One sentence on a cluster version's support, for people: until when, and at what price.
 * @public
 */
export function describeEksSupport(
  status: EksSupportStatus,
  support: Partial<
    Pick<EksVersionSupport, 'endOfStandardSupport' | 'endOfExtendedSupport'>
  >,
): string {
  switch (status) {
    case 'standard':
      return `standard support until ${support.endOfStandardSupport}`;
    case 'extended':
      return `extended support until ${
        support.endOfExtendedSupport
      }, at $${EKS_HOURLY_PRICE_USD.extended.toFixed(
        2,
      )} instead of $${EKS_HOURLY_PRICE_USD.standard.toFixed(
        2,
      )} per cluster-hour`;
    default:
      return `past end of support since ${support.endOfExtendedSupport}: EKS may upgrade its control plane at any time`;
  }
}

/**
 * GET /api/bluegreen/eks-versions: the versions a new generation may use today, with
 * their calendar; `source` says whether EKS answered or the versions table did.
 * @public
 */
export interface EksVersionsResponse {
  versions: Array<EksVersionSupport & { supportStatus: EksSupportStatus }>;
  source: 'eks' | 'versions-table';
  error?: string;
}
