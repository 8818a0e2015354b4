import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ScaffolderService } from '@backstage/plugin-scaffolder-node';
import {
  CUTOVER_RUN_COMMANDS,
  CutoverRequest,
  CutoverResponse,
  cutoverRequestSchema,
  CutoverRunList,
  preflightInputOf,
  StagedCutoverResponse,
} from '@bluegreen/plugin-bluegreen-common';
import express from 'express';
import { z } from 'zod/v3';
import Router from 'express-promise-router';
import { EksVersionCatalog } from '../aws/EksVersionCatalog';
import { CutoverService } from '../cutover/CutoverService';
import { CutoverRuns, viewOf } from '../cutover/engine/CutoverRuns';
import { redactAwsError } from '../aws/redactAwsError';
import { parseInput } from '../lib/parseInput';
import { leaseHeldError, leaseKey, LeaseStore } from '../database/LeaseStore';
import { cutoverChecks, deniedChecks } from '../security/permissionChecks';
import { TrafficTargets } from '../security/TrafficTargets';
import { RefreshLimiter } from './RefreshLimiter';
import { TrafficStatusService } from './TrafficStatusService';
import { UpgradeInsightsService } from './UpgradeInsightsService';

/** @internal */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  permissions: PermissionsService;
  auditor: AuditorService;
  scaffolder: ScaffolderService;
  traffic: TrafficStatusService;
  insights: UpgradeInsightsService;
  targets: TrafficTargets;
  /** The cutover rules (mode, pre-flight) set-weight applies too. */
  cutover: CutoverService;
  /** Staged cutover runs. */
  runs: CutoverRuns;
  refreshLimiter: RefreshLimiter;
  eksVersions: EksVersionCatalog;
  cutoverTemplateRef: string;
  logger: LoggerService;
  leases: LeaseStore;
}

const leaseRequestSchema = z
  .object({
    key: z.string().min(1).max(512),
    taskId: z.string().min(1).max(255),
    user: z.string().min(1).max(255).optional(),
    ttlSeconds: z.number().positive().max(3600).optional(),
  })
  .strict();

