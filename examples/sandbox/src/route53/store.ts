/*
 * In-memory Route 53 state with AWS's documented semantics (not moto's): atomic change
 * batches, exact-match DELETE, CREATE of an existing set fails, weighted and non-weighted
 * sets cannot share a name and type, PENDING -> INSYNC after a delay.
 */
import crypto from 'node:crypto';
import {
  SandboxFixtureZone,
  SandboxRecord,
  expandFixtureRecords,
} from '../fixtures';

/** An error answered in AWS's shape; `code` becomes the SDK error's `name`. */
export class Route53Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
  }
}

export type ChangeAction = 'CREATE' | 'DELETE' | 'UPSERT';

export interface SandboxChange {
  /** `/change/C...` as AWS returns it. */
  id: string;
  /** `/hostedzone/Z...`. */
  zoneId: string;
  /** ISO date-time. */
  submittedAt: string;
  comment?: string;
  changes: Array<{ action: ChangeAction; record: SandboxRecord }>;
}

export interface Zone {
  /** Bare id, without `/hostedzone/`. */
  id: string;
  name: string;
  comment?: string;
  callerReference: string;
  nameServers: string[];
  records: Map<string, SandboxRecord>;
  /** ms (sandbox clock) of the last accepted change, for PriorRequestNotComplete. */
  lastChangeAt?: number;
}

// Types Route 53 accepts in ChangeResourceRecordSets; others are InvalidInput.
export const RECORD_TYPES = new Set([
  'A',
  'AAAA',
  'CAA',
  'CNAME',
  'DS',
  'HTTPS',
  'MX',
  'NAPTR',
  'NS',
  'PTR',
  'SOA',
  'SPF',
  'SRV',
  'SSHFP',
  'SVCB',
  'TLSA',
  'TXT',
]);

/**
 * Route 53 names are case-insensitive and absolute; `\052`-style octal escapes (how AWS
 * returns `*`) are decoded so both spellings address the same record.
 */
export function normalizeName(name: string): string {
  let n = name
    .trim()
    .replace(/\\(\d{3})/g, (_, oct: string) =>
      String.fromCharCode(parseInt(oct, 8)),
    )
    .toLowerCase();
  if (!n.endsWith('.')) n += '.';
  return n;
}

/** How AWS prints names in responses: `*` as `\052`. */
export function displayName(name: string): string {
  return name.replace(/\*/g, '\\052');
}

/**
 * AWS's ListResourceRecordSets order: the name with its labels reversed, as one ASCII
 * string with the dots (`com.example.www.`), so characters below "." such as "-" sort
 * before the end of a label ("www-a" before "www").
 */
function reversedName(name: string): string {
  return `${name.replace(/\.$/, '').split('.').reverse().join('.')}.`;
}

function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

export function compareNames(a: string, b: string): number {
  return compareStrings(reversedName(a), reversedName(b));
}

/** name, then type, then set identifier (records without one first). */
export function compareRecordKeys(
  a: { name: string; type: string; setIdentifier?: string },
  b: { name: string; type: string; setIdentifier?: string },
): number {
  return (
    compareNames(a.name, b.name) ||
    compareStrings(a.type, b.type) ||
    compareStrings(a.setIdentifier ?? '', b.setIdentifier ?? '')
  );
}

export function recordKey(r: {
  name: string;
  type: string;
  setIdentifier?: string;
}): string {
  return `${r.name}|${r.type}|${r.setIdentifier ?? ''}`;
}

/** `[name='x.', type='A', set-identifier='id']` as in AWS's InvalidChangeBatch messages. */
function describe(r: SandboxRecord): string {
  const id =
    r.setIdentifier !== undefined
      ? `, set-identifier='${r.setIdentifier}'`
      : '';
  return `[name='${displayName(r.name)}', type='${r.type}'${id}]`;
}

