/*
 * The sandbox's DNS stand-in: a LOCAL STAND-IN for Route 53's authoritative name servers,
 * not Route 53. It answers UDP queries from the sandbox's Route 53 store, so what a
 * cutover wrote is what `dig @127.0.0.1 -p <port>` sees: a weighted group answers one
 * record per query, chosen by weight as Route 53 does (an all-zero group equally). An
 * alias record answers the made-up address of its target (aliasAddress), the same on
 * every start, so a client can tell the clusters apart by address; the target's own name
 * (an ELB's, whose DNS is AWS's) answers that address too, so a client can map an address
 * back to its load balancer.
 */
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import { SandboxRecord } from '../fixtures';
import { normalizeName, Route53Store, Zone } from '../route53/store';
import {
  buildResponse,
  DnsAnswer,
  encodeValue,
  parseQuery,
  RCODE,
  TYPE,
} from './wire';

export interface DnsStandIn {
  host: string;
  port: number;
  /** Queries answered, by `<name> <type number> <rcode>`. */
  queryCounts(): Record<string, number>;
  close(): Promise<void>;
}

/** An alias target's address here: in 198.18.0.0/15 (benchmarking), from its name. */
export function aliasAddress(dnsName: string): string {
  const h = crypto.createHash('sha256').update(normalizeName(dnsName)).digest();
  return `198.${18 + (h[0] & 1)}.${h[1]}.${1 + (h[2] % 254)}`;
}

/** The alias target's TTL: an ELB's, 60 s. */
const ALIAS_TTL = 60;

/** One record of a weighted group, by weight; all-zero: equally. */
function pickWeighted(
  records: SandboxRecord[],
  random: () => number,
): SandboxRecord {
  const total = records.reduce((sum, r) => sum + (r.weight ?? 0), 0);
  if (total === 0) {
    return records[Math.floor(random() * records.length)];
  }
  let point = random() * total;
  for (const record of records) {
    point -= record.weight ?? 0;
    if (point < 0) return record;
  }
  return records[records.length - 1];
}

function answersOf(record: SandboxRecord, type: number): DnsAnswer[] {
  if (record.aliasTarget) {
    return type === TYPE.A
      ? [
          {
            type,
            ttl: ALIAS_TTL,
            data: encodeValue(
              TYPE.A,
              aliasAddress(record.aliasTarget.dnsName),
            )!,
          },
        ]
      : [];
  }
  return (record.values ?? []).flatMap(value => {
    const data = encodeValue(type, value);
    return data ? [{ type, ttl: record.ttl ?? 300, data }] : [];
  });
}

/** A question for an alias target's own name (no zone here holds it): its address. */
function aliasTargetAnswer(store: Route53Store, name: string, type: number) {
  const isTarget = store
    .zonesByName()
    .some(z =>
      store
        .sortedRecords(z)
        .some(
          r => r.aliasTarget && normalizeName(r.aliasTarget.dnsName) === name,
        ),
    );
  if (!isTarget) {
    return { rcode: RCODE.REFUSED, answers: [] };
  }
  return {
    rcode: RCODE.NOERROR,
    answers:
      type === TYPE.A
        ? [
            {
              type,
              ttl: ALIAS_TTL,
              data: encodeValue(TYPE.A, aliasAddress(name))!,
            },
          ]
        : [],
  };
}

/** The answer to one question, from the store as it is now. */
export function answer(
  store: Route53Store,
  name: string,
  type: number,
  random: () => number,
): { rcode: number; answers: DnsAnswer[] } {
  const zone: Zone | undefined = store
    .zonesByName()
    .filter(z => name === z.name || name.endsWith(`.${z.name}`))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (!zone) {
    return aliasTargetAnswer(store, name, type);
  }
  const named = store.sortedRecords(zone).filter(r => r.name === name);
  if (named.length === 0) {
    return { rcode: RCODE.NXDOMAIN, answers: [] };
  }
  const cname = named.filter(r => r.type === 'CNAME');
  const typeName = Object.entries(TYPE).find(([, n]) => n === type)?.[0];
  const group =
    cname.length && type !== TYPE.CNAME
      ? cname
      : named.filter(r => r.type === typeName);
  if (group.length === 0) {
    return { rcode: RCODE.NOERROR, answers: [] };
  }
  const record = group[0].setIdentifier
    ? pickWeighted(group, random)
    : group[0];
  return {
    rcode: RCODE.NOERROR,
    answers: answersOf(record, cname.length ? TYPE.CNAME : type),
  };
}

/** Starts the DNS stand-in on UDP `host:port` (default 127.0.0.1, a free port). */
export async function startDnsStandIn(options: {
  store: Route53Store;
  host?: string;
  port?: number;
  random?: () => number;
}): Promise<DnsStandIn> {
  const host = options.host ?? '127.0.0.1';
  const random = options.random ?? Math.random;
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  let counts: Record<string, number> = {};
  socket.on('message', (message, peer) => {
    const query = parseQuery(message);
    if (!query) {
      return; // not one question in class IN: dropped
    }
    const { rcode, answers } = answer(
      options.store,
      query.name,
      query.type,
      random,
    );
    const key = `${query.name} ${query.type} ${rcode}`;
    counts[key] = (counts[key] ?? 0) + 1;
    socket.send(buildResponse(query, rcode, answers), peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port ?? 0, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    host,
    port: socket.address().port,
    queryCounts: () => ({ ...counts }),
    close: () =>
      new Promise<void>(resolve => {
        counts = {};
        socket.close(() => resolve());
      }),
  };
}