/**
 * The /api/bluegreen routes. Every route needs credentials: the httpRouter's default
 * auth policy rejects anonymous calls, and each handler asks for the credentials it
 * accepts so that a later change of policy cannot open it.
 * @internal
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, catalog, permissions, auditor, scaffolder, traffic } =
    options;
  // AWS errors reach users without ARNs or account ids; the plugin's log has them.
  const status = (entity: Entity, fresh = false) =>
    traffic.status(entity, fresh).catch(error => {
      throw redactAwsError(error, options.logger);
    });
  const router = Router();
  router.use(express.json());

  router.get('/health', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ status: 'ok' });
  });

  // The versions a new generation may use: the generation template's version field.
  router.get('/eks-versions', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user'] });
    res.json(await options.eksVersions.supported());
  });

  const entityRefOf = (params: Record<string, string>) =>
    stringifyEntityRef({
      kind: params.kind,
      namespace: params.namespace,
      name: params.name,
    });

  // Read with the caller's credentials, so catalog read permissions apply.
  const entityOf = async (
    params: Record<string, string>,
    credentials: BackstageCredentials,
  ) => {
    const entityRef = entityRefOf(params);
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) {
      throw new NotFoundError(`${entityRef} was not found`);
    }
    return entity;
  };

  router.get('/entity/:kind/:namespace/:name/traffic', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const entity = await entityOf(req.params, credentials);
    const { refresh } = parseInput(
      z.object({ refresh: z.enum(['true', 'false']).optional() }).passthrough(),
      req.query,
      'query',
    );
    const fresh =
      refresh === 'true' &&
      (await options.refreshLimiter.allow(credentials.principal.userEntityRef));
    const current = await status(entity, fresh);
    res.json({ ...current, dnsFloor: options.runs.floorOf(current) });
  });

  // Each cluster answers for itself: one whose insights cannot be read says why.
  router.get('/entity/:kind/:namespace/:name/insights', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    parseInput(z.object({}).strict(), req.query, 'query');
    const entity = await entityOf(req.params, credentials);
    res.json(await options.insights.forEntity(entity));
  });

  router.post(
    '/entity/:kind/:namespace/:name/cutover',
    async (req, res, next) => {
      if (req.body && typeof req.body === 'object' && 'plan' in req.body) {
        next(); // a staged run: the route below
        return;
      }
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const entityRef = entityRefOf(req.params);
      const audit = await auditor.createEvent({
        eventId: 'cutover',
        severityLevel: 'high',
        request: req,
        meta: { entityRef },
      });
      // Only the validated plan is recorded: the raw body is the caller's to choose.
      let plan: CutoverRequest | undefined;
      try {
        plan = parseInput(cutoverRequestSchema, req.body, 'cutover plan');
        const denied = await deniedChecks(
          permissions,
          cutoverChecks(entityRef, plan.force),
          credentials,
        );
        if (denied.length > 0) {
          throw new NotAllowedError(
            `not allowed to cut over ${entityRef} (permission ${denied
              .map(c => c.permission.name)
              .join(', ')})`,
          );
        }
        const entity = await catalog.getEntityByRef(entityRef, { credentials });
        if (!entity) {
          throw new NotFoundError(`${entityRef} was not found`);
        }
        // The same binding set-weight applies again inside the task: zones and hostnames
        // from config, the repository allowed, one claim of the hostname.
        const target = await options.targets.forCutover(entity);
        // One cutover per record group: refused at once while another holds it (the task's
        // bluegreen:set-weight takes the lease itself, whoever started it).
        const holder = await options.leases.holder(
          leaseKey(target.zone.zone, target.hostname, target.recordType),
        );
        if (holder) {
          throw leaseHeldError(target.hostname, holder);
        }
        const current = await status(entity);
        const mode = plan.mode ?? current.mode;
        const force = plan.force ?? false;
        options.cutover.assertMode(
          mode,
          target,
          Object.fromEntries(
            current.records
              .filter(r => r.externalDnsOwner)
              .map(r => [r.setIdentifier, r.externalDnsOwner!]),
          ),
          force,
        );
        // The pre-flight set-weight repeats on what Route 53 holds when it writes; refused
        // here first so that a failing cutover starts no task.
        if (
          current.weights.blue !== plan.weights.blue ||
          current.weights.green !== plan.weights.green
        ) {
          const checks = await options.cutover.preflight({
            entity,
            target,
            input: preflightInputOf(current),
            weights: plan.weights,
            credentials,
          });
          options.cutover.requirePassed(checks, force, options.logger);
        }
        const { taskId } = await scaffolder.scaffold(
          {
            templateRef: options.cutoverTemplateRef,
            // The template passes the entity to set-weight, which derives the records,
            // clusters and zone from it on the server (and authorises the user again).
            values: {
              entity: entityRef,
              weights: plan.weights,
              mode,
              ...(plan.expected && { expected: plan.expected }),
              force,
            },
          },
          { credentials },
        );
        await audit.success({ meta: { plan, taskId, mode } });
        const body: CutoverResponse = { taskId, mode };
        res.status(201).json(body);
      } catch (error) {
        await audit.fail({
          error: error as Error,
          meta: plan ? { plan } : { plan: 'invalid' },
        });
        throw error;
      }
    },
  );

  // A staged run: CutoverRuns authorises, audits and takes the record's lease itself.
  router.post('/entity/:kind/:namespace/:name/cutover', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const run = await options.runs.start({
      entityRef: entityRefOf(req.params),
      body: req.body,
      credentials,
      httpRequest: req,
    });
    const body: StagedCutoverResponse = { runId: run.id };
    res.status(201).json(body);
  });

  router.get(
    '/entity/:kind/:namespace/:name/cutover-runs',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const entity = await entityOf(req.params, credentials);
      const { limit } = parseInput(
        z
          .object({ limit: z.coerce.number().int().min(1).max(100).optional() })
          .strict(),
        req.query,
        'query',
      );
      const body: CutoverRunList = {
        runs: await options.runs.list(entity, limit ?? 20),
      };
      res.json(body);
    },
  );

  const runQuerySchema = z
    .object({
      /** Only the events after this id. */
      after: z.coerce.number().int().min(0).optional(),
      /** Wait up to this long (ms) for an event after `after`. */
      waitMs: z.coerce.number().int().min(0).max(25_000).optional(),
      /** … or for the run to change from this version. */
      version: z.coerce.number().int().min(0).optional(),
    })
    .strict();
  const runIdOf = (params: Record<string, string>) =>
    parseInput(
      z.object({ id: z.string().uuid('must be a run id (a UUID)') }),
      { id: params.id },
      'run',
    ).id;
  // The scaffolder too (no other service): a task follows the run it started for longer
  // than its initiator's token lives. Reading a run changes nothing.
  router.get('/cutover-runs/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    if (
      credentials.principal.type === 'service' &&
      credentials.principal.subject !== 'plugin:scaffolder'
    ) {
      throw new NotAllowedError(
        'only users and the scaffolder read cutover runs',
      );
    }
    const query = parseInput(runQuerySchema, req.query, 'query');
    // A viewer who went away stops the long-poll's reads.
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    const view = await options.runs.view(runIdOf(req.params), credentials, {
      afterEventId: query.after,
      waitMs: query.waitMs,
      version: query.version,
      signal: gone.signal,
    });
    if (!gone.signal.aborted) res.json(view);
  });

  // The scaffolder asks (for bluegreen:set-weight and bluegreen:apply) which write a
  // gitops run's step task may make; no one else may.
  router.get('/cutover-runs/:id/pending-write', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    if (credentials.principal.subject !== 'plugin:scaffolder') {
      throw new NotAllowedError(
        "only the scaffolder reads a run's pending write",
      );
    }
    res.json(await options.runs.pendingWrite(runIdOf(req.params), credentials));
  });

  router.post('/cutover-runs/:id/:command', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const { command } = parseInput(
      z.object({ command: z.enum(CUTOVER_RUN_COMMANDS) }),
      { command: req.params.command },
      'command',
    );
    const run = await options.runs.command(
      runIdOf(req.params),
      command,
      req.body,
      credentials,
      req,
    );
    res.json(viewOf(run, []));
  });

  // The scaffolder module's bluegreen:set-weight takes, renews and releases the lease of
  // a record group here, in the plugin's database; only the scaffolder plugin may.
  const scaffolderOnly = async (req: express.Request) => {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    if (credentials.principal.subject !== 'plugin:scaffolder') {
      throw new NotAllowedError('only the scaffolder takes cutover leases');
    }
    return parseInput(leaseRequestSchema, req.body, 'lease request');
  };
  router.post('/leases/acquire', async (req, res) => {
    const lease = await scaffolderOnly(req);
    res.json(
      await options.leases.acquire(
        lease.key,
        { taskId: lease.taskId, user: lease.user ?? 'unknown' },
        (lease.ttlSeconds ?? 60) * 1000,
      ),
    );
  });
  router.post('/leases/renew', async (req, res) => {
    const lease = await scaffolderOnly(req);
    res.json({
      renewed: await options.leases.renew(
        lease.key,
        lease.taskId,
        (lease.ttlSeconds ?? 60) * 1000,
      ),
    });
  });
  router.post('/leases/release', async (req, res) => {
    const lease = await scaffolderOnly(req);
    await options.leases.release(lease.key, lease.taskId);
    res.json({ released: true });
  });

  return router;
}
