/*
 * The EKS REST-JSON subset bluegreen reads, in the bluegreen AWS sandbox (a local
 * stand-in, not AWS): DescribeCluster, DescribeClusterVersions, ListInsights and
 * DescribeInsight. Field names and encodings follow @aws-sdk/client-eks's model
 * (timestamps as epoch seconds). Support status is computed from the sandbox clock so
 * tests can move time.
 */
import {
  SandboxFixtureCluster,
  SandboxFixtureClusterVersion,
  SandboxFixtureInsight,
  SandboxFixtures,
} from './fixtures';

export class EksError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * A cluster's insights as a test switches them: `none` lists none (a cluster EKS has not
 * looked at yet), `access-denied` refuses both insight operations as IAM does without
 * eks:ListInsights / eks:DescribeInsight.
 */
export type InsightsFault = 'none' | 'access-denied';

export interface EksContext {
  fixtures: SandboxFixtures;
  now: () => Date;
  /** By cluster name. */
  insightFaults: Map<string, InsightsFault>;
}

export interface EksOperation {
  name: string;
  run(): unknown;
}

const epochSeconds = (iso: string) => Date.parse(iso) / 1000;

type VersionStatus = 'STANDARD_SUPPORT' | 'EXTENDED_SUPPORT' | 'UNSUPPORTED';

// The deprecated `status` field uses ClusterVersionStatus's lower-case spelling.
const LEGACY_STATUS: Record<VersionStatus, string> = {
  STANDARD_SUPPORT: 'standard-support',
  EXTENDED_SUPPORT: 'extended-support',
  UNSUPPORTED: 'unsupported',
};

/** Dates are UTC days; a status changes at the start of its day (00:00 UTC). */
export function versionStatus(
  v: SandboxFixtureClusterVersion,
  now: Date,
): VersionStatus {
  const t = now.getTime();
  if (t >= Date.parse(v.endOfExtendedSupportDate)) return 'UNSUPPORTED';
  if (t >= Date.parse(v.endOfStandardSupportDate)) return 'EXTENDED_SUPPORT';
  return 'STANDARD_SUPPORT';
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function clusterJson(ctx: EksContext, c: SandboxFixtureCluster) {
  const region = ctx.fixtures.region ?? 'us-west-2';
  const account = ctx.fixtures.accountId ?? '111122223333';
  const hash = Buffer.from(c.name)
    .toString('hex')
    .toUpperCase()
    .slice(0, 32)
    .padEnd(32, '0');
  return {
    name: c.name,
    arn: `arn:aws:eks:${region}:${account}:cluster/${c.name}`,
    createdAt: epochSeconds(c.createdAt ?? '2025-06-01T00:00:00Z'),
    version: c.version,
    endpoint: c.endpoint ?? `https://${hash}.sandbox.${region}.eks.invalid`,
    roleArn: c.roleArn ?? `arn:aws:iam::${account}:role/${c.name}-cluster-role`,
    resourcesVpcConfig: {
      subnetIds: [],
      securityGroupIds: [],
      vpcId: `vpc-sandbox-${c.name}`,
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: ['0.0.0.0/0'],
    },
    kubernetesNetworkConfig: {
      serviceIpv4Cidr: '172.20.0.0/16',
      ipFamily: 'ipv4',
    },
    identity: {
      oidc: { issuer: `https://oidc.eks.${region}.sandbox.invalid/id/${hash}` },
    },
    status: c.status ?? 'ACTIVE',
    certificateAuthority: {
      // Not a certificate: the endpoints are made up, there is nothing to trust.
      data:
        c.certificateAuthorityData ??
        Buffer.from(
          `bluegreen AWS sandbox placeholder CA for ${c.name}`,
        ).toString('base64'),
    },
    platformVersion: c.platformVersion ?? 'eks.1',
    tags: c.tags ?? {},
    health: { issues: [] },
    accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
    upgradePolicy: { supportType: 'EXTENDED' },
  };
}

/** maxResults as EKS checks it (1 to 100, default 100). */
function maxResultsOf(raw: unknown): number {
  const maxResults = raw === undefined || raw === null ? 100 : Number(raw);
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
    throw new EksError(
      'InvalidParameterException',
      'maxResults must be an integer between 1 and 100',
      400,
    );
  }
  return maxResults;
}

