import { Config } from '@backstage/config';
import { AwsClients } from '../aws/AwsClients';
import { readExternalDnsSettings } from './externalDnsRegistry';
import { Route53WeightedRecords } from './Route53WeightedRecords';
import type { SharedReads } from '../service/SharedReads';

/**
 * One Route53WeightedRecords per AWS account, kept for the backend's life (so that zone
 * lookups are remembered; across replicas too when given shared reads), reading
 * external-dns's registry as configured.
 */
export function route53RecordsFactory(
  aws: AwsClients,
  config: Config,
  sharedReads?: SharedReads,
): (accountId?: string) => Promise<Route53WeightedRecords> {
  const registry = readExternalDnsSettings(config);
  const byAccount = new Map<string, Promise<Route53WeightedRecords>>();
  return accountId => {
    const key = accountId ?? '';
    let records = byAccount.get(key);
    if (!records) {
      records = aws.route53(accountId).then(
        client =>
          new Route53WeightedRecords(client, {
            registry,
            ...(sharedReads && {
              sharedZones: {
                reads: sharedReads,
                prefix: `route53-zone:${key}:`,
              },
            }),
          }),
      );
      records.catch(() => byAccount.delete(key));
      byAccount.set(key, records);
    }
    return records;
  };
}
