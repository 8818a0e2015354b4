/*
 * The staged cutover's state machine, pure: a run's state and one input (a tick of the
 * clock with the latest verification, a write's outcome, pause, resume, abort) give the
 * next state, what to write, and what happened. The engine persists the state and does
 * the writes; keeping the rules here lets every transition be tested with a fake clock.
 * The engine feeds one run's inputs one at a time: a write in flight reports `written` or
 * `write-failed` before anything else is applied.
 */
import {
  CutoverPlan,
  CutoverPlanStep,
  CutoverRunStatus,
  CutoverVerification,
  DnsFloor,
  holdSeconds,
  rollbackSteps,
  sameWeights,
  Weights,
  weightSplit,
} from '@bluegreen/plugin-bluegreen-common';

/** A command the run's state refuses (not an error of the engine): a 409 for the caller. */
export class RunRefusal extends Error {}

export interface RunState {
  status: CutoverRunStatus;
  /** Moving along the plan, or back along its rollback. */
  phase: 'forward' | 'rollback';
  /** The step of the current phase being written or held. */
  stepIndex: number;
  /** The rollback's steps, fixed when it starts. */
  rollback: CutoverPlanStep[];
  /** The last forward step whose write took effect (-1: none yet). */
  reached: number;
  /** What Route 53 holds now, as far as the run knows: the CAS's expected weights. */
  weights: Weights;
  /** When the current step's write took effect (epoch ms); its hold counts from here. */
  appliedAt?: number;
  /**
   * When the current step's write was handed out (epoch ms), until its outcome; moved on
   * by the write's progress, so a long write (a GitOps task) is not taken for abandoned.
   */
  writingSince?: number;
  /**
   * The scaffolder task making the current step's write (gitops mode): a replica taking
   * the write over follows it instead of starting another.
   */
  writeTask?: { id: string; phase: RunState['phase']; stepIndex: number };
  /** Hold left when paused (ms), restored on resume. */
  pausedHoldLeftMs?: number;
  /** When it was paused (epoch ms): a pause has a limit (the engine's maxPauseMs). */
  pausedAt?: number;
  /** Why it rolled back or failed. */
  reason?: string;
  /** The last failed check seen while rolling back, so that it is recorded once. */
  lastRollbackFailure?: string;
  /**
   * A pause or abort that came while the current step's write was in flight: applied
   * once the write's outcome is known, so that it acts on the weights Route 53 holds.
   */
  queued?: Extract<RunInput, { type: 'pause' | 'abort' }>;
  /** The latest verification of a hold, kept for the card (the engine sets it). */
  verification?: CutoverVerification;
}

export type RunInput =
  /** The clock, with the verification of the current hold so far. */
  | {
      type: 'tick';
      now: number;
      verification?: { ok: boolean; reason?: string };
    }
  /** The current step's write took effect (INSYNC). */
  | { type: 'written'; now: number }
  /** The write in flight is alive (and, in gitops mode, made by this task). */
  | { type: 'write-progress'; now: number; taskId?: string }
  | {
      type: 'write-failed';
      now: number;
      reason: string;
      /**
       * The write may have moved the weights' source though Route 53 did not take them
       * (a gitops step's files and applies): a rollback writes the start even when no
       * step took effect.
       */
      sourceMayHaveMoved?: boolean;
    }
  | { type: 'pause'; now: number }
  | { type: 'resume'; now: number }
  | { type: 'abort'; now: number; immediate?: boolean; reason?: string }
  /** The engine's check of a pause's limit: rolls a pause older than it back. */
  | { type: 'pause-expired'; now: number; maxPauseMs: number };

export interface RunTransition {
  state: RunState;
  /** A write the engine must make: from `expected` (a CAS) to `weights`. */
  write?: { weights: Weights; expected: Weights };
  /** What happened, for the run's history; empty when nothing did. */
  events: string[];
}

/** A new run, about to write its first step. */
export function initialRunState(plan: CutoverPlan): RunState {
  return {
    status: 'running',
    phase: 'forward',
    stepIndex: 0,
    rollback: [],
    reached: -1,
    weights: plan.from,
  };
}

const TERMINAL: CutoverRunStatus[] = ['completed', 'rolled-back', 'failed'];

export function isTerminal(state: RunState): boolean {
  return TERMINAL.includes(state.status);
}

/** The step being written or held. */
export function currentStep(plan: CutoverPlan, state: RunState) {
  return state.phase === 'forward'
    ? plan.steps[state.stepIndex]
    : state.rollback[state.stepIndex];
}

