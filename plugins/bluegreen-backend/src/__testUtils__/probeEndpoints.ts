import { Route53Client } from '@aws-sdk/client-route-53';
import { CLUSTER_COLOURS, Weights } from '@bluegreen/plugin-bluegreen-common';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import { ProbeEndpoints } from '../cutover/probes/ProbeVerifier';
import {
  BURNHAM,
  CLUSTERS,
  sandboxRoute53,
  sandboxZoneId,
  upsertRecord,
  weightedRecords,
} from './sandbox';

/**
 * burnham's probe endpoints in a sandbox started with `dns` and `loadBalancers`: its
 * records' alias targets as Route 53 holds them, each cluster probed at its load balancer
 * stand-in.
 */
export async function sandboxEndpoints(
  sandbox: Sandbox,
  client: Route53Client,
): Promise<ProbeEndpoints> {
  const records = await weightedRecords(
    client,
    await sandboxZoneId(client),
    BURNHAM,
  );
  const alias = (cluster: string) =>
    records
      .find(r => r.SetIdentifier === cluster)!
      .AliasTarget!.DNSName!.toLowerCase()
      .replace(/\.$/, '');
  const urls = sandbox.loadBalancers!.urls;
  return {
    host: BURNHAM,
    path: '/',
    clusters: CLUSTERS,
    recordType: 'A',
    loadBalancers: { blue: urls[CLUSTERS.blue], green: urls[CLUSTERS.green] },
    answers: {
      blue: { aliasTarget: alias(CLUSTERS.blue), values: [] },
      green: { aliasTarget: alias(CLUSTERS.green), values: [] },
    },
    overrides: {},
  };
}

/** Sets burnham's weights in the sandbox as another writer would (UPSERTs). */
export async function setSandboxWeights(
  client: Route53Client,
  weights: Weights,
) {
  const zoneId = await sandboxZoneId(client);
  for (const record of await weightedRecords(client, zoneId, BURNHAM)) {
    const colour = CLUSTER_COLOURS.find(
      c => CLUSTERS[c] === record.SetIdentifier,
    )!;
    await upsertRecord(client, zoneId, { ...record, Weight: weights[colour] });
  }
}

/** The DNS stand-in's address as Node's resolver takes it. */
export const dnsServer = (sandbox: Sandbox) =>
  `${sandbox.dns!.host}:${sandbox.dns!.port}`;

/**
 * A fresh sandbox per test with everything the probes read (the DNS stand-in, both
 * clusters' load balancer stand-ins, an immediate INSYNC) and an SDK client for it.
 */
export function useProbeSandbox() {
  const current = {} as { sandbox: Sandbox; client: Route53Client };
  beforeEach(async () => {
    current.sandbox = await startSandbox({
      insyncDelayMs: 0,
      throttle: false,
      dns: {},
      loadBalancers: { clusters: [CLUSTERS.blue, CLUSTERS.green] },
    });
    current.client = sandboxRoute53(current.sandbox.url);
  });
  afterEach(async () => {
    current.client.destroy();
    await current.sandbox.close();
  });
  return current;
}
