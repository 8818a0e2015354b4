import crypto from 'node:crypto';
import {
  AuditorService,
  BackstageCredentials,
  BackstageUserPrincipal,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { Request } from 'express';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { JsonObject } from '@backstage/types';
import {
  bluegreenApplyPermission,
  bluegreenCutoverPermission,
  CutoverRunCommand,
  CutoverRunCommandRequest,
  cutoverRunCommandSchema,
  CutoverRunView,
  DnsFloor,
  ELB_ALIAS_TTL_SECONDS,
  formatWeights,
  preflightInputOf,
  preflightWeights,
  probeThresholdOverrides,
  stagedCutoverRequestSchema,
  TrafficStatus,
} from '@bluegreen/plugin-bluegreen-common';
import {
  CutoverRunEvent,
  CutoverRunRecord,
  CutoverRunStore,
} from '../../database/CutoverRunStore';
import {
  leaseHeldError,
  leaseKey,
  LeaseStore,
} from '../../database/LeaseStore';
import {
  cutoverChecks,
  deniedChecks,
  PermissionCheck,
} from '../../security/permissionChecks';
import { Generations } from '../../security/Generations';
import { TrafficTargets } from '../../security/TrafficTargets';
import { CutoverService } from '../CutoverService';
import { CutoverEngine } from './CutoverEngine';
import { runLeaseHolder } from './DatabaseRunLease';
import {
  holdLeftMs,
  initialRunState,
  isTerminal,
  RunRefusal,
  writeInFlight,
} from './runState';
import { DelegatedWrite } from '../CutoverRunsClient';
import { parseInput } from '../../lib/parseInput';

/** How the DNS floor of a run is set: INSYNC from config, the TTL from the record. */
export interface DnsFloorSettings {
  insyncSeconds: number;
  /** Overrides the record's effective TTL (the sandbox's scaled-down benchmarks). */
  ttlSeconds?: number;
}

/** The user behind credentials, or a refusal: runs are started and steered by people. */
function userOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as Partial<BackstageUserPrincipal>;
  if (principal.type !== 'user' || !principal.userEntityRef) {
    throw new NotAllowedError(
      'staged cutovers are started and steered by signed-in users',
    );
  }
  return principal.userEntityRef;
}

/**
 * Staged cutover runs as users see them: start (authorised, audited, under the record's
 * lease, pre-flighted), read, list and steer. Every way in (the REST routes, the
 * bluegreen:cutover action through them) comes here, so every one is checked here.
 */
export class CutoverRuns {
  constructor(
    private readonly options: {
      store: CutoverRunStore;
      engine: CutoverEngine;
      /** Ticks the engine at once, so a new step does not wait for the schedule. */
      kick: () => void;
      leases: LeaseStore;
      leaseTtlMs: number;
      targets: TrafficTargets;
      status: (entity: Entity) => Promise<TrafficStatus>;
      cutover: CutoverService;
      catalog: CatalogService;
      permissions: PermissionsService;
      auditor: AuditorService;
      floor: DnsFloorSettings;
      logger: LoggerService;
    },
  ) {}

