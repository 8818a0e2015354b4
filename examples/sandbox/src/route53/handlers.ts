/*
 * Route 53 operations, routed by method and path exactly as the SDK's model binds them
 * (`/2013-04-01/...`, query names `name`, `type`, `identifier`, `maxitems`, ...).
 */
import {
  Route53Error,
  Route53Store,
  compareNames,
  displayName,
  normalizeName,
  RECORD_TYPES,
} from './store';
import {
  changeInfoXml,
  delegationSetXml,
  document,
  el,
  hostedZoneXml,
  parseChangeBatch,
  recordXml,
} from './xml';

export interface Route53Context {
  store: Route53Store;
  priorRequestWindowMs: number;
  now: () => Date;
}

export interface Route53Request {
  method: string;
  pathname: string;
  query: URLSearchParams;
  body: string;
}

/** An operation recognised from the request line; `run` produces the XML body (HTTP 200). */
export interface Route53Operation {
  name: string;
  run(): string;
}

function maxItems(
  query: URLSearchParams,
  defaultValue: number,
  max: number,
): number {
  const raw = query.get('maxitems');
  if (raw === null || raw === '') return defaultValue;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new Route53Error(
      'InvalidInput',
      `Invalid request: maxitems must be a positive integer`,
    );
  }
  return Math.min(Number(raw), max);
}

function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

