import { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { CacheService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  CLUSTER_COLOURS,
  ClusterColour,
  ClusterVersionStatus,
  ELB_ALIAS_TTL_SECONDS,
  RecordOwner,
  recordShares,
  TrafficStatus,
  Weights,
  WeightedRecordStatus,
} from '@bluegreen/plugin-bluegreen-common';
import { EksClusterVersions } from '../aws/EksClusterVersions';
import {
  Route53WeightedRecords,
  WeightedRecordGroup,
} from '../route53/Route53WeightedRecords';
import { recordGroupProblems } from '../route53/recordGroupProblems';
import { boundRecordGroup } from '../security/resolveBoundZone';
import { TrafficBindings } from '../security/TrafficBindings';
import { TrafficTarget, TrafficTargets } from '../security/TrafficTargets';
import { SharedReads } from './SharedReads';

/** A Route 53 read as it is cached (JSON): the group and when it was read. */
interface ObservedGroup {
  group: WeightedRecordGroup;
  observedAt: string;
}

const VERSION_CACHE_MS = 60 * 60 * 1000;

function target(record: ResourceRecordSet): string {
  return (
    record.AliasTarget?.DNSName ??
    (record.ResourceRecords ?? []).map(r => r.Value).join(', ')
  );
}

/**
 * The TTL resolvers cache the answer for. Alias records have none of their own: Route 53
 * uses the target's, which is a fixed 60 s for ELB load balancers and unknown otherwise.
 */
function effectiveTtl(
  records: ResourceRecordSet[],
): Pick<TrafficStatus, 'effectiveTtlSeconds' | 'ttlSource'> {
  const aliases = records.filter(r => r.AliasTarget);
  if (aliases.length === 0) {
    return { effectiveTtlSeconds: records[0]?.TTL, ttlSource: 'record' };
  }
  const elb = aliases.some(r =>
    /\.elb\.amazonaws\.com\.?$/i.test(r.AliasTarget!.DNSName ?? ''),
  );
  return elb
    ? { effectiveTtlSeconds: ELB_ALIAS_TTL_SECONDS, ttlSource: 'elb-alias' }
    : { ttlSource: 'alias' };
}

const trafficKey = ({
  zone,
  hostname,
  recordType,
}: Pick<TrafficTarget, 'zone' | 'hostname' | 'recordType'>) =>
  `traffic:${zone.zone}:${hostname}:${recordType}`;

/**
 * The traffic status of entities. Route 53 reads are shared (SharedReads): cached per
 * record group through CacheService for a short time, one read per miss across every
 * viewer of every replica.
 */
export class TrafficStatusService {
  constructor(
    private readonly options: {
      /** Route 53 for a zone's configured account. */
      route53: (accountId?: string) => Promise<Route53WeightedRecords>;
      /** Binds an entity to the configured zones: no reading zones outside them. */
      targets: TrafficTargets;
      bindings: TrafficBindings;
      clusterVersions: EksClusterVersions;
      cache: CacheService;
      reads: SharedReads;
      cacheTtlMs: number;
      now?: () => Date;
    },
  ) {}

  private observe(
    traffic: TrafficTarget,
    fresh: boolean,
  ): Promise<ObservedGroup> {
    return this.options.reads.get(
      trafficKey(traffic),
      this.options.cacheTtlMs,
      async () => {
        const group = await (
          await boundRecordGroup(
            this.options.route53,
            this.options.bindings,
            traffic,
          )
        ).read();
        return {
          group,
          observedAt: (this.options.now?.() ?? new Date()).toISOString(),
        };
      },
      fresh,
    );
  }

  /**
   * Drops the cached read of a record group that has just been written (a staged step),
   * so that the next status shows it, on every replica sharing the cache.
   */
  async forget(
    traffic: Pick<TrafficTarget, 'zone' | 'hostname' | 'recordType'>,
  ): Promise<void> {
    await this.options.cache.delete(trafficKey(traffic));
  }

  private clusterVersion(name: string): Promise<ClusterVersionStatus> {
    return this.options.reads.get(`eks-version:${name}`, VERSION_CACHE_MS, () =>
      this.options.clusterVersions.describe(name),
    );
  }

  /**
   * The entity's traffic status. `fresh` skips the cached Route 53 read (for a view that
   * has just changed the weights); concurrent reads still share one request.
   */
  async status(entity: Entity, fresh = false): Promise<TrafficStatus> {
    const annotations = this.options.targets.forStatus(entity);
    const [{ group, observedAt }, blue, green] = await Promise.all([
      this.observe(annotations, fresh),
      this.clusterVersion(annotations.clusters.blue),
      this.clusterVersion(annotations.clusters.green),
    ]);
    const colourOf = (id: string) =>
      CLUSTER_COLOURS.find(colour => annotations.clusters[colour] === id);
    const weights: Partial<Weights> = {};
    for (const record of group.records) {
      const colour = colourOf(record.SetIdentifier!);
      if (colour) {
        weights[colour] = record.Weight!;
      }
    }
    const shares = recordShares(group.records.map(r => r.Weight!));
    const records: WeightedRecordStatus[] = group.records.map((record, i) => ({
      setIdentifier: record.SetIdentifier!,
      colour: colourOf(record.SetIdentifier!),
      weight: record.Weight!,
      sharePercent: shares[i],
      target: target(record),
      alias: Boolean(record.AliasTarget),
      ttl: record.TTL,
      externalDnsOwner: group.owners[record.SetIdentifier!],
    }));

    const ownerIds = [...new Set(Object.values(group.owners))];
    const owner: RecordOwner =
      ownerIds.length > 0
        ? { kind: 'external-dns', ownerIds }
        : { kind: 'none' };

    return {
      entityRef: annotations.entityRef,
      hostname: annotations.hostname,
      hostedZone: group.zone,
      recordType: group.type,
      records,
      weights,
      ...effectiveTtl(group.records),
      owner,
      mode: owner.kind === 'external-dns' ? 'gitops' : 'route53',
      clusters: { blue, green } as Record<ClusterColour, ClusterVersionStatus>,
      problems: recordGroupProblems(group, annotations),
      observedAt,
    };
  }
}