/** One page of `all` from a nextToken (an opaque offset), with the next token. */
function pageOf<T>(
  all: T[],
  token: string | null | undefined,
  maxResults: number,
): { page: T[]; nextToken?: string } {
  let offset = 0;
  if (token !== null && token !== undefined) {
    offset = Number(
      Buffer.from(token, 'base64')
        .toString('utf8')
        .replace(/^sandbox:/, ''),
    );
    if (!Number.isInteger(offset) || offset < 0) {
      throw new EksError(
        'InvalidParameterException',
        'The nextToken is not valid',
        400,
      );
    }
  }
  const next =
    offset + maxResults < all.length ? offset + maxResults : undefined;
  return {
    page: all.slice(offset, offset + maxResults),
    ...(next !== undefined
      ? { nextToken: Buffer.from(`sandbox:${next}`).toString('base64') }
      : {}),
  };
}

function describeClusterVersions(ctx: EksContext, query: URLSearchParams) {
  const now = ctx.now();
  const clusterType = query.get('clusterType') ?? 'eks';
  const includeAll = query.get('includeAll') === 'true';
  const defaultOnly = query.get('defaultOnly') === 'true';
  const wanted = query.getAll('clusterVersions');
  const status = query.get('status') ?? undefined;
  const wantedStatus = query.get('versionStatus') ?? undefined;
  if (status !== undefined && !Object.values(LEGACY_STATUS).includes(status)) {
    throw new EksError(
      'InvalidParameterException',
      `Invalid status: ${status}`,
      400,
    );
  }
  if (wantedStatus !== undefined && !(wantedStatus in LEGACY_STATUS)) {
    throw new EksError(
      'InvalidParameterException',
      `Invalid versionStatus: ${wantedStatus}`,
      400,
    );
  }
  const maxResults = maxResultsOf(query.get('maxResults'));
  // Unsupported versions are listed only when asked for (includeAll or an explicit filter).
  const explicit = includeAll || wanted.length > 0 || status || wantedStatus;
  const all = [...(ctx.fixtures.eks?.clusterVersions ?? [])]
    .sort((a, b) => compareVersions(b.version, a.version))
    .map(v => ({ v, s: versionStatus(v, now) }))
    .filter(
      ({ v, s }) =>
        clusterType === 'eks' &&
        (explicit || s !== 'UNSUPPORTED') &&
        (!defaultOnly || v.defaultVersion === true) &&
        (wanted.length === 0 || wanted.includes(v.version)) &&
        (status === undefined || LEGACY_STATUS[s] === status) &&
        (wantedStatus === undefined || s === wantedStatus),
    );
  const { page, nextToken } = pageOf(all, query.get('nextToken'), maxResults);
  return {
    clusterVersions: page.map(({ v, s }) => ({
      clusterVersion: v.version,
      clusterType: 'eks',
      defaultPlatformVersion: v.defaultPlatformVersion ?? 'eks.1',
      defaultVersion: v.defaultVersion === true,
      releaseDate: epochSeconds(v.releaseDate),
      endOfStandardSupportDate: epochSeconds(v.endOfStandardSupportDate),
      endOfExtendedSupportDate: epochSeconds(v.endOfExtendedSupportDate),
      status: LEGACY_STATUS[s],
      versionStatus: s,
      kubernetesPatchVersion: v.kubernetesPatchVersion ?? `${v.version}.0`,
    })),
    ...(nextToken !== undefined ? { nextToken } : {}),
  };
}

function clusterNamed(ctx: EksContext, name: string): SandboxFixtureCluster {
  const cluster = ctx.fixtures.eks?.clusters?.find(c => c.name === name);
  if (!cluster) {
    throw new EksError(
      'ResourceNotFoundException',
      `No cluster found for name: ${name}.`,
      404,
      { clusterName: name },
    );
  }
  return cluster;
}

const INSIGHT_CATEGORIES = ['UPGRADE_READINESS', 'MISCONFIGURATION'];
const INSIGHT_STATUSES = ['PASSING', 'WARNING', 'ERROR', 'UNKNOWN'];

/** The cluster's insights, unless a fault refuses or empties them. */
function insightsOf(
  ctx: EksContext,
  name: string,
  operation: string,
): SandboxFixtureInsight[] {
  const cluster = clusterNamed(ctx, name);
  const fault = ctx.insightFaults.get(name);
  if (fault === 'access-denied') {
    const account = ctx.fixtures.accountId ?? '111122223333';
    const region = ctx.fixtures.region ?? 'us-west-2';
    // IAM's wording, ARNs and account id included (the backend must redact them).
    throw new EksError(
      'AccessDeniedException',
      `User: arn:aws:sts::${account}:assumed-role/bluegreen-backstage/sandbox is not authorized to perform: eks:${operation} on resource: arn:aws:eks:${region}:${account}:cluster/${name}`,
      403,
    );
  }
  return fault === 'none' ? [] : cluster.insights ?? [];
}

function insightSummary(i: SandboxFixtureInsight) {
  return {
    id: i.id,
    name: i.name,
    category: i.category,
    kubernetesVersion: i.kubernetesVersion,
    lastRefreshTime: epochSeconds(i.lastRefreshTime),
    lastTransitionTime: epochSeconds(i.lastTransitionTime),
    description: i.description,
    insightStatus: { status: i.status, reason: i.reason },
  };
}

