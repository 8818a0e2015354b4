import {
  CutoverPlan,
  cutoverPlanSchema,
  holdSeconds,
  planDurationSeconds,
  presetPlan,
  rollbackSteps,
  sameWeights,
} from './cutoverPlan';
import { Weights, weightsProblem } from './weights';

const FLOOR = { ttlSeconds: 60, insyncSeconds: 30 };
const w = (blue: number, green: number): Weights => ({ blue, green });
const step = (blue: number, green: number, soakSeconds = 0) => ({
  weights: w(blue, green),
  soakSeconds,
});
const weightsOf = (steps: Array<{ weights: Weights }>) =>
  steps.map(s => `${s.weights.blue}/${s.weights.green}`);

/** A small deterministic PRNG (mulberry32), so that a failing case can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random valid plan: 1-8 steps, weights 0-255, never all-zero, no no-op step. */
function randomPlan(next: () => number): CutoverPlan {
  const weights = (): Weights => {
    for (;;) {
      // Biased toward 0 and 100, the weights real plans use most.
      const pick = () => {
        const r = next();
        if (r < 0.3) return 0;
        if (r < 0.5) return 100;
        return Math.floor(next() * 256);
      };
      const candidate = w(pick(), pick());
      if (!weightsProblem(candidate)) return candidate;
    }
  };
  const from = weights();
  const steps: CutoverPlan['steps'] = [];
  const count = 1 + Math.floor(next() * 8);
  while (steps.length < count) {
    const candidate = weights();
    const before = steps.length ? steps[steps.length - 1].weights : from;
    if (!sameWeights(candidate, before)) {
      steps.push({ weights: candidate, soakSeconds: Math.floor(next() * 5) });
    }
  }
  return { from, steps };
}

describe('cutoverPlanSchema', () => {
  it('accepts a preset plan and defaults soakSeconds to 0', () => {
    const parsed = cutoverPlanSchema.parse({
      from: w(100, 0),
      steps: [{ weights: w(90, 10) }, { weights: w(0, 100), soakSeconds: 30 }],
    });
    expect(parsed.steps.map(s => s.soakSeconds)).toEqual([0, 30]);
  });

  it.each([
    [
      'an all-zero step',
      { from: w(100, 0), steps: [step(50, 50), step(0, 0)] },
      'steps.1.weights: blue and green must not both be 0',
    ],
    [
      'a step that changes nothing',
      { from: w(100, 0), steps: [step(100, 0)] },
      'steps.0.weights: must differ from the weights before it (blue=100 green=0)',
    ],
    [
      'no steps',
      { from: w(100, 0), steps: [] },
      'steps: must have at least one step',
    ],
    [
      'a negative soak',
      { from: w(100, 0), steps: [step(0, 100, -1)] },
      'steps.0.soakSeconds: must not be negative',
    ],
    [
      'a weight above 255',
      { from: w(100, 0), steps: [step(0, 256)] },
      'steps.0.weights.green: must be between 0 and 255',
    ],
    [
      'an unknown field',
      { from: w(100, 0), steps: [step(0, 100)], fast: true },
      "Unrecognized key(s) in object: 'fast'",
    ],
  ])('refuses %s, naming the field and the rule', (_, plan, message) => {
    const result = cutoverPlanSchema.safeParse(plan);
    expect(result.success).toBe(false);
    const issues = result.success
      ? []
      : result.error.issues.map(i => `${i.path.join('.')}: ${i.message}`);
    expect(issues.join('\n')).toContain(message);
  });
});

describe('holds and duration', () => {
  it('holds every step at least the DNS floor (TTL + INSYNC), plus its soak', () => {
    expect(holdSeconds(step(90, 10), FLOOR)).toBe(90);
    expect(holdSeconds(step(90, 10, 120), FLOOR)).toBe(210);
  });

  it('expects a plan to last the sum of its holds', () => {
    const plan = presetPlan('staged', w(100, 0), 'green', 60);
    expect(planDurationSeconds(plan, FLOOR)).toBe(3 * (90 + 60));
  });
});

