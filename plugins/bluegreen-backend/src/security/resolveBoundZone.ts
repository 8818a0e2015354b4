import {
  HostedZone,
  Route53WeightedRecords,
  WeightedRecordGroup,
} from '../route53/Route53WeightedRecords';
import { TrafficBindings, ZoneBinding } from './TrafficBindings';
import type { TrafficTarget } from './TrafficTargets';

/**
 * The hosted zone of a hostname as Route 53 resolves the configured zone, refused when it
 * is not that zone: every read and change of a record group goes through here.
 */
export async function resolveBoundZone(
  records: Route53WeightedRecords,
  bindings: TrafficBindings,
  binding: ZoneBinding,
  hostname: string,
): Promise<HostedZone> {
  const zone = await records.resolveZone(hostname, binding.zone);
  bindings.verifyResolved(binding, hostname, zone);
  return zone;
}

/** A target's record group in its bound zone: resolved once, read as often as needed. */
export interface BoundRecordGroup {
  records: Route53WeightedRecords;
  zone: HostedZone;
  read(): Promise<WeightedRecordGroup>;
}

/**
 * Resolves a target's zone in the account its binding names and checks it against the
 * configuration; `read` lists the record group (and its TXT registry records) there.
 */
export async function boundRecordGroup(
  route53: (accountId?: string) => Promise<Route53WeightedRecords>,
  bindings: TrafficBindings,
  target: Pick<TrafficTarget, 'zone' | 'hostname' | 'recordType'>,
): Promise<BoundRecordGroup> {
  const records = await route53(target.zone.accountId);
  const zone = await resolveBoundZone(
    records,
    bindings,
    target.zone,
    target.hostname,
  );
  return {
    records,
    zone,
    read: () => records.readGroup(zone, target.hostname, target.recordType),
  };
}
