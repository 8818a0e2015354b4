import { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import {
  ANNOTATION_HOSTED_ZONE,
  ANNOTATION_HOSTNAME,
} from '@bluegreen/plugin-bluegreen-common';

const CONFIG_KEY = 'bluegreen.traffic.hostedZones';
const ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

/** A hosted zone the configuration lets the backend read and change. */
export interface ZoneBinding {
  /** As configured: the zone id (Z...) or its name without the trailing dot. */
  zone: string;
  kind: 'id' | 'name';
  /** The aws.accounts entry whose credentials reach this zone. */
  accountId?: string;
  /** Exact names or `*.suffix`; undefined: any name in the zone. */
  hostnames?: string[];
}

/** Lower case, no trailing dot, `\052` as `*`: how Route 53 compares names. */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\\052/g, '*').replace(/\.$/, '');
}

function canonicalZone(zone: string): { zone: string; kind: 'id' | 'name' } {
  const id = zone.replace(/^\/hostedzone\//, '');
  return ZONE_ID.test(id)
    ? { zone: id, kind: 'id' }
    : { zone: canonicalName(zone), kind: 'name' };
}

function within(hostname: string, zoneName: string) {
  return hostname === zoneName || hostname.endsWith(`.${zoneName}`);
}

function matchesPattern(hostname: string, pattern: string) {
  const canonical = canonicalName(pattern);
  return canonical.startsWith('*.')
    ? hostname.endsWith(canonical.slice(1))
    : hostname === canonical;
}

/**
 * The hosted zones and hostnames an entity may name, from `bluegreen.traffic.hostedZones`
 * (read once). What a cutover or a status read touches is decided here, by the
 * configuration, never by the entity's annotations alone.
 */
export class TrafficBindings {
  static fromConfig(config: Config): TrafficBindings {
    const entries = config.getOptionalConfigArray(CONFIG_KEY) ?? [];
    return new TrafficBindings(
      entries.map((entry, index) => {
        const zone = entry.getString('zone');
        const accountId = entry.getOptionalString('accountId');
        if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
          throw new Error(
            `${CONFIG_KEY}[${index}].accountId must be a 12-digit AWS account id`,
          );
        }
        return {
          ...canonicalZone(zone),
          accountId,
          hostnames: entry.getOptionalStringArray('hostnames'),
        };
      }),
    );
  }

  constructor(private readonly zones: ZoneBinding[]) {}

  /**
   * The configured zone an entity's hostname (and hosted-zone annotation, if any) falls
   * in; refused with NotAllowedError naming the annotation and the config key otherwise.
   */
  bind(hostnameValue: string, zoneAnnotation?: string): ZoneBinding {
    const hostname = canonicalName(hostnameValue);
    if (this.zones.length === 0) {
      throw new NotAllowedError(
        `${CONFIG_KEY} is not configured: the backend may not read or change any hosted zone`,
      );
    }
    let binding: ZoneBinding | undefined;
    if (zoneAnnotation) {
      const wanted = canonicalZone(zoneAnnotation);
      binding = this.zones.find(
        z => z.kind === wanted.kind && z.zone === wanted.zone,
      );
      if (!binding) {
        throw new NotAllowedError(
          `${ANNOTATION_HOSTED_ZONE}: zone "${zoneAnnotation}" is not one of the zones in ${CONFIG_KEY}`,
        );
      }
    } else {
      binding = this.zones
        .filter(z => z.kind === 'name' && within(hostname, z.zone))
        .sort((a, b) => b.zone.length - a.zone.length)[0];
      if (!binding) {
        throw new NotAllowedError(
          `${ANNOTATION_HOSTNAME}: no zone named in ${CONFIG_KEY} holds ${hostname}; set ${ANNOTATION_HOSTED_ZONE} to one of them`,
        );
      }
    }
    const allowed = binding.hostnames
      ? binding.hostnames.some(p => matchesPattern(hostname, p))
      : binding.kind === 'id' || within(hostname, binding.zone);
    if (!allowed) {
      throw new NotAllowedError(
        `${ANNOTATION_HOSTNAME}: ${hostname} is not a hostname ${CONFIG_KEY} allows in zone ${binding.zone}`,
      );
    }
    return binding;
  }

  /** Checks the zone Route 53 resolved against the binding (ids and names both). */
  verifyResolved(
    binding: ZoneBinding,
    hostnameValue: string,
    resolved: { id: string; name: string },
  ): void {
    const hostname = canonicalName(hostnameValue);
    const matches =
      binding.kind === 'id'
        ? resolved.id === binding.zone
        : canonicalName(resolved.name) === binding.zone;
    if (!matches || !within(hostname, canonicalName(resolved.name))) {
      throw new NotAllowedError(
        `${ANNOTATION_HOSTED_ZONE}: Route 53 resolved zone ${resolved.name} (${resolved.id}) for ${hostname}, which is not the configured zone ${binding.zone}`,
      );
    }
  }
}
