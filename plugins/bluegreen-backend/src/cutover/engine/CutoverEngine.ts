import { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import {
  CutoverVerification,
  holdSeconds,
  sameWeights,
} from '@bluegreen/plugin-bluegreen-common';
import {
  CutoverRunRecord,
  CutoverRunStore,
} from '../../database/CutoverRunStore';
import { RunWriter, WriteProgress } from './RunWriter';
import { redactAwsError } from '../../aws/redactAwsError';
import {
  currentStep,
  isTerminal,
  RunInput,
  RunState,
  RunTransition,
  transition,
} from './runState';

/** The verification of a run's current hold so far; undefined: nothing to say yet. */
export type RunVerifier = (
  run: CutoverRunRecord,
) => Promise<
  | (Omit<CutoverVerification, 'at' | 'clusters'> &
      Partial<Pick<CutoverVerification, 'clusters'>>)
  | undefined
>;

/**
 * The record group's lease, held by a run from its start to its end so that no other
 * cutover (a set-weight task, another run) writes the group meanwhile.
 */
export interface RunLease {
  /**
   * Runs `work` holding the run's lease: renewed (or taken again after it lapsed) first,
   * and kept renewed while `work` runs (a long INSYNC wait); throws if another holds it.
   */
  during<T>(run: CutoverRunRecord, work: () => Promise<T>): Promise<T>;
  release(run: CutoverRunRecord): Promise<void>;
}

export interface CutoverEngineOptions {
  store: CutoverRunStore;
  writer: RunWriter;
  verify: RunVerifier;
  lease?: RunLease;
  logger: LoggerService;
  /**
   * A hold verified more recently than this (by any replica) is not verified again yet,
   * so replicas ticking the same run do not multiply the probes. Default 0.
   */
  minVerifyIntervalMs?: number;
  /** How often holds are verified; a hold verified this recently may end unprobed. */
  probeIntervalMs?: number;
  /**
   * A run paused longer than this rolls back in stages: a forgotten pause must not keep
   * the record group's lease (and half the traffic moved) for ever. Default 1 hour.
   */
  maxPauseMs?: number;
  now?: () => number;
}

const message = (error: unknown) =>
  isError(error) ? error.message : String(error);

/**
 * A write a command or a write's outcome calls for (resume, a rollback step) is not in
 * flight yet: it is left for a tick to hand out, which the engine (or the caller) makes at
 * once. Only a tick hands writes out, so only a tick's write is ever marked in flight.
 */
function handedBack(result: RunTransition): RunState {
  if (!result.write) {
    return result.state;
  }
  const { writingSince: _, ...state } = result.state;
  return state;
}

/** Whether `current` still waits for the write handed out in `run` (same step, no outcome). */
function waitsFor(current: CutoverRunRecord, run: CutoverRunRecord): boolean {
  return (
    current.state.writingSince !== undefined &&
    current.state.appliedAt === undefined &&
    current.state.phase === run.state.phase &&
    current.state.stepIndex === run.state.stepIndex
  );
}

/** A running step whose write nobody has handed out yet. */
function pendingWrite(state: RunState): boolean {
  return (
    state.status === 'running' &&
    state.appliedAt === undefined &&
    state.writingSince === undefined
  );
}

/**
 * Drives staged cutovers from the plugin's database, on whichever replica calls it: each
 * advance reads a run, applies one tick of its state machine and saves the result with a
 * compare-and-swap, so replicas driving the same run never both move it. A step's write is
 * saved as pending before it is made; a replica that finds a pending write (its driver
 * died) makes it again as a compare-and-swap from the step before, and a group that
 * already holds the step's weights counts as written: no step is applied twice.
 */
export class CutoverEngine {
  private readonly now: () => number;

  constructor(private readonly options: CutoverEngineOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Advances every run not ended, side by side (one run's INSYNC wait holds up no other);
   * what the scheduled task calls.
   */
  async advanceAll(): Promise<void> {
    const runs = await this.options.store.listActive();
    await Promise.all(
      runs.map(run =>
        this.advance(run.id).catch(error =>
          this.options.logger.error(
            `cutover run ${run.id} of ${run.entityRef}: ${message(error)}`,
          ),
        ),
      ),
    );
  }

  /**
   * One tick of a run: verify its hold, move on when the hold is over, make the write a
   * step needs. Returns the run as saved, or undefined when another replica moved it first.
   */
  async advance(runId: string): Promise<CutoverRunRecord | undefined> {
    const run = await this.options.store.get(runId);
    if (!run) {
      return undefined;
    }
    if (isTerminal(run.state)) {
      await this.options.lease?.release(run);
      return run;
    }
    if (run.state.status === 'paused') {
      // The state decides on what it holds when saved: a resume saved meanwhile (on any
      // replica) wins, and only a pause that is still too old rolls back.
      const expired = await this.command(
        runId,
        {
          type: 'pause-expired',
          now: this.now(),
          maxPauseMs: this.options.maxPauseMs ?? 3_600_000,
        },
        'engine',
      );
      if (expired.state.status !== 'paused') {
        return this.advance(runId);
      }
      // Still paused: the tick below keeps the record group's lease renewed.
    }
    const lease = this.options.lease;
    const saved = lease
      ? await lease.during(run, () => this.tick(run))
      : await this.tick(run);
    // A command or a failed write left a write to make (a rollback step): made at once.
    if (saved && pendingWrite(saved.state)) {
      return this.advance(runId);
    }
    return this.released(saved);
  }

  private async tick(
    run: CutoverRunRecord,
  ): Promise<CutoverRunRecord | undefined> {
    const now = this.now();
    const held =
      run.state.status === 'running' && run.state.appliedAt !== undefined;
    const verification =
      held && this.due(run, now) ? await this.options.verify(run) : undefined;
    const state: RunState = verification
      ? {
          ...run.state,
          verification: {
            clusters: {},
            ...verification,
            at: new Date(now).toISOString(),
          },
        }
      : run.state;
    const tick = transition(run.plan, run.floor, state, {
      type: 'tick',
      now,
      verification,
    });
    // Saved before writing: the pending write is what a replica taking over finds.
    const saved = await this.save(run, tick.state, tick.events, 'engine');
    if (!saved || !tick.write) {
      return saved;
    }
    const write = tick.write;
    let outcome: RunInput;
    try {
      await this.options.writer.write(saved, write, this.progressOf(saved));
      outcome = { type: 'written', now: this.now() };
    } catch (error) {
      outcome = await this.afterFailedWrite(saved, write.weights, error);
    }
    return this.record(saved, outcome);
  }

  /**
   * When the run should be advanced next to end its current hold on time (epoch ms), or
   * undefined when no hold is counting down.
   */
  holdEndsAt(run: CutoverRunRecord): number | undefined {
    const { state } = run;
    if (state.status !== 'running' || state.appliedAt === undefined) {
      return undefined;
    }
    return (
      state.appliedAt +
      holdSeconds(currentStep(run.plan, state), run.floor) * 1000
    );
  }

  /**
   * Whether the hold is due a verification: none saved within the minimum interval, and
   * not a hold that is over after passing one within the last probe interval (its next
   * step need not wait for another round of probes).
   */
  private due(run: CutoverRunRecord, now: number) {
    const last = run.state.verification;
    const lastAt = last ? Date.parse(last.at) : undefined;
    if (lastAt === undefined) {
      return true;
    }
    const endsAt = this.holdEndsAt(run);
    if (
      endsAt !== undefined &&
      endsAt <= now &&
      last!.ok &&
      // Strictly after: the tick that handed this step's write out verified the step before.
      lastAt > run.state.appliedAt! &&
      now - lastAt < (this.options.probeIntervalMs ?? 0)
    ) {
      return false;
    }
    return now - lastAt >= (this.options.minVerifyIntervalMs ?? 0);
  }

  /** A run that has just ended frees its record group. */
  private async released(run: CutoverRunRecord | undefined) {
    if (run && isTerminal(run.state)) {
      await this.options.lease?.release(run);
    }
    return run;
  }

  /** The write's progress, saved on the run as it is now while it waits for the write. */
  private progressOf(run: CutoverRunRecord): WriteProgress {
    return async (update = {}) => {
      let current = await this.options.store.get(run.id);
      for (let attempt = 0; attempt < 20; attempt++) {
        if (!current || !waitsFor(current, run)) {
          throw new Error(
            'the run no longer waits for this write (another replica recorded it)',
          );
        }
        const result = transition(current.plan, current.floor, current.state, {
          type: 'write-progress',
          now: this.now(),
          taskId: update.taskId,
        });
        const saved = await this.save(
          current,
          result.state,
          update.event ? [update.event] : [],
          'engine',
        );
        if (saved) return;
        current = await this.options.store.get(run.id);
      }
      throw new Error(`cutover run ${run.id} kept changing`);
    };
  }

  /**
   * Saves a write's outcome. A command that came meanwhile changed the version (and was
   * queued in the state): the outcome is applied to the run as it is now, as long as it
   * still waits for this write.
   */
  private async record(
    run: CutoverRunRecord,
    outcome: RunInput,
  ): Promise<CutoverRunRecord | undefined> {
    let current: CutoverRunRecord | undefined = run;
    for (let attempt = 0; current && attempt < 20; attempt++) {
      if (!waitsFor(current, run)) {
        return undefined; // another replica recorded it
      }
      const result = transition(
        current.plan,
        current.floor,
        current.state,
        outcome,
      );
      const saved = await this.save(
        current,
        handedBack(result),
        result.events,
        'engine',
      );
      if (saved) {
        return saved;
      }
      current = await this.options.store.get(run.id);
    }
    return undefined;
  }

  /**
   * A user's pause, resume or abort, from any replica; retried on a concurrent change so
   * that it is never lost to the engine's own tick.
   */
  async command(
    runId: string,
    input: Extract<
      RunInput,
      { type: 'pause' | 'resume' | 'abort' | 'pause-expired' }
    >,
    actor: string,
  ): Promise<CutoverRunRecord> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const run = await this.options.store.get(runId);
      if (!run) {
        throw new Error(`no cutover run ${runId}`);
      }
      const result = transition(run.plan, run.floor, run.state, input);
      const saved = await this.save(
        run,
        handedBack(result),
        result.events.map(e => `${e} (by ${actor})`),
        actor,
      );
      if (saved) {
        await this.released(saved);
        return saved;
      }
    }
    throw new Error(`cutover run ${runId} kept changing; try again`);
  }

  /** A repeat (the group already holds the step) is written; anything else failed. */
  private async afterFailedWrite(
    run: CutoverRunRecord,
    weights: RunState['weights'],
    error: unknown,
  ): Promise<RunInput> {
    const now = this.now();
    try {
      if (sameWeights(await this.options.writer.read(run), weights)) {
        return { type: 'written', now };
      }
    } catch {
      // The failure of the write is the one to report.
    }
    // Run reasons are shown to every reader of the entity: no ARNs or account ids.
    return {
      type: 'write-failed',
      now,
      reason: message(redactAwsError(error, this.options.logger)),
      sourceMayHaveMoved: run.mode === 'gitops',
    };
  }

  private async save(
    run: CutoverRunRecord,
    state: RunState,
    events: string[],
    actor: string,
  ): Promise<CutoverRunRecord | undefined> {
    if (state === run.state && events.length === 0) {
      return run;
    }
    const ok = await this.options.store.update(
      run.id,
      run.version,
      state,
      events.map(e => ({ actor, message: e })),
    );
    return ok ? { ...run, state, version: run.version + 1 } : undefined;
  }
}
