import { ConflictError, InputError } from '@backstage/errors';
import {
  createTemplateAction,
  ActionContext,
} from '@backstage/plugin-scaffolder-node';
import {
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
import { readStackWeight, writeStackWeight } from '../lib/generationFiles';
import { parseInput } from '../lib/parseInput';
import { resolveStackDirectory } from '../lib/resolveStackDirectory';
import {
  Route53WeightedRecords,
  WeightedRecordGroup,
  WeightsChangedError,
} from '../route53/Route53WeightedRecords';
import { examples } from './setWeight.examples';

const DNS_NAME =
  /^(?=.{1,253}\.?$)([a-z0-9_]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/;

const inputSchema = z
  .object({
    hostname: z
      .string()
      .transform(name => name.toLowerCase())
      .refine(name => DNS_NAME.test(name), {
        message:
          'must be a DNS name (labels of letters, digits and hyphens separated by dots)',
      })
      .describe('The DNS name whose weighted records split the traffic'),
    clusters: z
      .object({
        blue: z.string().min(1, 'must not be empty'),
        green: z.string().min(1, 'must not be empty'),
      })
      .strict()
      .refine(c => c.blue !== c.green, {
        message: 'blue and green must be different clusters',
      })
      .describe(
        "The two clusters' names, which are the records' set identifiers",
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
      .min(1)
      .optional()
      .describe(
        'The hosted zone (id or name); required in route53 mode. Default: the most specific public zone of the hostname',
      ),
    recordType: z
      .enum(['A', 'AAAA', 'CNAME'])
      .default('A')
      .describe('The type of the weighted records (default A)'),
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
        'route53 mode: change records that external-dns owns (it will revert them unless it is paused)',
      ),
    insyncTimeoutSeconds: z
      .number()
      .positive()
      .max(3600)
      .default(300)
      .describe('route53 mode: how long to wait for the change to be INSYNC'),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.mode === 'route53' && !input.hostedZone) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['hostedZone'],
        message: 'is required in route53 mode',
      });
    }
  });

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
});

type SetWeightInput = z.output<typeof inputSchema>;
type Context = ActionContext<any, any>;

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
  /** Route 53 for this action; resolved lazily so gitops runs without AWS need none. */
  route53: () => Promise<Route53WeightedRecords>;
}

/**
 * bluegreen:set-weight: moves traffic between a generation's clusters, either at the
 * source (GitOps) or directly in Route 53 with a compare-and-swap change batch.
 */
export function createSetWeightAction(options: SetWeightActionOptions) {
  const observe = async (input: SetWeightInput) => {
    const records = await options.route53();
    const zone = await records.resolveZone(input.hostname, input.hostedZone);
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
      if (error instanceof WeightsChangedError) {
        const { weights: found } = await read();
        throw new ConflictError(
          `changed by someone else: expected ${formatWeights(
            current,
          )}, found ${formatWeights(found)}; nothing was changed`,
        );
      }
      throw error;
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
    if (input.expected && !sameWeights(input.expected, previous)) {
      throw new ConflictError(
        `changed by someone else: expected ${formatWeights(
          input.expected,
        )}, found ${formatWeights(previous)} in the weight files`,
      );
    }
    const logRoute53 = async (when: string) => {
      if (!input.hostedZone) {
        return;
      }
      try {
        const { read } = await observe(input);
        const { weights } = await read();
        ctx.logger.info(`Route 53 ${when}: ${describeWeights(weights)}`);
      } catch (error) {
        // Observation only: the change is made through the files, not Route 53.
        ctx.logger.warn(
          `Could not read the weights in Route 53 ${when}: ${
            (error as Error).message
          }`,
        );
      }
    };
    await logRoute53('before');
    ctx.output('previousWeights', previous);
    const files = CLUSTER_COLOURS.map(
      colour => `${CLUSTER_STACKS[colour]}/${WEIGHT_FILE}`,
    );
    if (sameWeights(previous, input.weights)) {
      ctx.logger.info(
        `The weight files already hold ${formatWeights(input.weights)}`,
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
    ctx.output('changed', true);
    ctx.output('files', files);
    ctx.logger.info(
      `Wrote ${files.join(', ')}: ${formatWeights(
        previous,
      )} -> ${describeWeights(
        input.weights,
      )}. Apply both cluster stacks and publish the change to carry it to Route 53.`,
    );
    await logRoute53('after writing (unchanged until the stacks are applied)');
  };

  return createTemplateAction({
    id: 'bluegreen:set-weight',
    description:
      "Sets the blue and green clusters' Route 53 weights of a hostname: in the cluster stacks' weight files (gitops, default) or directly with one compare-and-swap change batch (route53), refusing all-zero weights and records external-dns owns.",
    examples,
    supportsDryRun: true,
    schema: {
      input: () => inputSchema,
      output: () => outputSchema,
    },
    async handler(ctx) {
      const input = parseInput(
        inputSchema,
        ctx.input,
        'input to bluegreen:set-weight',
      );
      ctx.output('mode', input.mode);
      ctx.output('weights', input.weights);
      if (input.mode === 'route53') {
        await runRoute53(ctx, input);
      } else {
        await runGitops(ctx, input);
      }
    },
  });
}
