import {
  MAX_WEIGHT,
  MIN_WEIGHT,
  Weights,
  weightsProblem,
} from '@bluegreen/plugin-bluegreen-common';

/** The targets the cutover dialog offers. */
export type CutoverTarget = 'to-green' | 'to-blue' | 'custom';

export const TARGET_WEIGHTS: Record<
  Exclude<CutoverTarget, 'custom'>,
  Weights
> = {
  'to-green': { blue: 0, green: 100 },
  'to-blue': { blue: 100, green: 0 },
};

/** Why a weight typed into the dialog is not acceptable, or undefined. */
export function weightFieldProblem(text: string): string | undefined {
  if (!/^\d+$/.test(text.trim())) {
    return `a whole number from ${MIN_WEIGHT} to ${MAX_WEIGHT}`;
  }
  const value = Number(text);
  if (value < MIN_WEIGHT || value > MAX_WEIGHT) {
    return `must be between ${MIN_WEIGHT} and ${MAX_WEIGHT}`;
  }
  return undefined;
}

/** Why a plan is refused before it is sent, or undefined. */
export function planProblem(
  weights: Weights,
  current: Partial<Weights>,
): string | undefined {
  const problem = weightsProblem(weights);
  if (problem) {
    return problem;
  }
  if (weights.blue === current.blue && weights.green === current.green) {
    return 'these are the current weights';
  }
  return undefined;
}
