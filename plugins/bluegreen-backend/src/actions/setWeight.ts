import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  createTemplateAction,
  ActionContext,
} from '@backstage/plugin-scaffolder-node';
import {
  ANNOTATION_BLUE_CLUSTER,
  ANNOTATION_GENERATION_REPO,
  ANNOTATION_GREEN_CLUSTER,
  ANNOTATION_HOSTED_ZONE,
  ANNOTATION_HOSTNAME,
  ANNOTATION_RECORD_TYPE,
  CLUSTER_COLOURS,
  CLUSTER_STACKS,
  ClusterColour,
  CUTOVER_MODES,
  formatWeights,
  trafficShares,
  weightSchema,
  Weights,
  weightsSchema,
  WEIGHT_FILE,
} from '@bluegreen/plugin-bluegreen-common';
import { z } from 'zod/v3';
import { redactAwsError, redactAwsMessage } from '../aws/redactAwsError';
import { readStackWeight, writeStackWeight } from '../lib/generationFiles';
import { parseInput } from '../lib/parseInput';
import { resolveStackDirectory } from '../lib/resolveStackDirectory';
import {
  Route53WeightedRecords,
  WeightedRecordGroup,
  WeightsChangedError,
} from '../route53/Route53WeightedRecords';
import { CutoverLeases } from '../cutover/CutoverLeaseClient';
import { holdLease } from '../cutover/holdLease';
import { ActionGuard } from '../security/ActionGuard';
import { cutoverChecks } from '../security/permissionChecks';
import { resolveBoundZone } from '../security/resolveBoundZone';
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
        'route53 mode: change records that external-dns owns (it will revert them unless it is paused); needs bluegreen.cutover.force',
      ),
    insyncTimeoutSeconds: z
      .number()
      .positive()
      .max(3600)
      .default(300)
      .describe('route53 mode: how long to wait for the change to be INSYNC'),
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
type Context = ActionContext<any, any>;

/** The input with everything the entity decides filled in from the entity. */
type SetWeightInput = Omit<
  ParsedInput,
  'hostname' | 'clusters' | 'hostedZone' | 'recordType'
> & {
  target: TrafficTarget;
  hostname: string;
  clusters: Record<ClusterColour, string>;
  recordType: string;
};

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

/** The two clusters' weights in a record group, checked against the generation. */
function clusterWeights(
  group: WeightedRecordGroup,
  clusters: Record<ClusterColour, string>,
): Weights {
  const where = `${group.type} ${group.name} in zone ${group.zone.name} (${group.zone.id})`;
  if (group.records.length === 0) {
    throw new InputError(
      `hostname: there are no weighted ${where} records; create them (external-dns or Terraform) before a cutover`,
    );
  }
  const identifiers = group.records.map(r => r.SetIdentifier!);
  const wanted = CLUSTER_COLOURS.map(colour => clusters[colour]);
  const unexpected = identifiers.filter(id => !wanted.includes(id));
  const missing = wanted.filter(id => !identifiers.includes(id));
  if (unexpected.length > 0 || missing.length > 0) {
    throw new InputError(
      `clusters: the weighted ${where} records have set identifiers [${identifiers.join(
        ', ',
      )}], expected exactly the generation's clusters [${wanted.join(', ')}]`,
    );
  }
  const weightOf = (colour: ClusterColour) =>
    group.records.find(r => r.SetIdentifier === clusters[colour])!.Weight!;
  return { blue: weightOf('blue'), green: weightOf('green') };
}

function sameWeights(a: Weights, b: Weights) {
  return a.blue === b.blue && a.green === b.green;
}

