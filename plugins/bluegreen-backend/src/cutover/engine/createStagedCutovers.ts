import {
  AuditorService,
  AuthService,
  DatabaseService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { TrafficStatus } from '@bluegreen/plugin-bluegreen-common';
import { DatabaseCutoverRunStore } from '../../database/DatabaseCutoverRunStore';
import { LeaseStore } from '../../database/LeaseStore';
import { Route53WeightedRecords } from '../../route53/Route53WeightedRecords';
import { boundRecordGroup } from '../../security/resolveBoundZone';
import { TrafficBindings } from '../../security/TrafficBindings';
import { TrafficTarget, TrafficTargets } from '../../security/TrafficTargets';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { CutoverService } from '../CutoverService';
import { loadBalancerEndpoints } from '../probes/loadBalancerEndpoints';
import { probeVerifier } from '../probes/ProbeVerifier';
import { CutoverDriver } from './CutoverDriver';
import { CutoverEngine } from './CutoverEngine';
import { CutoverRuns } from './CutoverRuns';
import { DatabaseRunLease } from './DatabaseRunLease';
import { Route53RunWriter } from './Route53RunWriter';
import { StagedCutoverSettings } from './stagedCutoverSettings';

/**
 * The staged cutover engine as the plugin runs it: runs in the plugin's database, steps
 * written to Route 53 under the record's lease, holds verified by the direct probes.
 */
export async function createStagedCutovers(options: {
  settings: StagedCutoverSettings;
  database: DatabaseService;
  leases: LeaseStore;
  route53: (accountId?: string) => Promise<Route53WeightedRecords>;
  bindings: TrafficBindings;
  targets: TrafficTargets;
  cutover: CutoverService;
  status: (entity: Entity) => Promise<TrafficStatus>;
  /** Drops the status cache of a record group a step has written. */
  forgetStatus: (target: TrafficTarget) => Promise<void>;
  catalog: CatalogService;
  auth: AuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
}): Promise<{ runs: CutoverRuns; driver: CutoverDriver }> {
  const { settings, logger } = options;
  const store = await DatabaseCutoverRunStore.create({
    database: options.database,
  });
  // The engine acts for the run, which its starter was authorised for: it reads the
  // entity with the plugin's own credentials.
  const targetOf = async (run: CutoverRunRecord) => {
    const entity = await options.catalog.getEntityByRef(run.entityRef, {
      credentials: await options.auth.getOwnServiceCredentials(),
    });
    if (!entity) {
      throw new Error(`${run.entityRef} is no longer in the catalog`);
    }
    return { entity, target: await options.targets.forCutover(entity) };
  };
  const engine = new CutoverEngine({
    store,
    writer: new Route53RunWriter({
      route53: options.route53,
      bindings: options.bindings,
      cutover: options.cutover,
      targetOf: async run => (await targetOf(run)).target,
      logger,
      insyncTimeoutSeconds: settings.insyncTimeoutSeconds,
      written: options.forgetStatus,
    }),
    verify: probeVerifier({
      endpointsOf: loadBalancerEndpoints({
        targetOf,
        readGroup: async target =>
          (
            await boundRecordGroup(options.route53, options.bindings, target)
          ).read(),
        urls: settings.loadBalancers,
      }),
      thresholds: settings.thresholds,
    }),
    lease: new DatabaseRunLease(options.leases, settings.leaseTtlMs),
    // Replicas ticking the same run probe it about once per interval between them.
    minVerifyIntervalMs: settings.probeIntervalMs / 2,
    probeIntervalMs: settings.probeIntervalMs,
    logger,
  });
  const driver = new CutoverDriver({
    engine,
    store,
    intervalMs: settings.probeIntervalMs,
    logger,
  });
  const runs = new CutoverRuns({
    store,
    engine,
    kick: () => {
      driver
        .tick()
        .catch(error => logger.error(`cutover tick failed: ${error}`));
    },
    leases: options.leases,
    leaseTtlMs: settings.leaseTtlMs,
    targets: options.targets,
    status: options.status,
    cutover: options.cutover,
    catalog: options.catalog,
    permissions: options.permissions,
    auditor: options.auditor,
    floor: settings.floor,
    logger,
  });
  return { runs, driver };
}