/** A filter list as the SDK sends it: absent, or an array of allowed strings. */
function filterValues(
  value: unknown,
  field: string,
  allowed?: string[],
): string[] | undefined {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.some(v => typeof v !== 'string' || (allowed && !allowed.includes(v)))
  ) {
    throw new EksError(
      'InvalidParameterException',
      `Invalid filter.${field}: ${JSON.stringify(value)}`,
      400,
    );
  }
  return value;
}

/** POST /clusters/{name}/insights with {filter, maxResults, nextToken} as JSON. */
function listInsights(ctx: EksContext, name: string, body: string) {
  let request: {
    filter?: {
      categories?: unknown;
      kubernetesVersions?: unknown;
      statuses?: unknown;
    };
    maxResults?: unknown;
    nextToken?: string;
  };
  try {
    request = body ? JSON.parse(body) : {};
  } catch {
    throw new EksError('SerializationException', 'The body is not JSON', 400);
  }
  const categories = filterValues(
    request.filter?.categories,
    'categories',
    INSIGHT_CATEGORIES,
  );
  const versions = filterValues(
    request.filter?.kubernetesVersions,
    'kubernetesVersions',
  );
  const statuses = filterValues(
    request.filter?.statuses,
    'statuses',
    INSIGHT_STATUSES,
  );
  const maxResults = maxResultsOf(request.maxResults);
  const all = insightsOf(ctx, name, 'ListInsights').filter(
    i =>
      (!categories || categories.includes(i.category)) &&
      (!versions || versions.includes(i.kubernetesVersion ?? '')) &&
      (!statuses || statuses.includes(i.status)),
  );
  const { page, nextToken } = pageOf(all, request.nextToken, maxResults);
  return {
    insights: page.map(insightSummary),
    ...(nextToken !== undefined ? { nextToken } : {}),
  };
}

/** GET /clusters/{name}/insights/{id}: the summary with its details. */
function describeInsight(ctx: EksContext, name: string, id: string) {
  const insight = insightsOf(ctx, name, 'DescribeInsight').find(
    i => i.id === id,
  );
  if (!insight) {
    throw new EksError(
      'ResourceNotFoundException',
      `No insight found for id: ${id}.`,
      404,
      { clusterName: name },
    );
  }
  return {
    insight: {
      ...insightSummary(insight),
      recommendation: insight.recommendation,
      additionalInfo: insight.additionalInfo ?? {},
      resources: [],
      categorySpecificSummary: {
        deprecationDetails: (insight.deprecationDetails ?? []).map(d => ({
          usage: d.usage,
          replacedWith: d.replacedWith,
          stopServingVersion: d.stopServingVersion,
          startServingReplacementVersion: d.startServingReplacementVersion,
          clientStats: (d.clientStats ?? []).map(c => ({
            userAgent: c.userAgent,
            numberOfRequestsLast30Days: c.numberOfRequestsLast30Days,
            lastRequestTime: epochSeconds(c.lastRequestTime),
          })),
        })),
        addonCompatibilityDetails: [],
      },
    },
  };
}

/** Recognises the operation; undefined for paths outside this EKS subset. */
export function routeEks(
  ctx: EksContext,
  request: {
    method: string;
    pathname: string;
    query: URLSearchParams;
    body: string;
  },
): EksOperation | undefined {
  const { method, pathname, query, body } = request;
  const path = pathname.replace(/\/+$/, '');
  const cluster = /^\/clusters\/([^/]+)$/.exec(path);
  const insights = /^\/clusters\/([^/]+)\/insights$/.exec(path);
  const insight = /^\/clusters\/([^/]+)\/insights\/([^/]+)$/.exec(path);
  if (method === 'GET' && path === '/cluster-versions') {
    return {
      name: 'DescribeClusterVersions',
      run: () => describeClusterVersions(ctx, query),
    };
  }
  if (method === 'GET' && cluster) {
    const name = decodeURIComponent(cluster[1]);
    return {
      name: 'DescribeCluster',
      run: () => ({ cluster: clusterJson(ctx, clusterNamed(ctx, name)) }),
    };
  }
  if (method === 'POST' && insights) {
    const name = decodeURIComponent(insights[1]);
    return { name: 'ListInsights', run: () => listInsights(ctx, name, body) };
  }
  if (method === 'GET' && insight) {
    const [name, id] = [insight[1], insight[2]].map(decodeURIComponent);
    return {
      name: 'DescribeInsight',
      run: () => describeInsight(ctx, name, id),
    };
  }
  return undefined;
}
