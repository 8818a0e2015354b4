import { z } from 'zod/v3';
import { ClusterColour } from './annotations';
import type { DnsFloor } from './cutoverPlan';
import { EksSupportStatus } from './eksVersions';
import { weightSchema, Weights, weightsSchema } from './weights';

/**
 * How a cutover changes the weights. `gitops` changes the weight at its source (the
 * cluster stacks' weight files, applied by Terraform and carried to DNS by external-dns);
 * `route53` edits the weighted records directly, which only sticks for records no
 * external-dns instance owns.
 * @public
 */
export const CUTOVER_MODES = ['gitops', 'route53'] as const;

/** @public */
export type CutoverMode = (typeof CUTOVER_MODES)[number];

/**
 * Route 53 serves ELB alias records with this fixed TTL.
 * @public
 */
export const ELB_ALIAS_TTL_SECONDS = 60;

/**
 * One weighted record of a hostname as Route 53 holds it.
 * @public
 */
export interface WeightedRecordStatus {
  setIdentifier: string;
  /** The colour whose cluster this set identifier names, if any. */
  colour?: ClusterColour;
  weight: number;
  /** Share of the traffic in percent (weight / sum of weights). */
  sharePercent: number;
  /** Alias DNS name, or the record values joined with ", ". */
  target: string;
  alias: boolean;
  /** The record's own TTL; absent for alias records. */
  ttl?: number;
  /** The external-dns owner id of the record's TXT registry entry, if it has one. */
  externalDnsOwner?: string;
}

/**
 * Who writes a hostname's records: an external-dns instance (then the weight must change
 * at the source, in GitOps mode) or nobody we know of.
 * @public
 */
export type RecordOwner =
  | { kind: 'external-dns'; ownerIds: string[] }
  | { kind: 'none' };

/**
 * A cluster's Kubernetes version and where its support ends.
 * @public
 */
export interface ClusterVersionStatus {
  name: string;
  version?: string;
  endOfStandardSupport?: string;
  endOfExtendedSupport?: string;
  supportStatus?: EksSupportStatus;
  /**
   * `eks`: both the version and the calendar from the EKS API; `versions-table`: the
   * version from EKS, the calendar from the table in bluegreen-common; `unavailable`:
   * EKS could not be asked about the cluster (see `error`); `not-found`: EKS answered
   * that no such cluster exists (destroyed, or not built yet).
   */
  source: 'eks' | 'versions-table' | 'unavailable' | 'not-found';
  error?: string;
}

/**
 * GET /api/bluegreen/entity/:kind/:namespace/:name/traffic
 * @public
 */
export interface TrafficStatus {
  entityRef: string;
  hostname: string;
  hostedZone: { id: string; name: string };
  recordType: string;
  records: WeightedRecordStatus[];
  /** The weights of the entity's two clusters' records, where they exist. */
  weights: Partial<Weights>;
  /** The TTL resolvers cache answers for: the record's TTL, or 60 s for ELB aliases. */
  effectiveTtlSeconds?: number;
  ttlSource: 'record' | 'elb-alias' | 'alias';
  owner: RecordOwner;
  /** The mode a cutover of this hostname must use. */
  mode: CutoverMode;
  clusters: Record<ClusterColour, ClusterVersionStatus>;
  /** Why the current state is not a healthy blue/green pair, if it is not. */
  problems: string[];
  /** When Route 53 was read (responses are cached briefly). */
  observedAt: string;
  /** The DNS floor a staged cutover of this record would hold each step for. */
  dnsFloor?: DnsFloor;
}

/**
 * Body of POST /api/bluegreen/entity/:kind/:namespace/:name/cutover.
 * @public
 */
export const cutoverRequestSchema = z
  .object({
    weights: weightsSchema,
    mode: z.enum(CUTOVER_MODES).optional(),
    /** The weights the user saw; the cutover fails if Route 53 no longer holds them. */
    expected: z
      .object({ blue: weightSchema, green: weightSchema })
      .strict()
      .optional(),
    force: z.boolean().optional(),
  })
  .strict();

/** @public */
export type CutoverRequest = z.infer<typeof cutoverRequestSchema>;

/** @public */
export interface CutoverResponse {
  taskId: string;
  mode: CutoverMode;
}
