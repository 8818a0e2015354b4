import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  CLUSTER_COLOURS,
  CUTOVER_PRESETS,
  CutoverPlan,
  cutoverPlanSchema,
  cutoverPlanStepSchema,
  CutoverRunView,
  formatWeights,
  isActiveRun,
  MAX_PLAN_STEPS,
  MAX_SOAK_SECONDS,
  presetPlan,
  sameWeights,
  weightSplit,
  weightsSchema,
} from '@bluegreen/plugin-bluegreen-common';
import { InputError } from '@backstage/errors';
import { z } from 'zod/v3';
import { CutoverRunsClient } from '../cutover/CutoverRunsClient';
import { parseInput } from '../lib/parseInput';
import { ActionGuard } from '../security/ActionGuard';
import { cutoverChecks } from '../security/permissionChecks';
import { examples } from './cutover.examples';

const PRESET_IDS = CUTOVER_PRESETS.map(p => p.id) as [
  (typeof CUTOVER_PRESETS)[number]['id'],
  ...(typeof CUTOVER_PRESETS)[number]['id'][],
];

const inputSchema = z
  .object({
    entityRef: z
      .string()
      .min(1, 'must not be empty')
      .describe(
        'The catalog entity whose traffic moves (its bluegreen/* annotations, bound by configuration); the initiator needs bluegreen.cutover on it',
      ),
    toward: z
      .enum(CLUSTER_COLOURS)
      .default('green')
      .describe('The cluster gaining traffic (with a preset)'),
    preset: z
      .enum(PRESET_IDS)
      .default('staged')
      .describe(
        `The steps, as the gaining cluster's share: ${CUTOVER_PRESETS.map(
          p => `${p.id} (${p.shares.join(' → ')} %)`,
        ).join(', ')}; ignored when steps are given`,
      ),
    soakSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_SOAK_SECONDS)
      .default(0)
      .describe(
        "Verification time of each preset step beyond the DNS floor (the record's TTL plus the INSYNC wait)",
      ),
    steps: z
      .array(cutoverPlanStepSchema)
      .min(1)
      .max(MAX_PLAN_STEPS)
      .optional()
      .describe('Custom steps (weights and soakSeconds), instead of a preset'),
    expected: weightsSchema
      .optional()
      .describe(
        'The weights the run must start from; it fails, writing nothing, if Route 53 holds others',
      ),
  })
  .strict();

const outputSchema = z.object({
  runId: z.string(),
  status: z.string().describe('completed, rolled-back or failed'),
  weights: z.object({ blue: z.number(), green: z.number() }),
  reason: z.string().optional().describe('Why it rolled back or failed'),
});

export interface CutoverActionOptions {
  /** Authorises the initiator (bluegreen.cutover) and audits the attempt. */
  guard: ActionGuard;
  /** The plugin's run API, called on behalf of the initiator. */
  runs: CutoverRunsClient;
}

/**
 * bluegreen:cutover: starts a staged cutover run in the bluegreen plugin's engine and
 * follows it to its end, each of its events in the task log. The run lives in the
 * plugin (durable, driven by any replica): a task that is resumed follows the run it
 * started instead of starting another, and a cancelled task aborts its run, which then
 * rolls back in stages.
 */
