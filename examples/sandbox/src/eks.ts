/*
 * The EKS REST-JSON subset bluegreen reads: DescribeCluster and DescribeClusterVersions.
 * Field names and encodings follow @aws-sdk/client-eks's model (timestamps as epoch
 * seconds). Support status is computed from the sandbox clock so tests can move time.
 */
import {
  SandboxFixtureCluster,
  SandboxFixtureClusterVersion,
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

export interface EksContext {
  fixtures: SandboxFixtures;
  now: () => Date;
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
  const maxRaw = query.get('maxResults');
  const maxResults = maxRaw === null ? 100 : Number(maxRaw);
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
    throw new EksError(
      'InvalidParameterException',
      'maxResults must be an integer between 1 and 100',
      400,
    );
  }
  const token = query.get('nextToken');
  let offset = 0;
  if (token !== null) {
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
  const page = all.slice(offset, offset + maxResults);
  const next =
    offset + maxResults < all.length ? offset + maxResults : undefined;
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
    ...(next !== undefined
      ? { nextToken: Buffer.from(`sandbox:${next}`).toString('base64') }
      : {}),
  };
}

/** Recognises the operation; undefined for paths outside this EKS subset. */
export function routeEks(
  ctx: EksContext,
  method: string,
  pathname: string,
  query: URLSearchParams,
): EksOperation | undefined {
  if (method !== 'GET') return undefined;
  if (pathname.replace(/\/+$/, '') === '/cluster-versions') {
    return {
      name: 'DescribeClusterVersions',
      run: () => describeClusterVersions(ctx, query),
    };
  }
  const m = /^\/clusters\/([^/]+)\/?$/.exec(pathname);
  if (m) {
    const name = decodeURIComponent(m[1]);
    return {
      name: 'DescribeCluster',
      run: () => {
        const cluster = ctx.fixtures.eks?.clusters?.find(c => c.name === name);
        if (!cluster) {
          throw new EksError(
            'ResourceNotFoundException',
            `No cluster found for name: ${name}.`,
            404,
            {
              clusterName: name,
            },
          );
        }
        return { cluster: clusterJson(ctx, cluster) };
      },
    };
  }
  return undefined;
}
