/*
 * external-dns as a LOCAL STAND-IN (not external-dns), one per cluster with
 * --txt-owner-id = the cluster's name and policy sync, as the blue/green pattern runs it:
 * every interval it reads the cluster's Ingresses (real API server) and, for each host
 * whose weighted record this owner holds (its TXT registry record says
 * `external-dns/owner=<owner>`), makes Route 53 (through the real AWS SDK, here the
 * sandbox) carry the Ingress's `aws-weight` — which is also how it reverts a weight
 * changed in Route 53 directly. Records it does not own are left alone.
 */
import {
  ChangeResourceRecordSetsCommand,
  HostedZone,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { externalDnsOwnerOf } from '@bluegreen/plugin-bluegreen-common';
import { KubernetesCluster } from './cluster';
import { playEvery } from './standInLoop';

const PREFIX = 'external-dns.alpha.kubernetes.io/';

const absolute = (name: string) => name.toLowerCase().replace(/\.?$/, '.');

/** external-dns's parse of aws-weight: a value that does not parse is weight 0. */
function weightOf(value: string): number {
  // As Go's ParseInt: digits only, no spaces, no sign.
  return /^\d+$/.test(value) ? Number(value) : 0;
}

/** The most specific zone of `host` among `zones`. */
function zoneOf(zones: HostedZone[], host: string) {
  return zones
    .filter(
      z => absolute(host).endsWith(`.${z.Name}`) || absolute(host) === z.Name,
    )
    .sort((a, b) => b.Name!.length - a.Name!.length)[0];
}

/** One reconcile of one cluster: the records it changed, as `<host> <set id>=<weight>`. */
export async function reconcileExternalDns(
  cluster: KubernetesCluster,
  route53: Route53Client,
  owner = cluster.name,
): Promise<string[]> {
  const res = await cluster.request(
    'GET',
    '/apis/networking.k8s.io/v1/ingresses',
  );
  if (res.status !== 200) return [];
  // Each request takes from the account's Route 53 budget, shared with the backend: the
  // zones are listed once per reconcile.
  const { HostedZones: zones = [] } = await route53.send(
    new ListHostedZonesByNameCommand({}),
  );
  const changed: string[] = [];
  for (const ingress of (res.body as any).items ?? []) {
    const annotations = ingress.metadata.annotations ?? {};
    const setIdentifier = annotations[`${PREFIX}set-identifier`];
    const weight = annotations[`${PREFIX}aws-weight`];
    if (!setIdentifier || weight === undefined) continue;
    for (const rule of ingress.spec?.rules ?? []) {
      if (!rule.host) continue;
      const zone = zoneOf(zones, rule.host);
      if (!zone) continue;
      const name = absolute(rule.host);
      const { ResourceRecordSets = [] } = await route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zone.Id,
          StartRecordName: name,
        }),
      );
      const [label, ...rest] = name.split('.');
      const txtName = `a-${label}.${rest.join('.')}`;
      const { ResourceRecordSets: txts = [] } = await route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zone.Id,
          StartRecordName: txtName,
          StartRecordType: 'TXT',
        }),
      );
      const owned = txts.some(
        t =>
          t.Name === txtName &&
          t.Type === 'TXT' &&
          t.SetIdentifier === setIdentifier &&
          externalDnsOwnerOf((t.ResourceRecords ?? []).map(v => v.Value)) ===
            owner,
      );
      const record: ResourceRecordSet | undefined = ResourceRecordSets.find(
        r =>
          r.Name === name &&
          r.Type === 'A' &&
          r.SetIdentifier === setIdentifier,
      );
      const target = weightOf(String(weight));
      if (!owned || !record || record.Weight === target) continue;
      await route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zone.Id,
          ChangeBatch: {
            Comment: `external-dns stand-in (${owner})`,
            Changes: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: { ...record, Weight: target },
              },
            ],
          },
        }),
      );
      changed.push(`${rule.host} ${setIdentifier}=${target}`);
    }
  }
  return changed;
}

/**
 * Reconciles every `intervalMs` (default 5000; external-dns's own default is a minute)
 * until stopped; `log` hears each change.
 */
export function playExternalDns(
  cluster: KubernetesCluster,
  route53: Route53Client,
  options: { intervalMs?: number; log?: (message: string) => void } = {},
): { stop(): Promise<void> } {
  const prefix = `external-dns stand-in (${cluster.name}):`;
  return playEvery(
    options.intervalMs ?? 5000,
    async () =>
      (await reconcileExternalDns(cluster, route53)).map(
        change => `${prefix} wrote ${change} to Route 53`,
      ),
    message =>
      options.log?.(
        message.startsWith(prefix) ? message : `${prefix} ${message}`,
      ),
  );
}
