import { z } from 'zod/v3';
import { ClusterColour } from './annotations';
import {
  formatWeights,
  trafficShares,
  Weights,
  weightsSchema,
} from './weights';

/**
 * One step of a staged cutover: the weights to write, then a hold of the DNS floor plus
 * `soakSeconds` during which the step is verified before the next one.
 * @public
 */
export interface CutoverPlanStep {
  weights: Weights;
  /** Extra verification time after the DNS floor; 0 holds for the floor alone. */
  soakSeconds: number;
}

/**
 * A staged cutover: the weights it starts from and the steps it takes, in order. Its
 * rollback walks the steps already taken back to `from`.
 * @public
 */
export interface CutoverPlan {
  from: Weights;
  steps: CutoverPlanStep[];
}

/**
 * The shortest a hold may be: until resolvers that cached the previous answer have
 * dropped it (the record's effective TTL) after Route 53 has the new one everywhere (the
 * INSYNC wait). Verifying any sooner measures the old split.
 * @public
 */
export interface DnsFloor {
  /** The record's effective TTL (an alias record's is its target's: 60 s for an ELB). */
  ttlSeconds: number;
  /** How long a change takes to be INSYNC (Route 53 says up to 60 s). */
  insyncSeconds: number;
}

/** @public */
export const MAX_PLAN_STEPS = 20;
/** A day: longer soaks belong in separate runs. @public */
export const MAX_SOAK_SECONDS = 86_400;

/**
 * Zod schema of a plan step.
 * @public
 */
export const cutoverPlanStepSchema = z
  .object({
    weights: weightsSchema,
    soakSeconds: z
      .number({ invalid_type_error: 'must be a number' })
      .int('must be a whole number of seconds')
      .min(0, 'must not be negative')
      .max(MAX_SOAK_SECONDS, `must be at most ${MAX_SOAK_SECONDS} (a day)`)
      .default(0),
  })
  .strict();

/**
 * Zod schema of a plan: 1 to MAX_PLAN_STEPS steps, none all-zero, each different from
 * the weights before it (a step that changes nothing would hold for nothing).
 * @public
 */
export const cutoverPlanSchema = z
  .object({
    from: weightsSchema,
    steps: z
      .array(cutoverPlanStepSchema)
      .min(1, 'must have at least one step')
      .max(MAX_PLAN_STEPS, `must have at most ${MAX_PLAN_STEPS} steps`),
  })
  .strict()
  .superRefine((plan, ctx) => {
    plan.steps.forEach((step, index) => {
      const before = index === 0 ? plan.from : plan.steps[index - 1].weights;
      if (sameWeights(step.weights, before)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['steps', index, 'weights'],
          message: `must differ from the weights before it (${formatWeights(
            before,
          )}): a step that changes nothing holds for nothing`,
        });
      }
    });
  });

/** @public */
export function sameWeights(a: Weights, b: Weights): boolean {
  return a.blue === b.blue && a.green === b.green;
}

/**
 * The weights whose pre-flight a plan needs: each cluster at the most it gets at any
 * step, so that every cluster that will serve is checked (the dialog shows what the
 * backend applies).
 * @public
 */
export function preflightWeights(plan: CutoverPlan): Weights {
  return {
    blue: Math.max(...plan.steps.map(s => s.weights.blue)),
    green: Math.max(...plan.steps.map(s => s.weights.green)),
  };
}

/** The DNS floor in seconds. @public */
export function dnsFloorSeconds(floor: DnsFloor): number {
  return floor.ttlSeconds + floor.insyncSeconds;
}

/** How long a step holds: never shorter than the DNS floor. @public */
export function holdSeconds(step: CutoverPlanStep, floor: DnsFloor): number {
  return dnsFloorSeconds(floor) + step.soakSeconds;
}

/** The plan's expected duration if every step verifies: the sum of its holds. @public */
export function planDurationSeconds(
  plan: CutoverPlan,
  floor: DnsFloor,
): number {
  return plan.steps.reduce((sum, step) => sum + holdSeconds(step, floor), 0);
}

/**
 * The dialog's presets, as the gaining cluster's share in percent at each step.
 * @public
 */
export const CUTOVER_PRESETS = [
  { id: 'staged', label: 'Staged: 10 % → 50 % → 100 %', shares: [10, 50, 100] },
  {
    id: 'canary',
    label: 'Canary 1 %: 1 % → 10 % → 50 % → 100 %',
    shares: [1, 10, 50, 100],
  },
  { id: 'direct', label: 'Direct: 100 % in one step', shares: [100] },
] as const;

/** @public */
export type CutoverPresetId = (typeof CUTOVER_PRESETS)[number]['id'];

/**
 * A preset as a plan from `from` moving traffic to `toward`: at each step the gaining
 * cluster's weight is its share and the other's the rest of 100 (blue 90 / green 10,
 * ...), every step with `soakSeconds`.
 * @public
 */
export function presetPlan(
  presetId: CutoverPresetId,
  from: Weights,
  toward: ClusterColour,
  soakSeconds = 0,
): CutoverPlan {
  const preset = CUTOVER_PRESETS.find(p => p.id === presetId);
  if (!preset) {
    throw new Error(`no cutover preset '${presetId}'`);
  }
  return sharesPlan(preset.shares, from, toward, soakSeconds);
}

/**
 * A plan from `from` through the gaining cluster's `shares` (percent, e.g. 5, 25, 100):
 * at each step `toward` weighs its share and the other cluster the rest of 100. Shares
 * at or below what `toward` has already are skipped: the plan only moves toward it.
 * @public
 */
export function sharesPlan(
  shares: readonly number[],
  from: Weights,
  toward: ClusterColour,
  soakSeconds = 0,
): CutoverPlan {
  const other: ClusterColour = toward === 'blue' ? 'green' : 'blue';
  const already = trafficShares(from)[toward];
  const steps = shares
    .filter(share => share > already)
    .map(share => ({
      weights: { [toward]: share, [other]: 100 - share } as Weights,
      soakSeconds,
    }));
  return { from, steps };
}

/**
 * The way back once steps 0..`reached` have been applied (-1: none): through the weights
 * of each step taken before, in reverse, to `plan.from`, each step holding as the step it
 * returns to did (the start holds for the floor alone); a path that passed through the
 * start stops there. `immediate` goes straight to `plan.from` in one step. Empty when
 * nothing was applied or the weights are back at the start.
 * @public
 */
export function rollbackSteps(
  plan: CutoverPlan,
  reached: number,
  options: { immediate?: boolean } = {},
): CutoverPlanStep[] {
  if (reached < 0) {
    return [];
  }
  if (reached >= plan.steps.length) {
    throw new Error(
      `step ${reached} was reached, but the plan has ${plan.steps.length} steps`,
    );
  }
  if (sameWeights(plan.steps[reached].weights, plan.from)) {
    return []; // already back where it started
  }
  const start = { weights: plan.from, soakSeconds: 0 };
  if (options.immediate) {
    return [start];
  }
  const back = plan.steps.slice(0, reached).reverse();
  // A plan that passed through its start comes back no further than that.
  const home = back.findIndex(step => sameWeights(step.weights, plan.from));
  return [...(home < 0 ? back : back.slice(0, home)), start];
}
