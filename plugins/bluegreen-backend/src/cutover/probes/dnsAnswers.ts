import { promises as dns } from 'node:dns';
import {
  CLUSTER_COLOURS,
  ClusterColour,
} from '@bluegreen/plugin-bluegreen-common';
import { ProbeEndpoints } from './ProbeVerifier';

const normalize = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** Where the DNS checks ask: name servers as `host` or `host:port`, or the system's resolver. */
export interface DnsQuerySettings {
  servers?: string[];
  timeoutMs: number;
}

/**
 * A resolver that asks `servers` directly (Node's resolver keeps no cache, so every
 * query reaches them), or the system's resolver (with its caches, as users are) when
 * none are configured.
 */
export function createResolver(settings: DnsQuerySettings) {
  const resolver = new dns.Resolver({ timeout: settings.timeoutMs, tries: 2 });
  if (settings.servers?.length) resolver.setServers(settings.servers);
  const direct = Boolean(settings.servers?.length);
  return {
    direct,
    /** One query of `name`: the answer values (addresses, or a CNAME's target). */
    async query(name: string, recordType: string): Promise<string[]> {
      if (recordType === 'CNAME') {
        return (await resolver.resolveCname(name)).map(normalize);
      }
      if (!direct) {
        return (
          await dns.lookup(name, {
            all: true,
            family: recordType === 'AAAA' ? 6 : 4,
          })
        ).map(a => a.address);
      }
      return recordType === 'AAAA'
        ? resolver.resolve6(name)
        : resolver.resolve4(name);
    },
  };
}

export type DnsResolver = ReturnType<typeof createResolver>;

/**
 * Which cluster an answer names: each cluster's record values as they are, and the
 * addresses its alias target (or CNAME target) resolves to now, asked of the same
 * resolver first and of the system's if that one does not know the name (a zone's own
 * name servers do not answer for elb.amazonaws.com).
 */
export async function answerOwners(
  resolver: DnsResolver,
  endpoints: Pick<ProbeEndpoints, 'answers' | 'recordType'>,
): Promise<Map<string, ClusterColour>> {
  const owners = new Map<string, ClusterColour>();
  const family = endpoints.recordType === 'AAAA' ? 'AAAA' : 'A';
  const system = createResolver({ timeoutMs: 2000 });
  const addressesOf = (name: string) =>
    resolver
      .query(name, family)
      .catch(() => (resolver.direct ? system.query(name, family) : []))
      .catch(() => [] as string[]);
  await Promise.all(
    CLUSTER_COLOURS.map(async colour => {
      const { aliasTarget, values } = endpoints.answers[colour];
      for (const value of values) owners.set(normalize(value), colour);
      // An alias's or a CNAME's target resolves to the addresses users get.
      let names: string[] = [];
      if (aliasTarget) names = [aliasTarget];
      else if (endpoints.recordType === 'CNAME') names = values;
      for (const name of names) {
        for (const address of await addressesOf(name)) {
          owners.set(address, colour);
        }
      }
    }),
  );
  return owners;
}