/** Milliseconds left in the current hold, or undefined while its write is pending. */
export function holdLeftMs(
  plan: CutoverPlan,
  floor: DnsFloor,
  state: RunState,
  now: number,
): number | undefined {
  if (state.status === 'paused') {
    return state.pausedHoldLeftMs;
  }
  if (state.appliedAt === undefined || isTerminal(state)) {
    return undefined;
  }
  const hold = holdSeconds(currentStep(plan, state), floor) * 1000;
  return Math.max(0, state.appliedAt + hold - now);
}

const label = weightSplit;

/** The write of the current step, if it has not taken effect yet. */
function pendingWrite(plan: CutoverPlan, state: RunState) {
  if (state.status !== 'running' || state.appliedAt !== undefined) {
    return undefined;
  }
  return { weights: currentStep(plan, state).weights, expected: state.weights };
}

/** The write handed out and not answered yet (in flight, or its driver died), if any. */
export function writeInFlight(plan: CutoverPlan, state: RunState) {
  return writePending(state) ? pendingWrite(plan, state) : undefined;
}

/** The run ends rolled back: the weights are where the plan started. */
function endedAtStart(
  plan: CutoverPlan,
  state: RunState,
  reason: string,
): RunTransition {
  return {
    state: { ...state, status: 'rolled-back', reason },
    events: [
      `rolled back: ${reason}; the weights are at the start (${label(
        plan.from,
      )})`,
    ],
  };
}

function startRollback(
  plan: CutoverPlan,
  state: RunState,
  reason: string,
  immediate: boolean,
  sourceMayHaveMoved = false,
): RunTransition {
  const staged = rollbackSteps(plan, state.reached, { immediate });
  const steps =
    staged.length === 0 && sourceMayHaveMoved && state.reached < 0
      ? [{ weights: plan.from, soakSeconds: 0 }]
      : staged;
  if (steps.length === 0) {
    // Nothing took effect, or the weights are back at the start already.
    return endedAtStart(
      plan,
      { ...state, appliedAt: undefined, queued: undefined },
      reason,
    );
  }
  const next: RunState = {
    ...state,
    status: 'running',
    phase: 'rollback',
    stepIndex: 0,
    rollback: steps,
    appliedAt: undefined,
    pausedHoldLeftMs: undefined,
    pausedAt: undefined,
    // A queued pause does not survive into the rollback (a rollback is not paused); a
    // queued abort does, and may still ask for "roll back now".
    queued: state.queued?.type === 'abort' ? state.queued : undefined,
    reason,
  };
  return {
    state: next,
    write: pendingWrite(plan, next),
    events: [
      `rolling back ${immediate ? 'now, in one step' : 'in stages'} (${steps
        .map(s => label(s.weights))
        .join(' → ')}): ${reason}`,
    ],
  };
}

/**
 * How long a write handed out may go unanswered before a tick makes it again: twice the
 * INSYNC wait and a minute more, far longer than a live driver takes.
 */
export function writeTimeoutMs(floor: DnsFloor): number {
  return (floor.insyncSeconds * 2 + 60) * 1000;
}

/**
 * Whether the current step's write was handed to the engine and its outcome is not known
 * yet (it is in flight, or its driver died and the next tick makes it again).
 */
function writePending(state: RunState) {
  return state.writingSince !== undefined && state.appliedAt === undefined;
}

/**
 * Where a step's hold counts from once its write is INSYNC. The DNS floor already has
 * the INSYNC wait in it, so the hold counts from when the write was handed out; but a
 * change slower than the floor's INSYNC wait still leaves resolvers a whole TTL after it.
 */
function holdStart(floor: DnsFloor, state: RunState, now: number): number {
  return Math.max(state.writingSince ?? now, now - floor.insyncSeconds * 1000);
}

/** Applies the command queued while a write was in flight, if any. */
function thenQueued(
  plan: CutoverPlan,
  floor: DnsFloor,
  result: RunTransition,
): RunTransition {
  const { queued, ...state } = result.state;
  if (!queued || isTerminal(state)) {
    return { ...result, state };
  }
  try {
    const next = transition(plan, floor, state, queued);
    return { ...next, events: [...result.events, ...next.events] };
  } catch (error) {
    // A command the state refuses now is recorded, never left to jam the outcome.
    if (!(error instanceof RunRefusal)) throw error;
    return {
      ...result,
      state,
      events: [...result.events, `${queued.type} dropped: ${error.message}`],
    };
  }
}

