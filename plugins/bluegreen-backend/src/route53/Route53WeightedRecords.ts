import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  InvalidChangeBatch,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  ListResourceRecordSetsCommandOutput,
  ResourceRecordSet,
  Route53Client,
  RRType,
} from '@aws-sdk/client-route-53';
import { ConflictError, NotFoundError } from '@backstage/errors';

/** A hosted zone, id without the /hostedzone/ prefix, name with its trailing dot. */
export interface HostedZone {
  id: string;
  name: string;
}

/** The weighted records of one (name, type) and who owns them. */
export interface WeightedRecordGroup {
  zone: HostedZone;
  name: string;
  type: string;
  /** Exactly as Route 53 returned them: a compare-and-swap DELETE must repeat them. */
  records: ResourceRecordSet[];
  /** external-dns owner id by set identifier, from its TXT registry records. */
  owners: Record<string, string>;
}

/** Thrown when a change batch met records other than the ones it was built from. */
export class WeightsChangedError extends ConflictError {}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onPoll?: (status: string, elapsedMs: number) => void;
}

const ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const POLL_START_MS = 250;
const POLL_MAX_MS = 5000;

/** Route 53 names are case-insensitive, absolute, and escape '*' as \052. */
export function normaliseName(name: string): string {
  const lower = name.toLowerCase().replace(/\\052/g, '*');
  return lower.endsWith('.') ? lower : `${lower}.`;
}

function stripZonePrefix(id: string): string {
  return id.replace(/^\/hostedzone\//, '');
}

// external-dns's TXT registry value: "heritage=external-dns,external-dns/owner=<id>,...".
function externalDnsOwner(record: ResourceRecordSet): string | undefined {
  for (const { Value } of record.ResourceRecords ?? []) {
    const text = (Value ?? '').replace(/^"|"$/g, '');
    if (!text.split(',').includes('heritage=external-dns')) {
      continue;
    }
    const owner = text
      .split(',')
      .find(part => part.startsWith('external-dns/owner='));
    return owner?.slice('external-dns/owner='.length) || 'default';
  }
  return undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('cancelled'));
      return;
    }
    let timer: NodeJS.Timeout | undefined = undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('cancelled'));
    };
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The Route 53 operations bluegreen needs, on the unmodified SDK client (whose standard
 * retry strategy backs off on Throttling and PriorRequestNotComplete; conflicts are
 * never retried).
 */
export class Route53WeightedRecords {
  constructor(private readonly client: Route53Client) {}

  /**
   * The zone named by id or name, or else the most specific public zone whose name ends
   * the hostname.
   */
  async resolveZone(hostname: string, zone?: string): Promise<HostedZone> {
    if (zone && ZONE_ID.test(stripZonePrefix(zone))) {
      const { HostedZone: found } = await this.client.send(
        new GetHostedZoneCommand({ Id: stripZonePrefix(zone) }),
      );
      return { id: stripZonePrefix(found!.Id!), name: found!.Name! };
    }
    const candidates = zone
      ? [normaliseName(zone)]
      : normaliseName(hostname)
          .split('.')
          .map((_, i, labels) => labels.slice(i).join('.'))
          .filter(name => name.includes('.') && name !== '.');
    for (const candidate of candidates) {
      const { HostedZones = [] } = await this.client.send(
        new ListHostedZonesByNameCommand({ DNSName: candidate, MaxItems: 10 }),
      );
      const match = HostedZones.find(
        z => normaliseName(z.Name!) === candidate && !z.Config?.PrivateZone,
      );
      if (match) {
        return { id: stripZonePrefix(match.Id!), name: match.Name! };
      }
    }
    throw new NotFoundError(
      zone
        ? `hosted zone "${zone}" was not found`
        : `no public hosted zone holds ${hostname}`,
    );
  }

