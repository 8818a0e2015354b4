import {
  ClusterColour,
  CutoverPlan,
  cutoverPlanSchema,
  CutoverPresetId,
  MAX_WEIGHT,
  MIN_WEIGHT,
  presetPlan,
  sharesPlan,
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

/** The dialog's staged choices: a preset, or the gaining cluster's shares typed in. */
export type StagedPreset = CutoverPresetId | 'custom';

/**
 * The staged plan the dialog's choices make, or why there is none: shares typed as
 * "5, 25, 100", checked by the same schema the backend applies.
 */
export function stagedPlan(choice: {
  preset: StagedPreset;
  customShares: string;
  soakSeconds: string;
  toward: ClusterColour;
  current: Partial<Weights>;
}): { plan?: CutoverPlan; problem?: string } {
  const { blue, green } = choice.current;
  if (blue === undefined || green === undefined) {
    return { problem: 'both clusters need a weighted record first' };
  }
  if (!/^\d+$/.test(choice.soakSeconds.trim())) {
    return { problem: 'soak: a whole number of seconds' };
  }
  const soak = Number(choice.soakSeconds);
  let plan: CutoverPlan;
  if (choice.preset === 'custom') {
    const parts = choice.customShares.split(',').map(p => p.trim());
    if (parts.some(p => !/^\d+$/.test(p) || Number(p) > 100)) {
      return {
        problem:
          'steps: whole percentages from 0 to 100, comma-separated (e.g. 5, 25, 100)',
      };
    }
    plan = sharesPlan(parts.map(Number), { blue, green }, choice.toward, soak);
  } else {
    plan = presetPlan(choice.preset, { blue, green }, choice.toward, soak);
  }
  if (plan.steps.length === 0) {
    return { problem: `${choice.toward} already has that much of the traffic` };
  }
  const parsed = cutoverPlanSchema.safeParse(plan);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: `${issue.path.join('.')}: ${issue.message}` };
  }
  return { plan };
}