/** The tick of a held step once verified: wait out the hold, then the next step or the end. */
function afterHold(
  plan: CutoverPlan,
  floor: DnsFloor,
  state: RunState,
  now: number,
  notes: string[],
): RunTransition {
  const step = currentStep(plan, state);
  if ((holdLeftMs(plan, floor, state, now) ?? 1) > 0) {
    return { state, events: notes };
  }
  const steps = state.phase === 'forward' ? plan.steps : state.rollback;
  if (state.stepIndex + 1 < steps.length) {
    const next: RunState = {
      ...state,
      stepIndex: state.stepIndex + 1,
      appliedAt: undefined,
    };
    return {
      state: next,
      write: pendingWrite(plan, next),
      events: [
        ...notes,
        state.phase === 'forward'
          ? `step ${label(step.weights)} held and verified`
          : `rollback step ${label(step.weights)} held`,
      ],
    };
  }
  const done: RunState = {
    ...state,
    status: state.phase === 'forward' ? 'completed' : 'rolled-back',
  };
  return {
    state: done,
    events: [
      ...notes,
      state.phase === 'forward'
        ? `completed at ${label(step.weights)}`
        : `rolled back to ${label(step.weights)}`,
    ],
  };
}

/** One input applied to a run: the next state, the write to make, what happened. */
export function transition(
  plan: CutoverPlan,
  floor: DnsFloor,
  state: RunState,
  input: RunInput,
): RunTransition {
  const result = apply(plan, floor, state, input);
  if (result.write) {
    // Handed to the engine: until its outcome, commands wait for it.
    return {
      ...result,
      state: { ...result.state, writingSince: input.now },
    };
  }
  if (
    (input.type === 'written' || input.type === 'write-failed') &&
    result.state.writingSince !== undefined
  ) {
    const { writingSince: _, writeTask: __, ...rest } = result.state;
    return { ...result, state: rest };
  }
  return result;
}

