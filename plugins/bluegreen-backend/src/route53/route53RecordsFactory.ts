import { Config } from '@backstage/config';
import { AwsClients } from '../aws/AwsClients';
import { readExternalDnsSettings } from './externalDnsRegistry';
import { Route53WeightedRecords } from './Route53WeightedRecords';

/**
 * One Route53WeightedRecords per AWS account, kept for the backend's life (so that zone
 * lookups are remembered), reading external-dns's registry as configured.
 */
export function route53RecordsFactory(
  aws: AwsClients,
  config: Config,
): (accountId?: string) => Promise<Route53WeightedRecords> {
  const registry = readExternalDnsSettings(config);
  const byAccount = new Map<string, Promise<Route53WeightedRecords>>();
  return accountId => {
    const key = accountId ?? '';
    let records = byAccount.get(key);
    if (!records) {
      records = aws
        .route53(accountId)
        .then(client => new Route53WeightedRecords(client, { registry }));
      records.catch(() => byAccount.delete(key));
      byAccount.set(key, records);
    }
    return records;
  };
}