  /** `body` is the request's, validated here so that a refused one is audited too. */
  async start(request: {
    entityRef: string;
    body: unknown;
    credentials: BackstageCredentials;
    httpRequest?: Request;
  }): Promise<CutoverRunRecord> {
    const { entityRef, credentials } = request;
    const audit = await this.options.auditor.createEvent({
      eventId: 'cutover-run',
      severityLevel: 'high',
      request: request.httpRequest,
      meta: { action: 'start', entityRef },
    });
    try {
      const user = userOf(credentials);
      const { plan, mode: requestedMode } = parseInput(
        stagedCutoverRequestSchema,
        request.body,
        'staged cutover',
      );
      await this.authorize(entityRef, credentials, 'start a staged cutover of');
      const entity = await this.options.catalog.getEntityByRef(entityRef, {
        credentials,
      });
      if (!entity) {
        throw new NotFoundError(`${entityRef} was not found`);
      }
      const target = await this.options.targets.forCutover(entity);
      // A malformed threshold annotation would fail the first hold: refused up front.
      const thresholds = probeThresholdOverrides(entity);
      if ('problem' in thresholds) {
        throw new InputError(thresholds.problem);
      }
      const key = leaseKey(
        target.zone.zone,
        target.hostname,
        target.recordType,
      );
      // Named up front: while another cutover runs, Route 53 holds what it wrote, and
      // "the plan starts from other weights" would hide who is cutting over.
      const holder = await this.options.leases.holder(key);
      if (holder) {
        throw leaseHeldError(target.hostname, holder);
      }
      const current = await this.options.status(entity);
      const mode = requestedMode ?? current.mode;
      if (mode === 'gitops') {
        await this.authorizeGitops(entity, credentials);
      }
      // route53-mode runs write the records themselves: never records external-dns owns.
      this.options.cutover.assertMode(
        mode,
        target,
        Object.fromEntries(
          current.records
            .filter(r => r.externalDnsOwner)
            .map(r => [r.setIdentifier, r.externalDnsOwner!]),
        ),
        false,
      );
      if (
        current.weights.blue !== plan.from.blue ||
        current.weights.green !== plan.from.green
      ) {
        throw new ConflictError(
          `plan.from: the plan starts from ${formatWeights(
            plan.from,
          )}, but Route 53 holds blue ${
            current.weights.blue ?? 'none'
          } / green ${current.weights.green ?? 'none'} for ${
            target.hostname
          }; reload and plan again`,
        );
      }
      this.options.cutover.requirePassed(
        await this.options.cutover.preflight({
          entity,
          target,
          input: preflightInputOf(current),
          weights: preflightWeights(plan),
          credentials,
        }),
        false,
        this.options.logger,
      );
      const id = crypto.randomUUID();
      const lease = await this.options.leases.acquire(
        key,
        { taskId: runLeaseHolder(id), user },
        this.options.leaseTtlMs,
      );
      if (!lease.acquired) {
        throw leaseHeldError(target.hostname, lease.holder);
      }
      let run: CutoverRunRecord;
      try {
        run = await this.options.store.create({
          id,
          entityRef: stringifyEntityRef(entity),
          leaseKey: key,
          mode,
          plan,
          floor: this.floorOf(current),
          state: initialRunState(plan),
          startedBy: user,
        });
      } catch (error) {
        await this.options.leases.release(key, runLeaseHolder(id));
        throw error;
      }
      await audit.success({
        meta: {
          runId: run.id,
          user,
          mode,
          plan: plan as unknown as JsonObject,
        },
      });
      this.options.kick();
      return run;
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  }

  /** The DNS floor a run of this record holds each step for. */
  floorOf(status: TrafficStatus): DnsFloor {
    return {
      ttlSeconds:
        this.options.floor.ttlSeconds ??
        status.effectiveTtlSeconds ??
        ELB_ALIAS_TTL_SECONDS,
      insyncSeconds: this.options.floor.insyncSeconds,
    };
  }

  /** A run, if the caller may read its entity. */
  async get(
    runId: string,
    credentials: BackstageCredentials,
  ): Promise<CutoverRunRecord> {
    const run = await this.options.store.get(runId);
    // The same answer for a run that does not exist and one of an entity the caller
    // cannot see.
    if (
      !run ||
      !(await this.options.catalog.getEntityByRef(run.entityRef, {
        credentials,
      }))
    ) {
      throw new NotFoundError(`no cutover run ${runId}`);
    }
    return run;
  }

  /**
   * The run with its events after `afterEventId`; with `waitMs`, answers as soon as there
   * are new events or the run is no longer at `version` (a new verification), or the wait
   * is over, so that the card follows the run rather than a slow poll.
   */
  async view(
    runId: string,
    credentials: BackstageCredentials,
    options: {
      afterEventId?: number;
      waitMs?: number;
      version?: number;
      /** Ends the wait at once (the caller went away). */
      signal?: AbortSignal;
    } = {},
  ): Promise<CutoverRunView> {
    await this.get(runId, credentials);
    const deadline = Date.now() + (options.waitMs ?? 0);
    // Every saved change (an event's too) moves the version: with one to compare, each
    // poll is that one small read; without, the events are what is waited for.
    const moved = async () =>
      options.version !== undefined
        ? (await this.options.store.version(runId)) !== options.version
        : (await this.options.store.events(runId, options.afterEventId))
            .length > 0;
    while (
      !(await moved()) &&
      Date.now() < deadline &&
      !options.signal?.aborted
    ) {
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    const events = await this.options.store.events(runId, options.afterEventId);
    // Read after the events: events saved between the two reads come next time.
    const run = await this.options.store.get(runId);
    if (!run) throw new NotFoundError(`no cutover run ${runId}`);
    return viewOf(run, events);
  }

  /**
   * The write a gitops run waits for now, which its step task may make (the scaffolder
   * asks, for set-weight and apply): refused (409) when the run waits for none.
   */
  async pendingWrite(
    runId: string,
    credentials: BackstageCredentials,
  ): Promise<DelegatedWrite> {
    const run = await this.options.store.get(runId);
    if (!run) throw new NotFoundError(`no cutover run ${runId}`);
    const write =
      run.mode === 'gitops' ? writeInFlight(run.plan, run.state) : undefined;
    if (!write) {
      throw new ConflictError(
        `cutover run ${runId} (${run.mode} mode, ${run.state.status}) waits for no write`,
      );
    }
    const entity = await this.options.catalog.getEntityByRef(run.entityRef, {
      credentials,
    });
    if (!entity) throw new NotFoundError(`${run.entityRef} was not found`);
    const generation = Generations.ofService(entity);
    return {
      runId,
      entityRef: run.entityRef,
      ...(generation && { generation }),
      startedBy: run.startedBy,
      leaseKey: run.leaseKey,
      ...write,
    };
  }

  /** An entity's runs, newest first, each with its events. */
  async list(entity: Entity, limit: number): Promise<CutoverRunView[]> {
    const runs = await this.options.store.listByEntity(
      stringifyEntityRef(entity),
      limit,
    );
    return Promise.all(
      runs.map(async run =>
        viewOf(run, await this.options.store.events(run.id)),
      ),
    );
  }

  /** Pause, resume or abort, authorised (bluegreen.cutover on the run's entity) and audited. */
  async command(
    runId: string,
    command: CutoverRunCommand,
    rawBody: unknown,
    credentials: BackstageCredentials,
    httpRequest?: Request,
  ): Promise<CutoverRunRecord> {
    const audit = await this.options.auditor.createEvent({
      eventId: 'cutover-run',
      severityLevel: 'high',
      request: httpRequest,
      meta: { action: command, runId },
    });
    try {
      const user = userOf(credentials);
      const body: CutoverRunCommandRequest = parseInput(
        cutoverRunCommandSchema,
        rawBody ?? {},
        'command',
      );
      if (body.immediate !== undefined && command !== 'abort') {
        throw new InputError(
          'Invalid command: immediate: only abort goes back in one step',
        );
      }
      const run = await this.get(runId, credentials);
      await this.authorize(
        run.entityRef,
        credentials,
        `${command} the cutover of`,
      );
      const now = Date.now();
      const input =
        command === 'abort'
          ? {
              type: 'abort' as const,
              now,
              immediate: body.immediate,
              reason: body.reason,
            }
          : { type: command, now };
      let saved: CutoverRunRecord;
      try {
        saved = await this.options.engine.command(runId, input, user);
      } catch (error) {
        // The state machine refuses commands on a run that has ended, and a pause of a
        // rollback.
        if (!(error instanceof RunRefusal)) throw error;
        if (isTerminal((await this.options.store.get(runId))!.state)) {
          throw new ConflictError(`cutover run ${runId} has ended`);
        }
        throw new ConflictError(`cutover run ${runId}: ${error.message}`);
      }
      await audit.success({
        meta: { entityRef: run.entityRef, user, ...body },
      });
      this.options.kick();
      return saved;
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  }

  /**
   * A gitops run's steps apply the generation's stacks with changed weight files, as the
   * plugin on the starter's behalf: the starter must be allowed to do that themselves.
   */
  private async authorizeGitops(
    entity: Entity,
    credentials: BackstageCredentials,
  ) {
    const generation = Generations.ofService(entity);
    if (!generation) {
      throw new InputError(
        `mode: gitops applies the generation's stacks, and ${stringifyEntityRef(
          entity,
        )} names no generation (spec.system)`,
      );
    }
    await this.authorize(
      generation,
      credentials,
      'apply the weight files of a staged cutover to',
      [
        { permission: bluegreenApplyPermission, entityRef: generation },
        { permission: bluegreenCutoverPermission, entityRef: generation },
      ],
    );
  }

  private async authorize(
    entityRef: string,
    credentials: BackstageCredentials,
    what: string,
    checks: PermissionCheck[] = cutoverChecks(entityRef, false),
  ) {
    const denied = await deniedChecks(
      this.options.permissions,
      checks,
      credentials,
    );
    if (denied.length > 0) {
      throw new NotAllowedError(
        `not allowed to ${what} ${entityRef} (permission ${denied
          .map(c => c.permission.name)
          .join(', ')})`,
      );
    }
  }
}

/** A run as the API answers it. */
export function viewOf(
  run: CutoverRunRecord,
  events: CutoverRunEvent[],
  now = Date.now(),
): CutoverRunView {
  const { state } = run;
  const left = holdLeftMs(run.plan, run.floor, state, now);
  return {
    id: run.id,
    version: run.version,
    entityRef: run.entityRef,
    mode: run.mode,
    plan: run.plan,
    floor: run.floor,
    status: state.status,
    phase: state.phase,
    stepIndex: state.stepIndex,
    rollback: state.rollback,
    reached: state.reached,
    weights: state.weights,
    writing: state.writingSince !== undefined && state.appliedAt === undefined,
    ...(left !== undefined && { holdLeftMs: left }),
    ...(state.reason && { reason: state.reason }),
    ...(state.verification && { verification: state.verification }),
    startedBy: run.startedBy,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    events: events.map(({ id, at, actor, message }) => ({
      id,
      at,
      actor,
      message,
    })),
  };
}
