/*
 * Seed data of the sandbox (a local stand-in for AWS, not AWS). The YAML format is kept
 * short on purpose: `externalDnsOwner` on a record expands into the TXT registry record
 * external-dns writes for it, so a fixture does not have to spell those out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** An Alias target as Route 53 stores it. */
export interface SandboxAliasTarget {
  hostedZoneId: string;
  dnsName: string;
  evaluateTargetHealth: boolean;
}

/** One resource record set (Route 53's identity is name + type + setIdentifier). */
export interface SandboxRecord {
  name: string;
  type: string;
  setIdentifier?: string;
  weight?: number;
  ttl?: number;
  /** ResourceRecords values, verbatim (TXT values keep their quotes). */
  values?: string[];
  aliasTarget?: SandboxAliasTarget;
}

/** A record in a fixture; the external-dns fields generate its TXT registry record. */
export interface SandboxFixtureRecord extends SandboxRecord {
  /** `--txt-owner-id` of the external-dns instance that owns this record. */
  externalDnsOwner?: string;
  /** e.g. `ingress/team-checkout/checkout`; omitted from the TXT value when absent. */
  externalDnsResource?: string;
}

export interface SandboxFixtureZone {
  /** Without the `/hostedzone/` prefix, e.g. Z0SANDBOXEXAMPLE01. */
  id: string;
  name: string;
  comment?: string;
  /** Defaults to made-up `.invalid` name servers; used for the apex NS record. */
  nameServers?: string[];
  records?: SandboxFixtureRecord[];
}

/** A client of a deprecated API, as an EKS insight's clientStats lists it. */
export interface SandboxFixtureInsightClient {
  userAgent: string;
  numberOfRequestsLast30Days: number;
  /** ISO date-time. */
  lastRequestTime: string;
}

/** One entry of an insight's categorySpecificSummary.deprecationDetails. */
export interface SandboxFixtureDeprecation {
  usage: string;
  replacedWith?: string;
  stopServingVersion?: string;
  startServingReplacementVersion?: string;
  clientStats?: SandboxFixtureInsightClient[];
}

/** An EKS cluster insight (ListInsights / DescribeInsight). */
export interface SandboxFixtureInsight {
  id: string;
  name: string;
  category: 'UPGRADE_READINESS' | 'MISCONFIGURATION';
  kubernetesVersion?: string;
  description: string;
  status: 'PASSING' | 'WARNING' | 'ERROR' | 'UNKNOWN';
  reason: string;
  recommendation?: string;
  additionalInfo?: Record<string, string>;
  /** ISO date-times. */
  lastRefreshTime: string;
  lastTransitionTime: string;
  deprecationDetails?: SandboxFixtureDeprecation[];
}

export interface SandboxFixtureCluster {
  name: string;
  version: string;
  status?: string;
  endpoint?: string;
  /** base64, as EKS returns certificateAuthority.data. */
  certificateAuthorityData?: string;
  platformVersion?: string;
  /** ISO date-time. */
  createdAt?: string;
  roleArn?: string;
  tags?: Record<string, string>;
  insights?: SandboxFixtureInsight[];
}

export interface SandboxFixtureClusterVersion {
  version: string;
  /** ISO dates (UTC days). */
  releaseDate: string;
  endOfStandardSupportDate: string;
  endOfExtendedSupportDate: string;
  defaultPlatformVersion?: string;
  kubernetesPatchVersion?: string;
  defaultVersion?: boolean;
}

export interface SandboxFixtures {
  accountId?: string;
  region?: string;
  route53?: { hostedZones?: SandboxFixtureZone[] };
  eks?: {
    clusters?: SandboxFixtureCluster[];
    clusterVersions?: SandboxFixtureClusterVersion[];
  };
}

/**
 * The default seed: examples/sandbox/fixtures/aws.yaml, found through the package (not
 * `__dirname`, which a bundled build would move).
 */
export const DEFAULT_FIXTURES_FILE = path.join(
  path.dirname(require.resolve('@bluegreen/example-sandbox/package.json')),
  'fixtures',
  'aws.yaml',
);

export function loadFixtures(
  file: string = DEFAULT_FIXTURES_FILE,
): SandboxFixtures {
  const parsed = parse(fs.readFileSync(file, 'utf8'));
  if (!parsed || typeof parsed !== 'object') {
    throw new Error(`${file}: expected a YAML mapping`);
  }
  return parsed as SandboxFixtures;
}

/**
 * The TXT registry record external-dns (>= v0.18) writes beside a record it owns: the
 * record type is prefixed to the first label (`a-checkout...`), and for routing-policy
 * records it carries the same SetIdentifier and weight (external-dns #3141).
 */
export function externalDnsTxtRecord(
  record: SandboxFixtureRecord,
): SandboxRecord {
  const owner = record.externalDnsOwner!;
  const parts = [`heritage=external-dns`, `external-dns/owner=${owner}`];
  if (record.externalDnsResource) {
    parts.push(`external-dns/resource=${record.externalDnsResource}`);
  }
  const txt: SandboxRecord = {
    name: `${record.type.toLowerCase()}-${record.name}`,
    type: 'TXT',
    ttl: 300,
    values: [`"${parts.join(',')}"`],
  };
  if (record.setIdentifier !== undefined)
    txt.setIdentifier = record.setIdentifier;
  if (record.weight !== undefined) txt.weight = record.weight;
  return txt;
}

/** Fixture records plus the generated TXT registry records, without the fixture-only fields. */
export function expandFixtureRecords(
  records: SandboxFixtureRecord[],
): SandboxRecord[] {
  const out: SandboxRecord[] = [];
  for (const r of records) {
    const { externalDnsOwner, externalDnsResource, ...plain } = r;
    out.push(plain);
    if (externalDnsOwner) out.push(externalDnsTxtRecord(r));
  }
  return out;
}
