import { promises as dns } from 'node:dns';
import {
  CLUSTER_COLOURS,
  ClusterColour,
} from '@bluegreen/plugin-bluegreen-common';
import { ProbeEndpoints } from './ProbeVerifier';

/** A DNS name as the probes compare it: lower case, without the root's dot. */
export const normalizeDnsName = (name: string) =>
  name.toLowerCase().replace(/\.$/, '');

/** Where the DNS checks ask: name servers by address (`ip` or `ip:port`), or the system's. */
export interface DnsQuerySettings {
  servers?: string[];
  timeoutMs: number;
}

/**
 * A resolver that asks `servers`, or the system's name servers (/etc/resolv.conf) when
 * none are configured, with a timeout on every query. Node's resolver keeps no cache: every
 * query reaches the servers (a caching resolver among them still caches, as for users).
 */
export function createResolver(settings: DnsQuerySettings) {
  const resolver = new dns.Resolver({ timeout: settings.timeoutMs, tries: 2 });
  if (settings.servers?.length) resolver.setServers(settings.servers);
  return {
    direct: Boolean(settings.servers?.length),
    /** One query of `name`: the answer values (addresses, or a CNAME's target). */
    async query(name: string, recordType: string): Promise<string[]> {
      if (recordType === 'CNAME') {
        return (await resolver.resolveCname(name)).map(normalizeDnsName);
      }
      return recordType === 'AAAA'
        ? resolver.resolve6(name)
        : resolver.resolve4(name);
    },
  };
}

export type DnsResolver = ReturnType<typeof createResolver>;

let systemResolver: DnsResolver | undefined;

/**
 * Which cluster an answer names: each cluster's record values as they are, and the
 * addresses its alias target (or CNAME target) resolves to now, asked of the same
 * resolver first and of the system's if that one does not know the name (a zone's own
 * name servers do not answer for elb.amazonaws.com). An address both clusters' targets
 * give (a reused address) names neither.
 */
export async function answerOwners(
  resolver: DnsResolver,
  endpoints: Pick<ProbeEndpoints, 'answers' | 'recordType'>,
): Promise<Map<string, ClusterColour>> {
  const family = endpoints.recordType === 'AAAA' ? 'AAAA' : 'A';
  systemResolver ??= createResolver({ timeoutMs: 2000 });
  const system = systemResolver;
  const addressesOf = (name: string) =>
    resolver
      .query(name, family)
      .catch(() => (resolver.direct ? system.query(name, family) : []))
      .catch(() => [] as string[]);
  const claimed = await Promise.all(
    CLUSTER_COLOURS.map(async colour => {
      const { aliasTarget, values } = endpoints.answers[colour];
      const answers = new Set(values.map(normalizeDnsName));
      // An alias's or a CNAME's target resolves to the addresses users get.
      let names: string[] = [];
      if (aliasTarget) names = [aliasTarget];
      else if (endpoints.recordType === 'CNAME') names = values;
      for (const name of names) {
        for (const address of await addressesOf(name)) answers.add(address);
      }
      return { colour, answers };
    }),
  );
  const owners = new Map<string, ClusterColour>();
  const shared = new Set<string>();
  for (const { colour, answers } of claimed) {
    for (const answer of answers) {
      if (owners.has(answer) && owners.get(answer) !== colour)
        shared.add(answer);
      owners.set(answer, colour);
    }
  }
  for (const answer of shared) owners.delete(answer);
  return owners;
}