export function normalizeRecord(r: SandboxRecord): SandboxRecord {
  const out: SandboxRecord = { name: normalizeName(r.name), type: r.type };
  if (r.setIdentifier !== undefined) out.setIdentifier = r.setIdentifier;
  if (r.weight !== undefined) out.weight = r.weight;
  if (r.ttl !== undefined) out.ttl = r.ttl;
  if (r.values !== undefined) out.values = [...r.values];
  if (r.aliasTarget) {
    out.aliasTarget = {
      hostedZoneId: r.aliasTarget.hostedZoneId.replace(/^\/hostedzone\//, ''),
      dnsName: normalizeName(r.aliasTarget.dnsName),
      evaluateTargetHealth: r.aliasTarget.evaluateTargetHealth === true,
    };
  }
  return out;
}

/**
 * "all the same values that you specified when you created it": weight, TTL, the value
 * set (order-insensitive) or the alias target including EvaluateTargetHealth.
 */
function sameValues(a: SandboxRecord, b: SandboxRecord): boolean {
  if (a.weight !== b.weight || a.ttl !== b.ttl) return false;
  const va = [...(a.values ?? [])].sort();
  const vb = [...(b.values ?? [])].sort();
  if (va.length !== vb.length || va.some((v, i) => v !== vb[i])) return false;
  const ta = a.aliasTarget;
  const tb = b.aliasTarget;
  if (!ta || !tb) return !ta && !tb;
  return (
    ta.hostedZoneId.toUpperCase() === tb.hostedZoneId.toUpperCase() &&
    ta.dnsName === tb.dnsName &&
    ta.evaluateTargetHealth === tb.evaluateTargetHealth
  );
}

function changeDescription(action: string, r: SandboxRecord): string {
  const id =
    r.setIdentifier !== undefined ? `, SetIdentifier=${r.setIdentifier}` : '';
  return `Change with [Action=${action}, Name=${displayName(r.name)}, Type=${
    r.type
  }${id}]`;
}

/** Request-level checks; AWS answers these with InvalidInput before looking at the zone. */
export function validateChangeShape(action: string, r: SandboxRecord): void {
  const where = changeDescription(action, r);
  if (!['CREATE', 'DELETE', 'UPSERT'].includes(action)) {
    throw new Route53Error(
      'InvalidInput',
      `Invalid request: Unknown Action ${action}`,
    );
  }
  if (!r.name || r.name === '.') {
    throw new Route53Error(
      'InvalidInput',
      `Invalid request: Missing Name in ${where}`,
    );
  }
  if (!RECORD_TYPES.has(r.type)) {
    throw new Route53Error(
      'InvalidInput',
      `Invalid request: Unsupported record type ${r.type} in ${where}`,
    );
  }
  if (r.weight !== undefined) {
    if (!Number.isInteger(r.weight) || r.weight < 0 || r.weight > 255) {
      throw new Route53Error(
        'InvalidInput',
        `Invalid request: Expected integer between 0 and 255 for Weight in ${where}`,
      );
    }
  }
  if (r.weight !== undefined && r.setIdentifier === undefined) {
    throw new Route53Error(
      'InvalidInput',
      `Invalid request: Missing field 'SetIdentifier' in ${where}`,
    );
  }
  if (r.setIdentifier !== undefined && r.weight === undefined) {
    // Other routing policies (failover, latency, geo...) are not implemented here.
    throw new Route53Error(
      'InvalidInput',
      `Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found none in ${where}`,
    );
  }
  const hasRecords = r.ttl !== undefined || (r.values?.length ?? 0) > 0;
  if (r.aliasTarget && hasRecords) {
    throw new Route53Error(
      'InvalidInput',
      `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in ${where}`,
    );
  }
  if (!r.aliasTarget && (r.ttl === undefined || !r.values?.length)) {
    throw new Route53Error(
      'InvalidInput',
      `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in ${where}`,
    );
  }
  if (
    r.ttl !== undefined &&
    (!Number.isInteger(r.ttl) || r.ttl < 0 || r.ttl > 2147483647)
  ) {
    throw new Route53Error(
      'InvalidInput',
      `Invalid request: Expected integer between 0 and 2147483647 for TTL in ${where}`,
    );
  }
}

function randomId(prefix: string): string {
  // AWS ids are upper-case alphanumerics; the length is only cosmetic.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = crypto.randomBytes(13);
  let s = prefix;
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

export interface StoreOptions {
  insyncDelayMs: number;
  now: () => Date;
}

export class Route53Store {
  readonly zones = new Map<string, Zone>();
  private readonly changes = new Map<string, SandboxChange>();
  private readonly log: SandboxChange[] = [];

  constructor(
    zones: SandboxFixtureZone[],
    private readonly options: StoreOptions,
  ) {
    for (const z of zones) this.addZone(z);
  }

  private addZone(f: SandboxFixtureZone): void {
    const name = normalizeName(f.name);
    const nameServers = (
      f.nameServers ?? [1, 2, 3, 4].map(i => `ns-${i}.sandbox-route53.invalid.`)
    ).map(normalizeName);
    const zone: Zone = {
      id: f.id.replace(/^\/hostedzone\//, ''),
      name,
      comment: f.comment,
      callerReference: `sandbox-${f.id}`,
      nameServers,
      records: new Map(),
    };
    // Route 53 creates the apex NS and SOA itself; fixtures may override them.
    const apex: SandboxRecord[] = [
      { name, type: 'NS', ttl: 172800, values: nameServers },
      {
        name,
        type: 'SOA',
        ttl: 900,
        values: [
          `${nameServers[0]} awsdns-hostmaster.sandbox-route53.invalid. 1 7200 900 1209600 86400`,
        ],
      },
    ];
    for (const r of [...apex, ...expandFixtureRecords(f.records ?? [])]) {
      const n = normalizeRecord(r);
      zone.records.set(recordKey(n), n);
    }
    this.zones.set(zone.id, zone);
  }

  getZone(id: string): Zone {
    const bare = id.replace(/^\/hostedzone\//, '');
    const zone = this.zones.get(bare);
    if (!zone) {
      throw new Route53Error(
        'NoSuchHostedZone',
        `No hosted zone found with ID: ${bare}`,
        404,
      );
    }
    return zone;
  }

  /** Zones sorted as ListHostedZonesByName sorts them: reversed labels, then id. */
  zonesByName(): Zone[] {
    return [...this.zones.values()].sort(
      (a, b) => compareNames(a.name, b.name) || compareStrings(a.id, b.id),
    );
  }

  sortedRecords(zone: Zone): SandboxRecord[] {
    return [...zone.records.values()].sort(compareRecordKeys);
  }

  /**
   * Validates every change against the state as it evolves within the batch, then applies
   * all of it or none of it. All failures are reported, like AWS's message list.
   */
  applyBatch(
    zone: Zone,
    changes: Array<{ action: ChangeAction; record: SandboxRecord }>,
    comment?: string,
  ): SandboxChange {
    if (changes.length === 0) {
      throw new Route53Error(
        'InvalidInput',
        'Invalid request: Expected at least one Change in ChangeBatch',
      );
    }
    const normalized = changes.map(c => ({
      action: c.action,
      record: normalizeRecord(c.record),
    }));
    for (const c of normalized) validateChangeShape(c.action, c.record);

    const working = new Map(zone.records);
    const messages: string[] = [];
    for (const { action, record } of normalized) {
      const msg = this.check(zone, working, action, record);
      if (msg) {
        messages.push(msg);
        continue;
      }
      if (action === 'DELETE') working.delete(recordKey(record));
      else working.set(recordKey(record), record);
    }
    if (messages.length > 0) {
      // AWS's current form: one ErrorResponse whose Message lists every failure in [].
      throw new Route53Error('InvalidChangeBatch', `[${messages.join(', ')}]`);
    }

    zone.records = working;
    const now = this.options.now();
    zone.lastChangeAt = now.getTime();
    const change: SandboxChange = {
      id: `/change/${randomId('C')}`,
      zoneId: `/hostedzone/${zone.id}`,
      submittedAt: now.toISOString(),
      changes: normalized,
    };
    if (comment !== undefined) change.comment = comment;
    this.changes.set(change.id, change);
    this.log.push(change);
    return change;
  }

  /** Returns the InvalidChangeBatch message for one change, or undefined if it applies. */
  private check(
    zone: Zone,
    working: Map<string, SandboxRecord>,
    action: ChangeAction,
    record: SandboxRecord,
  ): string | undefined {
    const { name, type } = record;
    if (name !== zone.name && !name.endsWith(`.${zone.name}`)) {
      return `RRSet with DNS name ${displayName(
        name,
      )} is not permitted in zone ${zone.name}`;
    }
    const current = working.get(recordKey(record));
    if (action === 'DELETE') {
      if (!current)
        return `Tried to delete resource record set ${describe(
          record,
        )} but it was not found`;
      if (!sameValues(current, record)) {
        return `Tried to delete resource record set ${describe(
          record,
        )} but the values provided do not match the current values`;
      }
      if (name === zone.name && (type === 'SOA' || type === 'NS')) {
        return `A HostedZone must contain exactly one SOA record and at least one NS record for the zone itself.`;
      }
      return undefined;
    }
    if (action === 'CREATE' && current) {
      return `Tried to create resource record set ${describe(
        record,
      )} but it already exists`;
    }
    const sameNameType = [...working.values()].filter(
      r =>
        r.name === name &&
        r.type === type &&
        recordKey(r) !== recordKey(record),
    );
    if (record.setIdentifier !== undefined) {
      if (sameNameType.some(r => r.setIdentifier === undefined)) {
        return `RRSet with DNS name ${displayName(
          name,
        )}, type ${type}, SetIdentifier ${
          record.setIdentifier
        } cannot be created as a non-weighted set exists with the same name and type.`;
      }
      if (!current && sameNameType.length >= 100) {
        return `RRSet with DNS name ${displayName(
          name,
        )}, type ${type} cannot have more than 100 weighted records.`;
      }
    } else if (sameNameType.some(r => r.setIdentifier !== undefined)) {
      return `RRSet with DNS name ${displayName(
        name,
      )}, type ${type} cannot be created as a weighted set exists with the same name and type.`;
    }
    if (type === 'CNAME' && name === zone.name) {
      return `RRSet of type CNAME with DNS name ${displayName(
        name,
      )} is not permitted at apex in zone ${zone.name}`;
    }
    const others = [...working.values()].filter(
      r => r.name === name && r.type !== type,
    );
    if (
      type === 'CNAME'
        ? others.length > 0
        : others.some(r => r.type === 'CNAME')
    ) {
      return `RRSet of type ${type} with DNS name ${displayName(
        name,
      )} is not permitted because a conflicting RRSet of type ${
        type === 'CNAME' ? others[0].type : 'CNAME'
      } with the same DNS name already exists in zone ${zone.name}`;
    }
    return undefined;
  }

  /** PENDING until insyncDelayMs after submission (on the sandbox clock), then INSYNC. */
  getChange(id: string): {
    change: SandboxChange;
    status: 'PENDING' | 'INSYNC';
  } {
    const bare = id.replace(/^\/change\//, '');
    const change = this.changes.get(`/change/${bare}`);
    if (!change) {
      throw new Route53Error(
        'NoSuchChange',
        `A change with the specified change ID does not exist.`,
        404,
      );
    }
    const age = this.options.now().getTime() - Date.parse(change.submittedAt);
    return {
      change,
      status: age >= this.options.insyncDelayMs ? 'INSYNC' : 'PENDING',
    };
  }

  /** How long changes stay PENDING from now on (those already submitted too). */
  setInsyncDelayMs(ms: number): void {
    this.options.insyncDelayMs = ms;
  }

  changeLog(): SandboxChange[] {
    return this.log.map(c => structuredClone(c));
  }
}