  /** Every record of exactly (name, type), following Route 53's pagination. */
  private async listGroup(
    zoneId: string,
    name: string,
    type: string,
  ): Promise<ResourceRecordSet[]> {
    const wanted = normaliseName(name);
    const found: ResourceRecordSet[] = [];
    let start: { name: string; type: string; identifier?: string } | undefined =
      { name: wanted, type };
    while (start) {
      const page: ListResourceRecordSetsCommandOutput = await this.client.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          StartRecordName: start.name,
          StartRecordType: start.type as RRType,
          StartRecordIdentifier: start.identifier,
          MaxItems: 300,
        }),
      );
      let pastGroup = false;
      for (const record of page.ResourceRecordSets ?? []) {
        if (normaliseName(record.Name!) === wanted && record.Type === type) {
          found.push(record);
        } else {
          pastGroup = true;
        }
      }
      start =
        page.IsTruncated && !pastGroup
          ? {
              name: page.NextRecordName!,
              type: page.NextRecordType!,
              identifier: page.NextRecordIdentifier,
            }
          : undefined;
    }
    return found;
  }

  /** The weighted records of (name, type) and their external-dns owners. */
  async readGroup(
    zone: HostedZone,
    name: string,
    type: string,
  ): Promise<WeightedRecordGroup> {
    const records = (await this.listGroup(zone.id, name, type)).filter(
      record => record.Weight !== undefined,
    );
    // external-dns >= 0.18 names its registry record <type>-<name>; older ones used the
    // record's own name. Weighted registry records carry the set identifier.
    const owners: Record<string, string> = {};
    for (const txtName of [
      `${type.toLowerCase()}-${normaliseName(name)}`,
      name,
    ]) {
      for (const txt of await this.listGroup(zone.id, txtName, 'TXT')) {
        const owner = externalDnsOwner(txt);
        if (!owner) {
          continue;
        }
        for (const record of records) {
          if (
            !txt.SetIdentifier ||
            txt.SetIdentifier === record.SetIdentifier
          ) {
            owners[record.SetIdentifier!] ??= owner;
          }
        }
      }
    }
    return { zone, name: normaliseName(name), type, records, owners };
  }

  /**
   * One change batch that DELETEs every record of the group exactly as read — those whose
   * weight stays the same too — and CREATEs each with its new weight. Route 53 applies all
   * of it or, if anyone changed any member since it was read, none of it: a compare-and-
   * swap over the whole group, so two concurrent changes of different members cannot both
   * succeed (from 50/50, "blue 50 / green 0" and "blue 0 / green 50" would otherwise make
   * 0/0). Returns the change id.
   */
  async swapWeights(
    group: WeightedRecordGroup,
    weights: Record<string, number>,
  ): Promise<string> {
    const changes = group.records.flatMap(record => [
      { Action: 'DELETE' as const, ResourceRecordSet: record },
      {
        Action: 'CREATE' as const,
        ResourceRecordSet: {
          ...record,
          Weight: weights[record.SetIdentifier!] ?? record.Weight,
        },
      },
    ]);
    try {
      const { ChangeInfo } = await this.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: group.zone.id,
          ChangeBatch: {
            Comment: 'bluegreen:set-weight compare-and-swap',
            Changes: changes,
          },
        }),
      );
      return ChangeInfo!.Id!.replace(/^\/change\//, '');
    } catch (error) {
      if (error instanceof InvalidChangeBatch) {
        throw new WeightsChangedError(
          `the records changed since they were read (${error.message})`,
        );
      }
      throw error;
    }
  }

  /** Polls GetChange with growing intervals until INSYNC, the timeout, or cancellation. */
  async waitInsync(changeId: string, options: WaitOptions): Promise<number> {
    const started = Date.now();
    let interval = POLL_START_MS;
    for (;;) {
      const { ChangeInfo } = await this.client.send(
        new GetChangeCommand({ Id: changeId }),
      );
      const elapsed = Date.now() - started;
      options.onPoll?.(ChangeInfo!.Status!, elapsed);
      if (ChangeInfo!.Status === 'INSYNC') {
        return elapsed;
      }
      if (elapsed + interval > options.timeoutMs) {
        throw new Error(
          `change ${changeId} was still ${
            ChangeInfo!.Status
          } after ${Math.round(
            elapsed / 1000,
          )} s; Route 53 has accepted it and will apply it, check GetChange later`,
        );
      }
      await sleep(interval, options.signal);
      interval = Math.min(interval * 2, POLL_MAX_MS);
    }
  }
}
