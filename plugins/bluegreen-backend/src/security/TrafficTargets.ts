import { AuthService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_BLUE_CLUSTER,
  ANNOTATION_GENERATION_REPO,
  ANNOTATION_GREEN_CLUSTER,
  ANNOTATION_HOSTNAME,
  ClusterColour,
  getBlueGreenAnnotations,
} from '@bluegreen/plugin-bluegreen-common';
import {
  AllowedRepository,
  GenerationRepositories,
} from './GenerationRepositories';
import { canonicalName, TrafficBindings, ZoneBinding } from './TrafficBindings';

/** What an entity's traffic is, once the configuration has bound it. */
export interface TrafficTarget {
  entityRef: string;
  /** Canonical: lower case, no trailing dot. */
  hostname: string;
  recordType: string;
  clusters: Record<ClusterColour, string>;
  zone: ZoneBinding;
  /** The generation repository, when the entity names one (checked against config). */
  generationRepository?: AllowedRepository;
}

const RECORD_TYPES = ['A', 'AAAA', 'CNAME'];
const DNS_NAME =
  /^(?=.{1,253}\.?$)([a-z0-9_]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/;

/** The entity's bluegreen annotations that a status or cutover cannot do without. */
export function requireTrafficAnnotations(entity: Entity) {
  const annotations = getBlueGreenAnnotations(entity);
  const ref = stringifyEntityRef(entity);
  if (!annotations.hostname) {
    throw new InputError(`${ref} has no ${ANNOTATION_HOSTNAME} annotation`);
  }
  const { blue, green } = annotations.clusters;
  if (!blue || !green) {
    throw new InputError(
      `${ref} needs both ${ANNOTATION_BLUE_CLUSTER} and ${ANNOTATION_GREEN_CLUSTER} annotations`,
    );
  }
  return {
    ...annotations,
    hostname: annotations.hostname,
    clusters: { blue, green },
  };
}

/** A ref the entity's spec names (owner, system), completed like the catalog does. */
function specRef(
  entity: Entity,
  field: 'owner' | 'system',
  defaultKind: string,
): string | undefined {
  const value = (entity.spec as Record<string, unknown> | undefined)?.[field];
  if (typeof value !== 'string') {
    return undefined;
  }
  return stringifyEntityRef(
    parseEntityRef(value, {
      defaultKind,
      defaultNamespace: entity.metadata.namespace ?? 'default',
    }),
  );
}
const ownerOf = (entity: Entity) => specRef(entity, 'owner', 'group');
const systemOf = (entity: Entity) => specRef(entity, 'system', 'system');

/**
 * Two claims of one hostname are one claim when they are a System and a part of it with
 * the same owner (the generation's System names the hostname its Component serves).
 */
function sameClaim(entity: Entity, other: Entity): boolean {
  const owner = ownerOf(entity);
  if (!owner || owner !== ownerOf(other)) {
    return false;
  }
  const ref = stringifyEntityRef(entity);
  const otherRef = stringifyEntityRef(other);
  return systemOf(entity) === otherRef || systemOf(other) === ref;
}

/**
 * Turns an entity into the traffic it may touch: its annotations, bound by the
 * configuration (zones, hostnames, repositories), and — for a cutover — the rule that
 * one hostname belongs to one claim in the catalog.
 */
export class TrafficTargets {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      bindings: TrafficBindings;
      repositories: GenerationRepositories;
    },
  ) {}

  /** For a status read: the annotations bound to a configured zone. */
  forStatus(entity: Entity): TrafficTarget {
    const annotations = requireTrafficAnnotations(entity);
    if (!DNS_NAME.test(annotations.hostname.toLowerCase())) {
      throw new InputError(
        `${ANNOTATION_HOSTNAME}: "${annotations.hostname}" must be a DNS name (labels of letters, digits and hyphens separated by dots)`,
      );
    }
    const recordType = annotations.recordType.toUpperCase();
    if (!RECORD_TYPES.includes(recordType)) {
      throw new InputError(
        `bluegreen/record-type: must be one of ${RECORD_TYPES.join(
          ', ',
        )}, got "${annotations.recordType}"`,
      );
    }
    return {
      entityRef: stringifyEntityRef(entity),
      hostname: canonicalName(annotations.hostname),
      recordType,
      clusters: annotations.clusters,
      zone: this.options.bindings.bind(
        annotations.hostname,
        annotations.hostedZone,
      ),
    };
  }

  /**
   * For a cutover: the status binding, the generation repository checked against the
   * configuration, and no other claim of the hostname in the catalog (read with the
   * plugin's own credentials, so entities the user cannot see count too).
   */
  async forCutover(entity: Entity): Promise<TrafficTarget> {
    const target = this.forStatus(entity);
    const annotations = getBlueGreenAnnotations(entity);
    if (annotations.generationRepo) {
      target.generationRepository = this.options.repositories.check(
        annotations.generationRepo,
        ANNOTATION_GENERATION_REPO,
      );
    }
    const { items } = await this.options.catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${ANNOTATION_HOSTNAME}`]: [
            target.hostname,
            `${target.hostname}.`,
          ],
        },
        fields: ['kind', 'metadata', 'spec.owner', 'spec.system'],
      },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    const others = items.filter(
      other =>
        stringifyEntityRef(other) !== target.entityRef &&
        canonicalName(getBlueGreenAnnotations(other).hostname ?? '') ===
          target.hostname,
    );
    const strangers = others.filter(other => !sameClaim(entity, other));
    if (strangers.length > 0) {
      throw new NotAllowedError(
        `${ANNOTATION_HOSTNAME}: ${
          target.hostname
        } is claimed by other catalog entities too (${strangers
          .map(e => stringifyEntityRef(e))
          .join(
            ', ',
          )}); ownership is ambiguous, so no cutover is allowed until only one owner's entities name it`,
      );
    }
    return target;
  }
}