export function createCutoverAction(options: CutoverActionOptions) {
  return createTemplateAction({
    id: 'bluegreen:cutover',
    description:
      "Moves an entity's traffic between its blue and green clusters in verified, staged steps (a preset or custom steps, each held for the DNS floor plus a soak while the clusters are probed) and rolls back in stages by itself when a check fails; follows the run to its end. Needs bluegreen.cutover on the entity.",
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
        'input to bluegreen:cutover',
      );
      const credentials = await ctx.getInitiatorCredentials();
      await options.guard.run(
        {
          action: 'bluegreen:cutover',
          credentials,
          taskId: ctx.task?.id,
          dryRun: Boolean(ctx.isDryRun),
          meta: {
            entityRef: input.entityRef,
            preset: input.steps ? 'custom' : input.preset,
            toward: input.toward,
          },
        },
        cutoverChecks(input.entityRef, false),
        async () => {
          const traffic = await options.runs.traffic(
            credentials,
            input.entityRef,
          );
          const { blue, green } = traffic.weights;
          if (blue === undefined || green === undefined) {
            throw new InputError(
              `entityRef: ${
                traffic.hostname
              } has no weighted record for both clusters (${traffic.problems.join(
                '; ',
              )})`,
            );
          }
          const from = { blue, green };
          if (input.expected && !sameWeights(input.expected, from)) {
            throw new InputError(
              `expected: Route 53 holds ${formatWeights(from)} for ${
                traffic.hostname
              }, not ${formatWeights(input.expected)}`,
            );
          }
          const plan: CutoverPlan = parseInput(
            cutoverPlanSchema,
            input.steps
              ? { from, steps: input.steps }
              : presetPlan(input.preset, from, input.toward, input.soakSeconds),
            'plan (from the preset or steps)',
          );
          ctx.logger.info(
            `Plan for ${traffic.hostname}: ${[
              from,
              ...plan.steps.map(s => s.weights),
            ]
              .map(weightSplit)
              .join(' → ')}`,
          );
          if (ctx.isDryRun) {
            ctx.logger.info(
              'Dry run: no run started; each step would hold for the DNS floor plus its soak while the clusters are probed',
            );
            ctx.output('runId', 'dry-run');
            ctx.output('status', 'dry-run');
            ctx.output('weights', from);
            return;
          }
          // A resumed task follows the run it started rather than starting another.
          const runId = await ctx.checkpoint({
            key: `bluegreen-cutover-${input.entityRef}`,
            fn: async () =>
              (
                await options.runs.start(credentials, input.entityRef, plan)
              ).runId,
          });
          ctx.logger.info(`Started cutover run ${runId}`);
          const run = await follow(options.runs, credentials, runId, ctx);
          ctx.output('runId', runId);
          ctx.output('status', run.status);
          // Built here: the scaffolder takes plain records of its own realm only.
          ctx.output('weights', {
            blue: run.weights.blue,
            green: run.weights.green,
          });
          if (run.reason) {
            ctx.output('reason', run.reason);
          }
          if (run.status !== 'completed') {
            throw new Error(
              `cutover run ${runId} ${run.status} at ${weightSplit(
                run.weights,
              )}: ${run.reason ?? 'no reason recorded'}`,
            );
          }
        },
      );
    },
  });
}

const FOLLOW_ATTEMPTS = 5;

/** One long-poll of the run, tried again a few times: a blip must not end the task. */
async function followOnce(
  runs: CutoverRunsClient,
  runId: string,
  after: number,
  ctx: { logger: { warn(message: string): void } },
): Promise<CutoverRunView> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runs.follow(runId, after);
    } catch (error) {
      if (attempt >= FOLLOW_ATTEMPTS) throw error;
      ctx.logger.warn(
        `Reading run ${runId} failed (${
          (error as Error).message
        }); trying again (${attempt} of ${FOLLOW_ATTEMPTS - 1})`,
      );
      await new Promise(resolve => setTimeout(resolve, 2000 * attempt));
    }
  }
}

/** Logs the run's events as they come until it ends; a cancelled task aborts it. */
async function follow(
  runs: CutoverRunsClient,
  /** The initiator's: an abort acts for them. */
  credentials: Parameters<CutoverRunsClient['abort']>[0],
  runId: string,
  ctx: {
    logger: { info(message: string): void; warn(message: string): void };
    signal?: AbortSignal;
  },
): Promise<CutoverRunView> {
  let after = 0;
  let aborted = false;
  for (;;) {
    if (ctx.signal?.aborted && !aborted) {
      aborted = true;
      ctx.logger.warn(
        'The task was cancelled: aborting the run (it rolls back in stages)',
      );
      try {
        await runs.abort(
          credentials,
          runId,
          'the scaffolder task was cancelled',
        );
      } catch (error) {
        // The abort acts as the initiator, whose token may have expired by now: say so
        // plainly, and end the task; the run goes on until someone aborts it.
        throw new Error(
          `the task was cancelled, but its run ${runId} could not be aborted (${
            (error as Error).message
          }); it goes on: abort it from the card or with POST /api/bluegreen/cutover-runs/${runId}/abort`,
        );
      }
    }
    const run = await followOnce(runs, runId, after, ctx);
    for (const event of run.events) {
      ctx.logger.info(
        `${event.actor === 'engine' ? '' : `${event.actor}: `}${event.message}`,
      );
      after = Math.max(after, event.id);
    }
    if (!isActiveRun(run.status)) {
      return run;
    }
  }
}
