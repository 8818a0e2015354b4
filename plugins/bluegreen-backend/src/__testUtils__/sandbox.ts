import { Entity } from '@backstage/catalog-model';
import {
  ChangeResourceRecordSetsCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';

/** The example sandbox's seeded zone and records (examples/sandbox/fixtures/aws.yaml). */
export const ZONE_NAME = 'eks-blueprint.example.com';
export const BURNHAM = 'burnham.eks-blueprint.example.com';
export const CHECKOUT = 'checkout.eks-blueprint.example.com';
export const CLUSTERS = {
  blue: 'eks-blueprint-blue',
  green: 'eks-blueprint-green',
};

/** A team-burnham Component with the bluegreen annotations for a sandbox hostname. */
export function blueGreenComponent(name: string, hostname: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: {
        'bluegreen/hostname': hostname,
        'bluegreen/hosted-zone': ZONE_NAME,
        'bluegreen/generation-repo':
          'github.com?owner=example&repo=eks-blueprint-generation',
        'bluegreen/blue-cluster': CLUSTERS.blue,
        'bluegreen/green-cluster': CLUSTERS.green,
      },
    },
    spec: {
      type: 'service',
      owner: 'group:default/team-burnham',
      system: 'eks-blueprint',
    },
  };
}

/** Static credentials: the sandbox (a stand-in for AWS) needs a signature, not a real one. */
export const SANDBOX_CREDENTIALS = {
  accessKeyId: 'sandbox',
  secretAccessKey: 'sandbox',
};

/** The unmodified SDK client pointed at the sandbox. */
export function sandboxRoute53(
  url: string,
  options: { maxAttempts?: number } = {},
): Route53Client {
  return new Route53Client({
    endpoint: url,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
    maxAttempts: options.maxAttempts ?? 8,
  });
}

/** A hostname's weighted A records, read independently of the code under test. */
export async function weightedRecords(
  client: Route53Client,
  zoneId: string,
  hostname: string,
): Promise<ResourceRecordSet[]> {
  const { ResourceRecordSets = [] } = await client.send(
    new ListResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      StartRecordName: hostname,
      StartRecordType: 'A',
    }),
  );
  return ResourceRecordSets.filter(
    r => r.Name === `${hostname}.` && r.Type === 'A' && r.Weight !== undefined,
  );
}

/** The weights of a hostname's A records by set identifier. */
export async function weightsIn(
  client: Route53Client,
  zoneId: string,
  hostname: string,
): Promise<Record<string, number>> {
  return Object.fromEntries(
    (await weightedRecords(client, zoneId, hostname)).map(r => [
      r.SetIdentifier!,
      r.Weight!,
    ]),
  );
}

/** Overwrites a record as another writer would (UPSERT: last writer wins). */
export async function upsertRecord(
  client: Route53Client,
  zoneId: string,
  record: ResourceRecordSet,
): Promise<void> {
  await client.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [{ Action: 'UPSERT', ResourceRecordSet: record }],
      },
    }),
  );
}

/** The id (without /hostedzone/) of the sandbox's eks-blueprint.example.com zone. */
export async function sandboxZoneId(client: Route53Client): Promise<string> {
  const { HostedZones = [] } = await client.send(
    new ListHostedZonesByNameCommand({ DNSName: ZONE_NAME }),
  );
  return HostedZones[0].Id!.replace('/hostedzone/', '');
}
