import {
  HostedZone,
  Route53WeightedRecords,
} from '../route53/Route53WeightedRecords';
import { TrafficBindings, ZoneBinding } from './TrafficBindings';

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