describe('presetPlan', () => {
  it('moves blue 100 / green 0 to green in the staged preset: 90/10 -> 50/50 -> 0/100', () => {
    expect(weightsOf(presetPlan('staged', w(100, 0), 'green').steps)).toEqual([
      '90/10',
      '50/50',
      '0/100',
    ]);
  });

  it('canary 1 %: 99/1 -> 90/10 -> 50/50 -> 0/100; back to blue mirrors it', () => {
    expect(weightsOf(presetPlan('canary', w(100, 0), 'green').steps)).toEqual([
      '99/1',
      '90/10',
      '50/50',
      '0/100',
    ]);
    expect(weightsOf(presetPlan('canary', w(0, 100), 'blue').steps)).toEqual([
      '1/99',
      '10/90',
      '50/50',
      '100/0',
    ]);
  });

  it('skips the preset steps at or below the share the gaining cluster has (from 50/50, staged to green: 0/100 only; from 0/100: none)', () => {
    expect(weightsOf(presetPlan('staged', w(50, 50), 'green').steps)).toEqual([
      '0/100',
    ]);
    expect(presetPlan('staged', w(0, 100), 'green').steps).toEqual([]);
  });
});

describe('rollbackSteps', () => {
  const plan = presetPlan('staged', w(100, 0), 'green', 30);

  it('walks back through the steps taken, each holding as it did, to the start (from 50/50: 90/10 then 100/0)', () => {
    const back = rollbackSteps(plan, 1);
    expect(weightsOf(back)).toEqual(['90/10', '100/0']);
    expect(back.map(s => s.soakSeconds)).toEqual([30, 0]);
  });

  it('rolls back the first step straight to the start, and nothing when nothing was applied', () => {
    expect(weightsOf(rollbackSteps(plan, 0))).toEqual(['100/0']);
    expect(rollbackSteps(plan, -1)).toEqual([]);
  });

  it('"roll back now" goes to the start in one step', () => {
    expect(weightsOf(rollbackSteps(plan, 2, { immediate: true }))).toEqual([
      '100/0',
    ]);
  });

  it('stops at the start when the plan passed through it, and has nothing to do when back at the start', () => {
    const detour: CutoverPlan = {
      from: w(100, 0),
      steps: [step(50, 50), step(100, 0), step(0, 100)],
    };
    expect(weightsOf(rollbackSteps(detour, 2))).toEqual(['100/0']);
    expect(rollbackSteps(detour, 1)).toEqual([]);
  });

  it('refuses a step index past the plan', () => {
    expect(() => rollbackSteps(plan, 3)).toThrow(
      'step 3 was reached, but the plan has 3 steps',
    );
  });

  it('for every prefix of 500 random plans, staged or immediate: ends at the start, never all-zero, never a step that changes nothing, never longer than the way out', () => {
    const next = random(20261202);
    for (let n = 0; n < 500; n++) {
      const randomized = randomPlan(next);
      expect(cutoverPlanSchema.safeParse(randomized).success).toBe(true);
      for (let reached = 0; reached < randomized.steps.length; reached++) {
        for (const immediate of [false, true]) {
          const back = rollbackSteps(randomized, reached, { immediate });
          const current = randomized.steps[reached].weights;
          const context = JSON.stringify({ randomized, reached, immediate });
          // Empty exactly when the weights are back at the start; it always ends there.
          expect([context, back.length === 0]).toEqual([
            context,
            sameWeights(current, randomized.from),
          ]);
          const end = back.length ? back[back.length - 1].weights : current;
          expect([context, end]).toEqual([context, randomized.from]);
          expect(back.length).toBeLessThanOrEqual(immediate ? 1 : reached + 1);
          let before = current;
          for (const s of back) {
            expect([context, weightsProblem(s.weights)]).toEqual([
              context,
              undefined,
            ]);
            expect([context, sameWeights(s.weights, before)]).toEqual([
              context,
              false,
            ]);
            before = s.weights;
          }
        }
      }
    }
  });
});
