import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  AuditorService,
  AuthService,
  DatabaseService,
  DiscoveryService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ScaffolderService } from '@backstage/plugin-scaffolder-node';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { TrafficStatus } from '@bluegreen/plugin-bluegreen-common';
import { DatabaseCutoverRunStore } from '../../database/DatabaseCutoverRunStore';
import { leaseKey, LeaseStore } from '../../database/LeaseStore';
import { Route53WeightedRecords } from '../../route53/Route53WeightedRecords';
import { boundRecordGroup } from '../../security/resolveBoundZone';
import { TrafficBindings } from '../../security/TrafficBindings';
import { TrafficTarget, TrafficTargets } from '../../security/TrafficTargets';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { CutoverService } from '../CutoverService';
import { loadBalancerEndpoints } from '../probes/loadBalancerEndpoints';
import { combineVerifiers } from '../probes/combineVerifiers';
import { probeVerifier } from '../probes/ProbeVerifier';
import { dnsVerifier } from '../probes/DnsVerifier';
import { cloudWatchVerifier } from '../probes/CloudWatchVerifier';
import { shareVerifier } from '../probes/ShareVerifier';
import { workloadsVerifier } from '../probes/WorkloadsVerifier';
import { EntityWorkloads } from '../../kubernetes/EntityWorkloads';
import { CutoverDriver } from './CutoverDriver';
import { CutoverEngine } from './CutoverEngine';
import { CutoverRuns } from './CutoverRuns';
import { DatabaseRunLease } from './DatabaseRunLease';
import { Route53RunWriter } from './Route53RunWriter';
import { GitopsRunWriter } from './GitopsRunWriter';
import { RunWriter } from './RunWriter';
import { StagedCutoverSettings } from './stagedCutoverSettings';
import { argoCdSecretHop, ingressHop, route53Hop } from './weightHops';
import { clusterWeights } from '../recordGroupWeights';

/**
 * The staged cutover engine as the plugin runs it: runs in the plugin's database, steps
 * written under the record's lease (to Route 53, or in gitops mode by a task of the
 * cutover template followed to Route 53), holds verified by the direct probes, the DNS,
 * share and CloudWatch checks and the workloads.
 */
export async function createStagedCutovers(options: {
  settings: StagedCutoverSettings;
  database: DatabaseService;
  leases: LeaseStore;
  route53: (accountId?: string) => Promise<Route53WeightedRecords>;
  cloudWatch: () => Promise<CloudWatchClient>;
  bindings: TrafficBindings;
  targets: TrafficTargets;
  cutover: CutoverService;
  /** The entity's workloads, checked again during each hold. */
  workloads: EntityWorkloads;
  status: (entity: Entity) => Promise<TrafficStatus>;
  /** Drops the status cache of a record group a step has written. */
  forgetStatus: (target: TrafficTarget) => Promise<void>;
  catalog: CatalogService;
  auth: AuthService;
  discovery: DiscoveryService;
  scaffolder: ScaffolderService;
  /** The template a gitops step runs (bluegreen.cutover.templateRef). */
  cutoverTemplateRef: string;
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
    const target = await options.targets.forCutover(entity);
    // The run writes the record group it was started (and authorised, and pre-flighted)
    // for: annotations edited since cannot point it at another.
    if (
      leaseKey(target.zone.zone, target.hostname, target.recordType) !==
      run.leaseKey
    ) {
      throw new Error(
        `${run.entityRef} now names the records of ${target.hostname} (${target.recordType} in ${target.zone.zone}), not the ones this run was started for (${run.leaseKey}); the run cannot go on`,
      );
    }
    return { entity, target };
  };
  const endpointsOf = loadBalancerEndpoints({
    targetOf,
    readGroup: async target =>
      (
        await boundRecordGroup(options.route53, options.bindings, target)
      ).read(),
    urls: settings.loadBalancers,
  });
  const ownCredentials = () => options.auth.getOwnServiceCredentials();
  const writers: Record<CutoverRunRecord['mode'], RunWriter> = {
    route53: new Route53RunWriter({
      route53: options.route53,
      bindings: options.bindings,
      cutover: options.cutover,
      targetOf: async run => (await targetOf(run)).target,
      logger,
      insyncTimeoutSeconds: settings.insyncTimeoutSeconds,
      written: options.forgetStatus,
    }),
    gitops: new GitopsRunWriter({
      scaffolder: options.scaffolder,
      credentials: ownCredentials,
      targetOf,
      hops: [
        argoCdSecretHop({ discovery: options.discovery, auth: options.auth }),
        ingressHop({
          workloads: options.workloads,
          credentials: ownCredentials,
        }),
        route53Hop(async target => {
          const { read } = await boundRecordGroup(
            options.route53,
            options.bindings,
            target,
          );
          return clusterWeights(await read(), target.clusters);
        }),
      ],
      written: options.forgetStatus,
      settings: {
        ...settings.gitops,
        templateRef: options.cutoverTemplateRef,
      },
      logger,
    }),
  };
  const engine = new CutoverEngine({
    store,
    writer: {
      write: (run, change, progress) =>
        writers[run.mode].write(run, change, progress),
      read: run => writers[run.mode].read(run),
    },
    verify: combineVerifiers(
      [
        {
          name: 'the direct probe',
          gate: true,
          verify: probeVerifier({
            endpointsOf,
            thresholds: settings.thresholds,
          }),
        },
        {
          name: 'the workloads check',
          gate: true,
          verify: workloadsVerifier({
            targetOf,
            workloads: options.workloads,
            credentials: ownCredentials,
          }),
        },
        ...(settings.share
          ? [
              {
                name: 'the share check',
                gate: false,
                verify: shareVerifier({
                  endpointsOf,
                  settings: settings.share,
                }),
              },
            ]
          : []),
        ...(settings.dns
          ? [
              {
                name: 'the DNS check',
                gate: false,
                verify: dnsVerifier({ endpointsOf, settings: settings.dns }),
              },
            ]
          : []),
        ...(settings.cloudWatch
          ? [
              {
                name: 'the CloudWatch check',
                gate: false,
                verify: cloudWatchVerifier({
                  endpointsOf,
                  cloudWatch: options.cloudWatch,
                  settings: settings.cloudWatch,
                }),
              },
            ]
          : []),
      ],
      settings.verifyTimeoutMs,
    ),
    lease: new DatabaseRunLease(options.leases, settings.leaseTtlMs),
    // Replicas ticking the same run probe it about once per interval between them.
    minVerifyIntervalMs: settings.probeIntervalMs / 2,
    probeIntervalMs: settings.probeIntervalMs,
    maxPauseMs: settings.maxPauseMs,
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
