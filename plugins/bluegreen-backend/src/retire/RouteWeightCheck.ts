import { AuthService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_HOSTNAME,
  getBlueGreenAnnotations,
  recordShares,
} from '@bluegreen/plugin-bluegreen-common';
import { redactAwsMessage } from '../aws/redactAwsError';
import { Route53WeightedRecords } from '../route53/Route53WeightedRecords';
import { boundRecordGroup } from '../security/resolveBoundZone';
import { TrafficBindings } from '../security/TrafficBindings';
import { TrafficTarget, TrafficTargets } from '../security/TrafficTargets';

/**
 * Why a cluster must carry no traffic: it is about to be destroyed (retire), or rebuilt
 * at another Kubernetes version (upgrade). It names the input field a refusal blames and
 * the words of the messages.
 */
export interface IdlePurpose {
  field: string;
  /** "retiring", "rebuilding". */
  doing: string;
  /** "destroyed", "rebuilt". */
  done: string;
  /** Whether the offline override exists for this purpose (retire only). */
  offlineHint: boolean;
}

/** @internal */
export const RETIRING: IdlePurpose = {
  field: 'stack',
  doing: 'retiring',
  done: 'destroyed',
  offlineHint: true,
};

/** @internal */
export const REBUILDING: IdlePurpose = {
  field: 'colour',
  doing: 'rebuilding',
  done: 'rebuilt',
  offlineHint: false,
};

/** What a retirement or a rebuild asks before a cluster stack is changed. */
export interface RouteWeightCheckRequest {
  /** The generation's System entity. */
  generation: Entity;
  /** The cluster being retired: its name, which is its Route 53 set identifier. */
  clusterName: string;
  /** Retire without the check when Route 53 cannot be read (never when it can). */
  offline: boolean;
  /** Default RETIRING. */
  purpose?: IdlePurpose;
  log: { info(line: string): void; warn(line: string): void };
}

/**
 * Tells that Route 53 sends no traffic of any hostname of the generation to a cluster;
 * refuses (InputError, field `stack`) otherwise.
 */
export interface RouteWeightCheck {
  assertNoTraffic(request: RouteWeightCheckRequest): Promise<void>;
}

export interface Route53RouteWeightCheckOptions {
  /** Read with the plugin's own credentials: entities the user cannot see count too. */
  catalog: CatalogService;
  auth: AuthService;
  /** Binds each entity's hostname to a configured zone. */
  targets: TrafficTargets;
  bindings: TrafficBindings;
  /** Route 53 for a zone's configured account. */
  route53: (accountId?: string) => Promise<Route53WeightedRecords>;
}

/** A share of traffic in percent, with at most one decimal. */
function formatShare(share: number) {
  return `${Number(share.toFixed(1))}%`;
}

/** The message of an error, without AWS role ARNs and account ids. */
function messageOf(error: unknown) {
  return redactAwsMessage(
    error instanceof Error ? error.message : String(error),
  );
}

/**
 * The Route 53 check of a retirement: every hostname the generation's catalog entities
 * name (the System and the Components whose spec.system is that System), bound by the
 * configuration, read in Route 53; a record of the cluster's set identifier that gets
 * any traffic refuses the retirement.
 */
export class Route53RouteWeightCheck implements RouteWeightCheck {
  constructor(private readonly options: Route53RouteWeightCheckOptions) {}

