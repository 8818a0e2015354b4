import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ANNOTATION_BLUE_CLUSTER,
  ANNOTATION_GREEN_CLUSTER,
  ANNOTATION_HOSTED_ZONE,
  ANNOTATION_HOSTNAME,
  ANNOTATION_RECORD_TYPE,
  CLUSTER_COLOURS,
  CUTOVER_MODES,
  CutoverMode,
  weightSchema,
  weightsSchema,
} from '@bluegreen/plugin-bluegreen-common';
import { z } from 'zod/v3';
import { redactAwsError } from '../aws/redactAwsError';
import { CutoverLeases } from '../cutover/CutoverLeaseClient';
import { DelegatedWrite } from '../cutover/CutoverRunsClient';
import { runLeaseHolder } from '../cutover/engine/DatabaseRunLease';
import { leaseKey } from '../database/LeaseStore';
import { requireDelegated } from '../security/delegatedWrite';
import { CutoverService } from '../cutover/CutoverService';
import { GitopsWeightWriter } from '../cutover/GitopsWeightWriter';
import { holdLease } from '../cutover/holdLease';
import { Route53WeightWriter } from '../cutover/Route53WeightWriter';
import { WeightWriter } from '../cutover/WeightWriter';
import { parseInput } from '../lib/parseInput';
import { Route53WeightedRecords } from '../route53/Route53WeightedRecords';
import { ActionGuard } from '../security/ActionGuard';
import { cutoverChecks } from '../security/permissionChecks';
import { canonicalName, TrafficBindings } from '../security/TrafficBindings';
import { TrafficTarget, TrafficTargets } from '../security/TrafficTargets';
import { examples } from './setWeight.examples';

const inputSchema = z
  .object({
    entityRef: z
      .string()
      .min(1, 'must not be empty')
      .describe(
        'The catalog entity whose traffic moves (its bluegreen/* annotations, bound by bluegreen.traffic.hostedZones, name the records, the clusters and the zone); the initiator needs bluegreen.cutover on it',
      ),
    hostname: z
      .string()
      .optional()
      .describe(
        "Optional: the entity's bluegreen/hostname; refused when it disagrees",
      ),
    clusters: z
      .object({ blue: z.string(), green: z.string() })
      .strict()
      .optional()
      .describe(
        "Optional: the entity's blue and green clusters (set identifiers); refused when they disagree",
      ),
    weights: weightsSchema.describe(
      'The new weight (0-255) of each cluster; never both 0',
    ),
    mode: z
      .enum(CUTOVER_MODES)
      .default('gitops')
      .describe(
        "gitops (default): write the cluster stacks' weight files in the workspace; route53: change the records directly",
      ),
    hostedZone: z
      .string()
      .optional()
      .describe(
        "Optional: the entity's bluegreen/hosted-zone; refused when it disagrees",
      ),
    recordType: z
      .enum(['A', 'AAAA', 'CNAME'])
      .optional()
      .describe(
        "Optional: the entity's bluegreen/record-type (default A); refused when it disagrees",
      ),
    expected: z
      .object({ blue: weightSchema, green: weightSchema })
      .strict()
      .optional()
      .describe(
        'The weights the caller expects to find; anything else fails as changed by someone else',
      ),
    force: z
      .boolean()
      .default(false)
      .describe(
        'Override failed pre-flight checks (logged) and, in route53 mode, change records that external-dns owns (it reverts them unless it is paused); needs bluegreen.cutover.force',
      ),
    insyncTimeoutSeconds: z
      .number()
      .positive()
      .max(3600)
      .default(300)
      .describe('route53 mode: how long to wait for the change to be INSYNC'),
    runId: z
      .string()
      .uuid('must be a cutover run id (a UUID)')
      .optional()
      .describe(
        "Set only by a gitops-mode staged cutover's step task, which the bluegreen plugin starts itself: it may make exactly the run's pending write, under the run's lease. Refused from anyone else",
      ),
  })
  .strict();