function listHostedZones(ctx: Route53Context, query: URLSearchParams): string {
  const max = maxItems(query, 100, 100);
  const marker = query.get('marker') ?? undefined;
  const zones = [...ctx.store.zones.values()];
  let start = 0;
  if (marker !== undefined) {
    start = zones.findIndex(
      z => z.id === marker.replace(/^\/hostedzone\//, ''),
    );
    if (start < 0) {
      throw new Route53Error(
        'InvalidInput',
        `Invalid request: unknown marker ${marker}`,
      );
    }
  }
  const page = zones.slice(start, start + max);
  const next = zones[start + max];
  return document(
    'ListHostedZonesResponse',
    `<HostedZones>${page.map(hostedZoneXml).join('')}</HostedZones>${el(
      'Marker',
      marker ?? '',
    )}${el('IsTruncated', !!next)}${el('NextMarker', next?.id)}${el(
      'MaxItems',
      max,
    )}`,
  );
}

function listHostedZonesByName(
  ctx: Route53Context,
  query: URLSearchParams,
): string {
  const max = maxItems(query, 100, 100);
  const dnsName = query.get('dnsname') ?? undefined;
  const zoneId = query.get('hostedzoneid') ?? undefined;
  if (zoneId !== undefined && dnsName === undefined) {
    throw new Route53Error(
      'InvalidInput',
      'Invalid request: hostedzoneid can only be specified together with dnsname',
    );
  }
  const zones = ctx.store.zonesByName().filter(z => {
    if (dnsName === undefined) return true;
    const c = compareNames(z.name, normalizeName(dnsName));
    if (c !== 0) return c > 0;
    return (
      zoneId === undefined ||
      compareStrings(z.id, zoneId.replace(/^\/hostedzone\//, '')) >= 0
    );
  });
  const page = zones.slice(0, max);
  const next = zones[max];
  return document(
    'ListHostedZonesByNameResponse',
    `<HostedZones>${page.map(hostedZoneXml).join('')}</HostedZones>${el(
      'DNSName',
      dnsName,
    )}${el('HostedZoneId', zoneId)}${el('IsTruncated', !!next)}${el(
      'NextDNSName',
      next?.name,
    )}${el('NextHostedZoneId', next ? next.id : undefined)}${el(
      'MaxItems',
      max,
    )}`,
  );
}

/**
 * Pages through name -> type -> set identifier in AWS's order; the Next* triple is the
 * first record of the next page, so a weighted group splits across pages without repeats.
 */
function listResourceRecordSets(
  ctx: Route53Context,
  zoneId: string,
  query: URLSearchParams,
): string {
  const zone = ctx.store.getZone(zoneId);
  const max = maxItems(query, 300, 300);
  const startName = query.get('name') ?? undefined;
  const startType = query.get('type') ?? undefined;
  const startId = query.get('identifier') ?? undefined;
  if (startType !== undefined && startName === undefined) {
    throw new Route53Error(
      'InvalidInput',
      'The input is not valid: StartRecordType is specified without StartRecordName',
    );
  }
  if (startId !== undefined && startType === undefined) {
    throw new Route53Error(
      'InvalidInput',
      'The input is not valid: StartRecordIdentifier is specified without StartRecordType',
    );
  }
  if (startType !== undefined && !RECORD_TYPES.has(startType)) {
    throw new Route53Error('InvalidInput', `Invalid type: ${startType}`);
  }
  const name = startName !== undefined ? normalizeName(startName) : undefined;
  const records = ctx.store.sortedRecords(zone).filter(r => {
    if (name === undefined) return true;
    const c = compareNames(r.name, name);
    if (c !== 0) return c > 0;
    if (startType === undefined) return true;
    const t = compareStrings(r.type, startType);
    if (t !== 0) return t > 0;
    if (startId === undefined) return true;
    return compareStrings(r.setIdentifier ?? '', startId) >= 0;
  });
  const page = records.slice(0, max);
  const next = records[max];
  let tail = el('IsTruncated', !!next);
  if (next) {
    tail +=
      el('NextRecordName', displayName(next.name)) +
      el('NextRecordType', next.type);
    tail += el('NextRecordIdentifier', next.setIdentifier);
  }
  return document(
    'ListResourceRecordSetsResponse',
    `<ResourceRecordSets>${page
      .map(recordXml)
      .join('')}</ResourceRecordSets>${tail}${el('MaxItems', max)}`,
  );
}

function changeResourceRecordSets(
  ctx: Route53Context,
  zoneId: string,
  body: string,
): string {
  const zone = ctx.store.getZone(zoneId);
  if (
    ctx.priorRequestWindowMs > 0 &&
    zone.lastChangeAt !== undefined &&
    ctx.now().getTime() - zone.lastChangeAt < ctx.priorRequestWindowMs
  ) {
    throw new Route53Error(
      'PriorRequestNotComplete',
      'The request was rejected because Route 53 was still processing a prior request.',
    );
  }
  const batch = parseChangeBatch(body);
  const change = ctx.store.applyBatch(zone, batch.changes, batch.comment);
  return document(
    'ChangeResourceRecordSetsResponse',
    changeInfoXml(change, 'PENDING'),
  );
}

/** Recognises the operation; undefined for paths outside this Route 53 subset. */
export function routeRoute53(
  ctx: Route53Context,
  req: Route53Request,
): Route53Operation | undefined {
  const parts = req.pathname
    .replace(/\/+$/, '')
    .split('/')
    .slice(1)
    .map(p => decodeURIComponent(p));
  if (parts[0] !== '2013-04-01') return undefined;
  const [, resource, id, sub] = parts;
  const { method, query } = req;
  if (method === 'GET' && resource === 'hostedzone' && parts.length === 2) {
    return { name: 'ListHostedZones', run: () => listHostedZones(ctx, query) };
  }
  if (
    method === 'GET' &&
    resource === 'hostedzonesbyname' &&
    parts.length === 2
  ) {
    return {
      name: 'ListHostedZonesByName',
      run: () => listHostedZonesByName(ctx, query),
    };
  }
  if (method === 'GET' && resource === 'hostedzone' && parts.length === 3) {
    return {
      name: 'GetHostedZone',
      run: () => {
        const zone = ctx.store.getZone(id);
        return document(
          'GetHostedZoneResponse',
          hostedZoneXml(zone) + delegationSetXml(zone),
        );
      },
    };
  }
  if (resource === 'hostedzone' && sub === 'rrset' && parts.length === 4) {
    if (method === 'GET') {
      return {
        name: 'ListResourceRecordSets',
        run: () => listResourceRecordSets(ctx, id, query),
      };
    }
    if (method === 'POST') {
      return {
        name: 'ChangeResourceRecordSets',
        run: () => changeResourceRecordSets(ctx, id, req.body),
      };
    }
  }
  if (method === 'GET' && resource === 'change' && parts.length === 3) {
    return {
      name: 'GetChange',
      run: () => {
        const { change, status } = ctx.store.getChange(id);
        return document('GetChangeResponse', changeInfoXml(change, status));
      },
    };
  }
  return undefined;
}