  /** The generation's System and its Components that name a hostname. */
  private async entitiesOf(generation: Entity): Promise<Entity[]> {
    const ref = stringifyEntityRef(generation);
    const { name, namespace = 'default' } = generation.metadata;
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const system =
      (await this.options.catalog.getEntityByRef(ref, { credentials })) ??
      generation;
    // spec.system as the catalog stores it: the forms that can name this System. Each
    // candidate is checked below with the Component's own namespace as default.
    const { items } = await this.options.catalog.getEntities(
      {
        filter: {
          kind: 'component',
          'spec.system': [
            name,
            `${namespace}/${name}`,
            `system:${name}`,
            `system:${namespace}/${name}`,
          ],
        },
      },
      { credentials },
    );
    const parts = items.filter(component => {
      const value = (component.spec as { system?: unknown } | undefined)
        ?.system;
      if (typeof value !== 'string') {
        return false;
      }
      try {
        const target = stringifyEntityRef(
          parseEntityRef(value, {
            defaultKind: 'system',
            defaultNamespace: component.metadata.namespace ?? 'default',
          }),
        );
        return (
          target.toLocaleLowerCase('en-US') === ref.toLocaleLowerCase('en-US')
        );
      } catch {
        return false;
      }
    });
    return [system, ...parts].filter(
      entity => getBlueGreenAnnotations(entity).hostname,
    );
  }

  async assertNoTraffic(request: RouteWeightCheckRequest): Promise<void> {
    const { clusterName, log } = request;
    const purpose = request.purpose ?? RETIRING;
    const entities = await this.entitiesOf(request.generation);
    if (entities.length === 0) {
      log.info(
        `no catalog entity of ${stringifyEntityRef(
          request.generation,
        )} has a ${ANNOTATION_HOSTNAME} annotation: nothing in Route 53 was checked`,
      );
      return;
    }

    const unreadable: string[] = [];
    const checked = new Set<string>();
    for (const entity of entities) {
      const entityRef = stringifyEntityRef(entity);
      let target: TrafficTarget;
      try {
        target = this.options.targets.forStatus(entity);
      } catch (error) {
        unreadable.push(`${entityRef}: ${messageOf(error)}`);
        continue;
      }
      const key = [
        target.zone.accountId ?? '',
        target.zone.zone,
        target.hostname,
        target.recordType,
      ].join(' ');
      if (checked.has(key)) {
        continue;
      }
      checked.add(key);

      let read;
      try {
        const group = await boundRecordGroup(
          this.options.route53,
          this.options.bindings,
          target,
        );
        read = await group.read();
      } catch (error) {
        unreadable.push(`${target.hostname}: ${messageOf(error)}`);
        continue;
      }

      const zoneName = read.zone.name.replace(/\.$/, '');
      const where = `${target.recordType} ${target.hostname} in zone ${zoneName}`;
      const index = read.records.findIndex(
        r => r.SetIdentifier === clusterName,
      );
      const own = read.records[index];
      if (!own) {
        log.info(
          `Route 53: no weighted ${where} record of ${clusterName}; it receives none of that traffic`,
        );
        continue;
      }
      const weight = own.Weight ?? 0;
      const weights = read.records.map(r => r.Weight ?? 0);
      const total = weights.reduce((sum, w) => sum + w, 0);
      // An all-zero group is shared equally: recordShares says so too.
      const share = recordShares(weights)[index];
      if (share > 0) {
        throw new InputError(
          `${purpose.field}: Route 53 still sends ${formatShare(share)} of ${
            target.hostname
          } to ${clusterName} (weight ${weight} in zone ${zoneName}${
            total === 0
              ? ', where every record of the group has weight 0, so Route 53 shares it equally'
              : ''
          }); cut traffic over before ${purpose.doing} it`,
        );
      }
      log.info(
        `Route 53: ${clusterName} has weight 0 for ${where}; it receives none of that traffic`,
      );
    }

    if (unreadable.length === 0) {
      return;
    }
    const problem = unreadable.join('; ');
    if (request.offline) {
      log.warn(
        `Route 53 check skipped by request (offline: true): cannot read Route 53 (${problem}); ${purpose.doing} ${clusterName} without knowing that it receives no traffic there`,
      );
      return;
    }
    throw new InputError(
      `${
        purpose.field
      }: cannot read Route 53 to tell that ${clusterName} receives no traffic (${problem}); it is not ${
        purpose.done
      }${
        purpose.offlineHint
          ? '. Only if Route 53 is unreachable and you know that the cluster gets no traffic, set offline: true to retire it without that check'
          : ''
      }`,
    );
  }
}