const outputSchema = z.object({
  mode: z.enum(CUTOVER_MODES),
  previousWeights: z
    .object({ blue: z.number(), green: z.number() })
    .describe('The weights found before the change'),
  weights: z.object({ blue: z.number(), green: z.number() }),
  changed: z
    .boolean()
    .describe(
      'False when the weights were already set (in a dry run: whether they would change)',
    ),
  changeId: z.string().optional().describe('route53 mode: the Route 53 change'),
  files: z
    .array(z.string())
    .optional()
    .describe('gitops mode: the weight files written'),
  applyOrder: z
    .array(z.string())
    .optional()
    .describe(
      'gitops mode: the cluster stacks in the order to apply them, the one gaining weight first',
    ),
});

type ParsedInput = z.output<typeof inputSchema>;

/**
 * Refuses input that names other records, clusters or zones than the entity: the entity
 * (bound by configuration) decides what a cutover touches, never the template.
 */
function checkAgainstEntity(input: ParsedInput, target: TrafficTarget) {
  const disagree = (
    field: string,
    given: string,
    annotation: string,
    value: string,
  ) =>
    new InputError(
      `${field}: "${given}" disagrees with ${annotation} "${value}" of ${target.entityRef}; set-weight takes it from the entity (leave ${field} out)`,
    );
  if (
    input.hostname !== undefined &&
    canonicalName(input.hostname) !== target.hostname
  ) {
    throw disagree(
      'hostname',
      input.hostname,
      ANNOTATION_HOSTNAME,
      target.hostname,
    );
  }
  for (const colour of CLUSTER_COLOURS) {
    const given = input.clusters?.[colour];
    if (given !== undefined && given !== target.clusters[colour]) {
      throw disagree(
        `clusters.${colour}`,
        given,
        colour === 'blue' ? ANNOTATION_BLUE_CLUSTER : ANNOTATION_GREEN_CLUSTER,
        target.clusters[colour],
      );
    }
  }
  if (input.hostedZone !== undefined) {
    const given = canonicalName(
      input.hostedZone.replace(/^\/hostedzone\//, ''),
    );
    if (given.toLowerCase() !== target.zone.zone.toLowerCase()) {
      throw disagree(
        'hostedZone',
        input.hostedZone,
        ANNOTATION_HOSTED_ZONE,
        target.zone.zone,
      );
    }
  }
  if (
    input.recordType !== undefined &&
    input.recordType !== target.recordType
  ) {
    throw disagree(
      'recordType',
      input.recordType,
      ANNOTATION_RECORD_TYPE,
      target.recordType,
    );
  }
}

/** A staged run's step makes exactly the run's pending write (ActionGuard's delegation). */
function matchesPendingWrite(input: ParsedInput, write: DelegatedWrite) {
  const entityRef = stringifyEntityRef(
    parseEntityRef(input.entityRef, { defaultKind: 'component' }),
  );
  requireDelegated(write, 'entityRef', entityRef, write.entityRef);
  requireDelegated(write, 'mode', input.mode, 'gitops');
  requireDelegated(write, 'force', input.force, false);
  requireDelegated(write, 'weights', input.weights, write.weights);
  requireDelegated(write, 'expected', input.expected, write.expected);
}

/**
 * A staged run holds its record group's lease from start to end (its engine renews it
 * while the step runs): its step task checks the lease is still the run's, and leaves it.
 */
async function underRunLease(
  options: SetWeightActionOptions,
  target: TrafficTarget,
  write: DelegatedWrite,
  work: () => Promise<void>,
) {
  const key = leaseKey(target.zone.zone, target.hostname, target.recordType);
  requireDelegated(write, 'entityRef (its records)', key, write.leaseKey);
  if (
    !(await options.leases.renew(
      key,
      runLeaseHolder(write.runId),
      options.leaseSeconds ?? 60,
    ))
  ) {
    throw new ConflictError(
      `cutover run ${write.runId} no longer holds the lease of ${target.hostname}; nothing was written`,
    );
  }
  await work();
}

export interface SetWeightActionOptions {
  /**
   * Route 53 for a zone's configured account; resolved lazily so gitops runs without
   * AWS need none.
   */
  route53: (accountId?: string) => Promise<Route53WeightedRecords>;
  catalog: CatalogService;
  /** Authorises the initiator (bluegreen.cutover, .force) and audits the attempt. */
  guard: ActionGuard;
  /** Binds the entity's annotations to the configured zones and repositories. */
  targets: TrafficTargets;
  bindings: TrafficBindings;
  /** The cutover rules (mode, pre-flight) the cutover route applies too. */
  cutover: CutoverService;
  logger: LoggerService;
  /** One cutover per record group at a time, across replicas. */
  leases: CutoverLeases;
  /** How long a lease lasts without renewal (a crashed holder's lapses). Default 60. */
  leaseSeconds?: number;
}

/**
 * bluegreen:set-weight: moves traffic between a generation's clusters, either at the
 * source (GitOps) or directly in Route 53 with a compare-and-swap change batch.
 */
export function createSetWeightAction(options: SetWeightActionOptions) {
  const writers: Record<CutoverMode, WeightWriter> = {
    route53: new Route53WeightWriter(options),
    gitops: new GitopsWeightWriter(options),
  };

  return createTemplateAction({
    id: 'bluegreen:set-weight',
    description:
      "Sets the blue and green clusters' Route 53 weights of an entity's hostname: in the cluster stacks' weight files (gitops, default) or directly with one compare-and-swap change batch (route53), refusing all-zero weights and records external-dns owns. Needs bluegreen.cutover on the entity (and bluegreen.cutover.force with force).",
    examples,
    supportsDryRun: true,
    schema: {
      input: () => inputSchema,
      output: () => outputSchema,
    },
    async handler(ctx) {
      const parsed = parseInput(
        inputSchema,
        ctx.input,
        'input to bluegreen:set-weight',
      );
      const credentials = await ctx.getInitiatorCredentials();
      await options.guard.run(
        {
          action: 'bluegreen:set-weight',
          credentials,
          taskId: ctx.task?.id,
          dryRun: Boolean(ctx.isDryRun),
          meta: {
            entityRef: parsed.entityRef,
            weights: parsed.weights,
            mode: parsed.mode,
            force: parsed.force,
            ...(parsed.expected && { expected: parsed.expected }),
          },
          ...(parsed.runId && {
            delegated: {
              runId: parsed.runId,
              matches: write => matchesPendingWrite(parsed, write),
            },
          }),
        },
        cutoverChecks(parsed.entityRef, parsed.force),
        async delegated => {
          const entity = await options.catalog.getEntityByRef(
            parsed.entityRef,
            { credentials },
          );
          if (!entity) {
            throw new NotFoundError(
              `entityRef: ${parsed.entityRef} was not found`,
            );
          }
          const target = await options.targets.forCutover(entity);
          checkAgainstEntity(parsed, target);
          const input = parsed;
          ctx.output('mode', input.mode);
          ctx.output('weights', input.weights);
          const log = {
            info: (message: string) => ctx.logger.info(message),
            warn: (message: string) => ctx.logger.warn(message),
          };
          const change = async () => {
            try {
              await writers[input.mode].write(
                {
                  log,
                  dryRun: Boolean(ctx.isDryRun),
                  signal: ctx.signal,
                  workspacePath: ctx.workspacePath,
                  output: (name, value) =>
                    ctx.output(name as any, value as any),
                  checkpoint: (key, fn) => ctx.checkpoint({ key, fn }),
                },
                {
                  target,
                  weights: input.weights,
                  expected: input.expected,
                  force: input.force,
                  applyAlways: Boolean(delegated),
                  insyncTimeoutSeconds: input.insyncTimeoutSeconds,
                  // The same pre-flight as the cutover route, on what Route 53 holds now;
                  // a staged run's step had it at the run's start, and its holds verify.
                  beforeWrite: async group => {
                    if (delegated) return;
                    const checks = await options.cutover.preflight({
                      entity,
                      target,
                      input: await options.cutover.inputOf(target, group),
                      weights: input.weights,
                      credentials,
                    });
                    options.cutover.requirePassed(checks, input.force, log);
                  },
                },
              );
            } catch (error) {
              throw redactAwsError(error, options.logger);
            }
          };
          if (ctx.isDryRun) {
            // Reads only: no lease.
            await change();
            return;
          }
          if (delegated) {
            await underRunLease(options, target, delegated, change);
            return;
          }
          const principal = credentials.principal as { userEntityRef?: string };
          await holdLease(
            options.leases,
            target,
            {
              taskId: ctx.task.id,
              user: principal.userEntityRef ?? 'unknown',
            },
            options.leaseSeconds ?? 60,
            change,
          );
        },
      );
    },
  });
}