function apply(
  plan: CutoverPlan,
  floor: DnsFloor,
  state: RunState,
  input: RunInput,
): RunTransition {
  if (isTerminal(state)) {
    if (input.type === 'tick') {
      return { state, events: [] };
    }
    throw new RunRefusal(
      `the run has ended (${state.status}); it cannot ${input.type}`,
    );
  }
  const step = currentStep(plan, state);
  switch (input.type) {
    case 'tick': {
      if (state.status === 'paused') {
        return { state, events: [] };
      }
      if (state.appliedAt === undefined) {
        // Handed out and not answered: in flight (a change waits up to its INSYNC wait)
        // unless its driver died; after the write's timeout another tick makes it again.
        if (
          state.writingSince !== undefined &&
          input.now - state.writingSince < writeTimeoutMs(floor)
        ) {
          return { state, events: [] };
        }
        return { state, write: pendingWrite(plan, state), events: [] };
      }
      if (input.verification && !input.verification.ok) {
        const reason =
          input.verification.reason ?? 'a verification check failed';
        if (state.phase === 'forward') {
          return startRollback(
            plan,
            state,
            `step ${state.stepIndex + 1} (${label(
              step.weights,
            )}) failed verification: ${reason}`,
            false,
          );
        }
        // Rolling back is the way to safety: a failing check is recorded (once per
        // reason), not obeyed, and the rollback goes on.
        const note = `rollback step ${label(
          step.weights,
        )}: verification failed: ${reason}`;
        if (state.lastRollbackFailure !== note) {
          return afterHold(
            plan,
            floor,
            { ...state, lastRollbackFailure: note },
            input.now,
            [note],
          );
        }
      }
      return afterHold(plan, floor, state, input.now, []);
    }
    case 'written': {
      if (state.appliedAt !== undefined) {
        return { state, events: [] }; // a repeat: the step took effect once
      }
      const next: RunState = {
        ...state,
        weights: step.weights,
        appliedAt: holdStart(floor, state, input.now),
        reached: state.phase === 'forward' ? state.stepIndex : state.reached,
      };
      return thenQueued(plan, floor, {
        state: next,
        events: [
          `${state.phase === 'forward' ? 'step' : 'rollback step'} ${label(
            step.weights,
          )} in effect; holding ${holdSeconds(step, floor)} s`,
        ],
      });
    }
    case 'write-progress': {
      if (!writePending(state)) {
        throw new RunRefusal('no write is in flight');
      }
      return {
        state: {
          ...state,
          writingSince: input.now,
          ...(input.taskId && {
            writeTask: {
              id: input.taskId,
              phase: state.phase,
              stepIndex: state.stepIndex,
            },
          }),
        },
        events: [],
      };
    }
    case 'write-failed': {
      if (state.phase === 'forward') {
        return startRollback(
          plan,
          state,
          `the write of step ${state.stepIndex + 1} (${label(
            step.weights,
          )}) failed: ${input.reason}`,
          false,
          input.sourceMayHaveMoved,
        );
      }
      // A rollback that cannot write needs a person: nothing else is safe to try.
      return {
        state: { ...state, status: 'failed', reason: input.reason },
        events: [
          `rollback write of ${label(step.weights)} failed: ${input.reason}`,
        ],
      };
    }
    case 'pause': {
      if (state.status === 'paused') {
        return { state, events: [] };
      }
      if (state.phase === 'rollback') {
        // Holding a rollback would keep traffic on weights that failed a check.
        throw new RunRefusal(
          'a rollback cannot be paused: it is the way back to the plan\'s start (abort with "immediate" to go straight there)',
        );
      }
      if (writePending(state)) {
        if (state.queued?.type === 'abort') {
          throw new RunRefusal(
            'an abort is already queued; it applies once the write in flight is done',
          );
        }
        return {
          state: { ...state, queued: input },
          events: [
            `pause requested; it applies once the write of ${label(
              step.weights,
            )} is done`,
          ],
        };
      }
      return {
        state: {
          ...state,
          status: 'paused',
          pausedHoldLeftMs: holdLeftMs(plan, floor, state, input.now),
          pausedAt: input.now,
        },
        events: [`paused at ${label(state.weights)}`],
      };
    }
    case 'resume': {
      if (state.status !== 'paused') {
        // A pause still queued behind a write is taken back.
        return state.queued?.type === 'pause'
          ? {
              state: { ...state, queued: undefined },
              events: ['resume requested: the queued pause is dropped'],
            }
          : { state, events: [] };
      }
      const hold = holdSeconds(step, floor) * 1000;
      const next: RunState = {
        ...state,
        status: 'running',
        // The hold goes on where it stopped: what was left of it, from now.
        appliedAt:
          state.appliedAt === undefined
            ? undefined
            : input.now - (hold - (state.pausedHoldLeftMs ?? hold)),
        pausedHoldLeftMs: undefined,
        pausedAt: undefined,
      };
      return {
        state: next,
        write: pendingWrite(plan, next),
        events: [`resumed at ${label(state.weights)}`],
      };
    }
    case 'abort': {
      const reason = input.reason ?? 'aborted';
      if (writePending(state)) {
        return {
          state: { ...state, queued: input },
          events: [
            `abort requested (${reason}); it applies once the write of ${label(
              step.weights,
            )} is done`,
          ],
        };
      }
      if (state.phase === 'rollback') {
        if (!input.immediate) {
          return { state, events: [] }; // already on its way back
        }
        // "Roll back now" during a staged rollback: straight to the start.
        if (
          sameWeights(state.weights, plan.from) &&
          state.appliedAt !== undefined
        ) {
          return endedAtStart(plan, state, reason);
        }
        const next: RunState = {
          ...state,
          status: 'running',
          rollback: [{ weights: plan.from, soakSeconds: 0 }],
          stepIndex: 0,
          appliedAt: undefined,
          pausedHoldLeftMs: undefined,
          pausedAt: undefined,
        };
        return {
          state: next,
          write: pendingWrite(plan, next),
          events: [`rolling back now, in one step: ${reason}`],
        };
      }
      return startRollback(plan, state, reason, input.immediate ?? false);
    }
    case 'pause-expired': {
      const { pausedAt } = state;
      if (
        state.status !== 'paused' ||
        pausedAt === undefined ||
        input.now - pausedAt <= input.maxPauseMs
      ) {
        return { state, events: [] }; // resumed meanwhile, or not old enough
      }
      const reason = `paused for longer than ${Math.round(
        input.maxPauseMs / 60_000,
      )} min (bluegreen.cutover.staged.maxPauseMinutes)`;
      if (state.phase === 'rollback') {
        // A rollback paused before rollbacks could not be: it goes on.
        const resumed = apply(plan, floor, state, {
          type: 'resume',
          now: input.now,
        });
        return { ...resumed, events: [`${reason}: the rollback goes on`] };
      }
      return startRollback(plan, state, reason, false);
    }
    default:
      throw new Error(`unknown input ${(input as { type: string }).type}`);
  }
}
