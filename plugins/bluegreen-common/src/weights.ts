import { z } from 'zod/v3';
import { ClusterColour } from './annotations';

/** Route 53's weight range for a weighted record. @public */
export const MIN_WEIGHT = 0;
/** @public */
export const MAX_WEIGHT = 255;

/**
 * The weight of each cluster's record.
 * @public
 */
export type Weights = Record<ClusterColour, number>;

/**
 * Zod schema of one Route 53 weight.
 * @public
 */
export const weightSchema = z
  .number({ invalid_type_error: 'must be a number' })
  .int('must be a whole number')
  .min(MIN_WEIGHT, `must be between ${MIN_WEIGHT} and ${MAX_WEIGHT}`)
  .max(MAX_WEIGHT, `must be between ${MIN_WEIGHT} and ${MAX_WEIGHT}`);

/**
 * Why a weight plan is refused, or undefined. All-zero is refused because Route 53 then
 * splits traffic equally, which is never what "no traffic" was meant to say.
 * @public
 */
export function weightsProblem(weights: Weights): string | undefined {
  if (weights.blue === 0 && weights.green === 0) {
    return 'blue and green must not both be 0: Route 53 answers an all-zero group by splitting traffic equally';
  }
  return undefined;
}

/**
 * Zod schema of a blue/green weight pair, refusing the all-zero plan.
 * @public
 */
export const weightsSchema = z
  .object({ blue: weightSchema, green: weightSchema })
  .strict()
  .superRefine((weights, ctx) => {
    const problem = weightsProblem(weights);
    if (problem) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
    }
  });

/**
 * Each weighted record's share of the traffic in percent, as Route 53 splits it
 * (weight / sum of the group's weights); an all-zero group is split equally.
 * @public
 */
export function recordShares(weights: readonly number[]): number[] {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map(weight =>
    total === 0 ? 100 / weights.length : (weight * 100) / total,
  );
}

/**
 * Each colour's share of the traffic in percent.
 * @public
 */
export function trafficShares(weights: Weights): Weights {
  const [blue, green] = recordShares([weights.blue, weights.green]);
  return { blue, green };
}

/**
 * "blue=100 green=0", the form used in logs and conflict messages.
 * @public
 */
export function formatWeights(weights: Partial<Weights>): string {
  return `blue=${weights.blue ?? 'missing'} green=${
    weights.green ?? 'missing'
  }`;
}

/**
 * "90/10" (blue/green), the form of a staged cutover's steps and events.
 * @public
 */
export function weightSplit(weights: Weights): string {
  return `${weights.blue}/${weights.green}`;
}
