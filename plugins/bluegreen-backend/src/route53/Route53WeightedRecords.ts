import type { SharedReads } from '../service/SharedReads';
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
import {
  ExternalDnsRegistrySettings,
  externalDnsOwner,
  registryNames,
} from './externalDnsRegistry';

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
  /**
   * Poll at this fixed interval instead of the growing one: a staged step's hold counts
   * from the INSYNC it sees, so it asks as often as the INSYNC wait it expects allows.
   */
  pollIntervalMs?: number;
  signal?: AbortSignal;
  onPoll?: (status: string, elapsedMs: number) => void;
}

const ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
// A zone's id and name do not change while it exists: resolved once an hour.
const ZONE_CACHE_MS = 60 * 60 * 1000;

/**
 * ListResourceRecordSets order: the name with its labels reversed as one ASCII string,
 * dots included (`com.example.www.`), so that characters below "." such as "-" come
 * before the end of a label: `www-a` (a --txt-suffix registry) sorts before `www`.
 */
function compareNames(a: string, b: string): number {
  const reversed = (name: string) =>
    `${normaliseName(name).slice(0, -1).split('.').reverse().join('.')}.`;
  const [ra, rb] = [reversed(a), reversed(b)];
  if (ra === rb) {
    return 0;
  }
  return ra < rb ? -1 : 1;
}

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
  private readonly zones = new Map<
    string,
    { at: number; zone: Promise<HostedZone> }
  >();

  constructor(
    private readonly client: Route53Client,
    private readonly options: {
      registry?: ExternalDnsRegistrySettings;
      now?: () => number;
      /**
       * Zone look-ups shared with the other replicas through the cache (keys start with
       * `prefix`, which names the account): one look-up per zone per hour for the fleet.
       */
      sharedZones?: { reads: SharedReads; prefix: string };
    } = {},
  ) {}

  /**
   * The zone named by id or name, or else the most specific public zone whose name ends
   * the hostname; remembered for an hour (by the fleet, with sharedZones), so a cutover
   * step spends no request on it.
   */
  resolveZone(hostname: string, zone?: string): Promise<HostedZone> {
    const key = `${normaliseName(hostname)} ${zone ?? ''}`;
    const at = this.options.now?.() ?? Date.now();
    const cached = this.zones.get(key);
    if (cached && at - cached.at < ZONE_CACHE_MS) {
      return cached.zone;
    }
    const shared = this.options.sharedZones;
    const resolved = shared
      ? shared.reads.get(`${shared.prefix}${key}`, ZONE_CACHE_MS, () =>
          this.lookUpZone(hostname, zone),
        )
      : this.lookUpZone(hostname, zone);
    this.zones.set(key, { at, zone: resolved });
    resolved.catch(() => this.zones.delete(key));
    return resolved;
  }

  private async lookUpZone(
    hostname: string,
    zone?: string,
  ): Promise<HostedZone> {
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

  /**
   * Every record whose name lies between `from` and `to` (inclusive) in Route 53's order,
   * from one listing that starts at `from` and pages only as far as `to`.
   */
  private async listRange(
    zoneId: string,
    from: string,
    to: string,
  ): Promise<ResourceRecordSet[]> {
    const found: ResourceRecordSet[] = [];
    let start:
      | { name: string; type?: string; identifier?: string }
      | undefined = { name: from };
    while (start) {
      const page: ListResourceRecordSetsCommandOutput = await this.client.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          StartRecordName: start.name,
          StartRecordType: start.type as RRType | undefined,
          StartRecordIdentifier: start.identifier,
          MaxItems: 300,
        }),
      );
      let past = false;
      for (const record of page.ResourceRecordSets ?? []) {
        if (compareNames(record.Name!, to) > 0) {
          past = true;
          break;
        }
        found.push(record);
      }
      start =
        page.IsTruncated && !past
          ? {
              name: page.NextRecordName!,
              type: page.NextRecordType,
              identifier: page.NextRecordIdentifier,
            }
          : undefined;
    }
    return found;
  }

  /**
   * The weighted records of (name, type) and their external-dns owners, from one listing
   * that covers the group and its TXT registry records (one request in a zone where
   * they are within 300 records of each other).
   */
  async readGroup(
    zone: HostedZone,
    name: string,
    type: string,
  ): Promise<WeightedRecordGroup> {
    const wanted = normaliseName(name);
    const txtNames = registryNames(wanted, type, this.options.registry ?? {});
    const names = [wanted, ...txtNames].sort(compareNames);
    const listed = await this.listRange(
      zone.id,
      names[0],
      names[names.length - 1],
    );
    const records = listed.filter(
      record =>
        normaliseName(record.Name!) === wanted &&
        record.Type === type &&
        record.Weight !== undefined,
    );
    // Weighted registry records carry the set identifier; others own the whole name.
    const owners: Record<string, string> = {};
    for (const txt of listed) {
      if (txt.Type !== 'TXT' || !txtNames.includes(normaliseName(txt.Name!))) {
        continue;
      }
      const owner = externalDnsOwner(txt);
      if (!owner) {
        continue;
      }
      for (const record of records) {
        if (!txt.SetIdentifier || txt.SetIdentifier === record.SetIdentifier) {
          owners[record.SetIdentifier!] ??= owner;
        }
      }
    }
    return { zone, name: wanted, type, records, owners };
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
    let interval = options.pollIntervalMs ?? POLL_START_MS;
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
      if (options.pollIntervalMs === undefined) {
        interval = Math.min(interval * 2, POLL_MAX_MS);
      }
    }
  }
}