function describeWeights(weights: Weights) {
  const shares = trafficShares(weights);
  return `${formatWeights(weights)} (blue ${shares.blue.toFixed(
    1,
  )}%, green ${shares.green.toFixed(1)}%)`;
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
  const observe = async (input: SetWeightInput) => {
    const records = await options.route53(input.target.zone.accountId);
    const zone = await resolveBoundZone(
      records,
      options.bindings,
      input.target.zone,
      input.hostname,
    );
    const read = async () => {
      const group = await records.readGroup(
        zone,
        input.hostname,
        input.recordType,
      );
      return { group, weights: clusterWeights(group, input.clusters) };
    };
    return { records, zone, read };
  };

  const runRoute53 = async (ctx: Context, input: SetWeightInput) => {
    const { records, zone, read } = await observe(input);
    const { group, weights: current } = await read();
    ctx.logger.info(
      `Route 53 ${input.recordType} ${group.name} in ${
        zone.name
      }: ${describeWeights(current)}`,
    );
    const owners = Object.entries(group.owners);
    if (owners.length > 0 && !input.force) {
      throw new InputError(
        `mode: the records are owned by external-dns (${owners
          .map(([id, owner]) => `${id}: owner ${owner}`)
          .join(
            ', ',
          )}); it would revert a direct Route 53 change within about a minute (its next sync). Use mode gitops to change the weight at its source, or pause external-dns and set force`,
      );
    }
    if (input.expected && !sameWeights(input.expected, current)) {
      throw new ConflictError(
        `changed by someone else: expected ${formatWeights(
          input.expected,
        )}, found ${formatWeights(current)}`,
      );
    }
    if (sameWeights(current, input.weights)) {
      ctx.logger.info('The records already hold these weights; nothing to do');
      ctx.output('previousWeights', current);
      ctx.output('changed', false);
      return;
    }
    if (ctx.isDryRun) {
      ctx.logger.info(
        `Dry run: would change ${formatWeights(current)} to ${formatWeights(
          input.weights,
        )} in one compare-and-swap change batch`,
      );
      ctx.output('previousWeights', current);
      ctx.output('changed', true);
      return;
    }
    let changeId: string;
    try {
      changeId = await records.swapWeights(group, {
        [input.clusters.blue]: input.weights.blue,
        [input.clusters.green]: input.weights.green,
      });
    } catch (error) {
      // The batch may have been applied although the call failed: the SDK retries a
      // request whose response was lost, and the retry then fails as a conflict with
      // our own first attempt. Route 53 itself says what happened.
      const { weights: found } = await read().catch(() => ({
        weights: undefined,
      }));
      if (found && sameWeights(found, input.weights)) {
        ctx.logger.warn(
          `Route 53 answered ${
            (error as Error).name
          } but holds exactly the requested weights: the change was applied (a retried request whose first attempt succeeded, or an identical change); ${describeWeights(
            found,
          )}. Its change id was lost, so INSYNC was not confirmed: resolvers may keep the old answer a little longer than the TTL.`,
        );
        ctx.output('previousWeights', current);
        ctx.output('changed', true);
        return;
      }
      if (found && !sameWeights(found, current)) {
        throw new ConflictError(
          `changed by someone else: expected ${formatWeights(
            current,
          )}, found ${formatWeights(found)}; this change was not applied`,
        );
      }
      if (found && error instanceof WeightsChangedError) {
        throw new ConflictError(
          `Route 53 refused the change batch (${
            error.message
          }) and still holds ${formatWeights(found)}: nothing was changed`,
        );
      }
      // Route 53 still shows the old weights after an error other than a conflict (a
      // timeout, say): a request it received may still be applied.
      throw found
        ? new Error(
            `${(error as Error).message}; Route 53 still holds ${formatWeights(
              found,
            )}, but a change it received may still be applied: check the records before retrying`,
          )
        : new Error(
            `${
              (error as Error).message
            }; Route 53 could not be read afterwards, so whether the change was applied is unknown: check the records before retrying`,
          );
    }
    ctx.logger.info(
      `Route 53 accepted change ${changeId}: ${formatWeights(
        current,
      )} -> ${formatWeights(input.weights)}; waiting for INSYNC`,
    );
    ctx.output('previousWeights', current);
    ctx.output('changeId', changeId);
    ctx.output('changed', true);
    const elapsed = await records
      .waitInsync(changeId, {
        timeoutMs: input.insyncTimeoutSeconds * 1000,
        signal: ctx.signal,
        onPoll: (status, ms) =>
          ctx.logger.info(
            `change ${changeId}: ${status} after ${(ms / 1000).toFixed(1)} s`,
          ),
      })
      .catch(error => {
        if (ctx.signal?.aborted) {
          // A change batch cannot be withdrawn: say what will still happen.
          throw new Error(
            `cancelled while waiting for change ${changeId}; Route 53 had already accepted it and applies it regardless (${formatWeights(
              input.weights,
            )})`,
          );
        }
        throw error;
      });
    const { weights: observed } = await read();
    if (!sameWeights(observed, input.weights)) {
      throw new ConflictError(
        `changed by someone else after change ${changeId} was applied: expected ${formatWeights(
          input.weights,
        )}, found ${formatWeights(observed)}`,
      );
    }
    ctx.logger.info(
      `INSYNC after ${(elapsed / 1000).toFixed(
        1,
      )} s; Route 53 now holds ${describeWeights(
        observed,
      )}. Resolvers may keep the old answer for the record's TTL.`,
    );
  };

  const runGitops = async (ctx: Context, input: SetWeightInput) => {
    if (!input.target.generationRepository) {
      throw new InputError(
        `mode: gitops needs the ${ANNOTATION_GENERATION_REPO} annotation on ${input.target.entityRef} (the generation's repository)`,
      );
    }
    // Every stack is checked before any file is written: all or nothing.
    const current: Partial<Weights> = {};
    for (const colour of CLUSTER_COLOURS) {
      const stack = CLUSTER_STACKS[colour];
      await resolveStackDirectory(ctx.workspacePath, stack, 'mode');
      const found = await readStackWeight(ctx.workspacePath, stack);
      if ('problem' in found) {
        throw new InputError(
          `mode: gitops needs the weight files: ${found.problem}`,
        );
      }
      current[colour] = found.weight;
    }
    const previous = current as Weights;
    // What Route 53 serves decides, not the files of a fresh checkout: a pull request may
    // not be merged, and a route53-mode cutover writes no file.
    let served: Weights;
    try {
      const { read } = await observe(input);
      served = (await read()).weights;
    } catch (error) {
      throw new Error(
        `mode: gitops needs to know what Route 53 serves, to apply the stack gaining weight first, and cannot read it (${redactAwsMessage(
          (error as Error).message,
        )}); nothing was written`,
      );
    }
    ctx.logger.info(`Route 53 before: ${describeWeights(served)}`);
    if (input.expected && !sameWeights(input.expected, served)) {
      throw new ConflictError(
        `changed by someone else: expected ${formatWeights(
          input.expected,
        )}, Route 53 serves ${formatWeights(served)}; nothing was written`,
      );
    }
    // The stack that gains weight is applied first, so that no moment between the two
    // applies has both clusters at 0 (Route 53 would then split traffic equally).
    const gainsFirst = input.weights.green > served.green ? 'green' : 'blue';
    const applyOrder = [
      CLUSTER_STACKS[gainsFirst],
      CLUSTER_STACKS[gainsFirst === 'green' ? 'blue' : 'green'],
    ];
    ctx.output('applyOrder', applyOrder);
    ctx.output('previousWeights', served);
    const files = CLUSTER_COLOURS.map(
      colour => `${CLUSTER_STACKS[colour]}/${WEIGHT_FILE}`,
    );
    if (
      sameWeights(previous, input.weights) &&
      sameWeights(served, input.weights)
    ) {
      ctx.logger.info(
        `The weight files and Route 53 already hold ${formatWeights(
          input.weights,
        )}`,
      );
      ctx.output('changed', false);
      return;
    }
    if (ctx.isDryRun) {
      ctx.logger.info(
        `Dry run: would write ${formatWeights(input.weights)} to ${files.join(
          ', ',
        )}`,
      );
      ctx.output('changed', true);
      return;
    }
    for (const colour of CLUSTER_COLOURS) {
      await writeStackWeight(
        ctx.workspacePath,
        CLUSTER_STACKS[colour],
        input.weights[colour],
      );
    }
    // Changed when Route 53 differs too: files that already hold the target (an unmerged
    // pull request rolled back) still need the applies.
    ctx.output('changed', true);
    ctx.output('files', files);
    ctx.logger.info(
      `Wrote ${files.join(', ')} (they held ${formatWeights(
        previous,
      )}): Route 53 serves ${formatWeights(served)} -> ${describeWeights(
        input.weights,
      )}. Apply ${applyOrder.join(
        ' then ',
      )} (the one gaining weight first) and publish the change to carry it to Route 53.`,
    );
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
        },
        cutoverChecks(parsed.entityRef, parsed.force),
        async () => {
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
          const input: SetWeightInput = {
            ...parsed,
            target,
            hostname: target.hostname,
            clusters: target.clusters,
            recordType: target.recordType,
          };
          ctx.output('mode', input.mode);
          ctx.output('weights', input.weights);
          const change = async () => {
            try {
              if (input.mode === 'route53') {
                await runRoute53(ctx, input);
              } else {
                await runGitops(ctx, input);
              }
            } catch (error) {
              throw redactAwsError(error, options.logger);
            }
          };
          if (ctx.isDryRun) {
            // Reads only: no lease.
            await change();
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
