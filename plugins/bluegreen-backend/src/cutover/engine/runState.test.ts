import {
  CutoverPlan,
  presetPlan,
  rollbackSteps,
  Weights,
  weightsProblem,
  weightSplit,
} from '@bluegreen/plugin-bluegreen-common';
import {
  holdLeftMs,
  initialRunState,
  RunInput,
  RunRefusal,
  RunState,
  transition,
  writeTimeoutMs,
} from './runState';

const FLOOR = { ttlSeconds: 2, insyncSeconds: 1 }; // a 3 s DNS floor
const FLOOR_MS = 3000;
const w = (blue: number, green: number): Weights => ({ blue, green });
const label = weightSplit;
const OK = { ok: true };

/**
 * Drives a run with a fake clock: every write "takes effect" at once (as the engine
 * reports `written` after INSYNC), ticks every `tickMs`, and `verify(now, state)` answers
 * each tick's verification. Returns the writes in order (as expected → new, the CAS) and
 * every event.
 */
function drive(
  plan: CutoverPlan,
  options: {
    verify?: (now: number, state: RunState) => { ok: boolean; reason?: string };
    /** Inputs to apply at a time, e.g. a pause. */
    at?: Array<[number, RunInput['type'], Partial<RunInput>?]>;
    tickMs?: number;
    untilMs?: number;
  } = {},
) {
  let state = initialRunState(plan);
  const writes: string[] = [];
  const events: string[] = [];
  const appliedAt: number[] = [];
  const apply = (input: RunInput) => {
    const result = transition(plan, FLOOR, state, input);
    state = result.state;
    events.push(...result.events);
    if (result.write) {
      writes.push(
        `${label(result.write.expected)} → ${label(result.write.weights)}`,
      );
      const written = transition(plan, FLOOR, state, {
        type: 'written',
        now: input.now,
      });
      state = written.state;
      events.push(...written.events);
      appliedAt.push(input.now);
    }
  };
  const tickMs = options.tickMs ?? 100;
  for (let now = 0; now <= (options.untilMs ?? 60_000); now += tickMs) {
    for (const [t, type, extra] of options.at ?? []) {
      if (t === now) apply({ type, now, ...extra } as RunInput);
    }
    apply({
      type: 'tick',
      now,
      verification: options.verify?.(now, state) ?? OK,
    });
    if (['completed', 'rolled-back', 'failed'].includes(state.status)) break;
  }
  return { state, writes, events, appliedAt };
}

const staged = presetPlan('staged', w(100, 0), 'green'); // 90/10 → 50/50 → 0/100
/** The staged plan's writes when it rolls back from 50/50. */
const BACK_FROM_50_50 = [
  '100/0 → 90/10',
  '90/10 → 50/50',
  '50/50 → 90/10',
  '90/10 → 100/0',
];

describe('the staged cutover state machine (fake clock)', () => {
  it('walks a 3-step plan to green, each write a CAS from the weights before it, each step held for the DNS floor before the next', () => {
    const { state, writes, appliedAt } = drive(staged);
    expect(writes).toEqual(['100/0 → 90/10', '90/10 → 50/50', '50/50 → 0/100']);
    expect(state.status).toBe('completed');
    // The next write comes one DNS floor (not a tick sooner) after the one before.
    expect(appliedAt).toEqual([0, FLOOR_MS, 2 * FLOOR_MS]);
  });

  it('counts a hold from the write being handed out (the floor has the INSYNC wait in it), yet always leaves a whole TTL after INSYNC', () => {
    const plan = presetPlan('direct', w(100, 0), 'green');
    const handedOut = transition(plan, FLOOR, initialRunState(plan), {
      type: 'tick',
      now: 10_000,
    }).state;
    // INSYNC within the floor's 1 s wait: the hold ends one floor after the hand-out.
    const quick = transition(plan, FLOOR, handedOut, {
      type: 'written',
      now: 10_400,
    }).state;
    expect(holdLeftMs(plan, FLOOR, quick, 10_400)).toBe(FLOOR_MS - 400);
    // INSYNC after 2.5 s: the hold still ends a whole TTL (2 s) after it.
    const slow = transition(plan, FLOOR, handedOut, {
      type: 'written',
      now: 12_500,
    }).state;
    expect(holdLeftMs(plan, FLOOR, slow, 12_500)).toBe(2000);
  });

  it('never ends a hold before the DNS floor plus the soak, whatever the tick', () => {
    const soaked = presetPlan('staged', w(100, 0), 'green', 2);
    for (const tickMs of [1, 7, 100, 999, 1000, 2500]) {
      const { appliedAt, state } = drive(soaked, { tickMs, untilMs: 120_000 });
      expect([tickMs, state.status, appliedAt.length]).toEqual([
        tickMs,
        'completed',
        3,
      ]);
      for (let i = 1; i < appliedAt.length; i++) {
        expect(appliedAt[i] - appliedAt[i - 1]).toBeGreaterThanOrEqual(
          FLOOR_MS + 2000,
        );
      }
    }
  });

  it('rolls back in stages when 50/50 fails verification: 50/50 → 90/10 → 100/0, never all-zero, and records why', () => {
    const { state, writes, events } = drive(staged, {
      verify: (_, s) =>
        s.phase === 'forward' && s.weights.green === 50
          ? { ok: false, reason: 'eks-blueprint-green: 50 % of probes failed' }
          : OK,
    });
    expect(writes).toEqual(BACK_FROM_50_50);
    expect(state.status).toBe('rolled-back');
    expect(state.reason).toBe(
      'step 2 (50/50) failed verification: eks-blueprint-green: 50 % of probes failed',
    );
    expect(events).toContain(
      'rolling back in stages (90/10 → 100/0): step 2 (50/50) failed verification: eks-blueprint-green: 50 % of probes failed',
    );
  });

  it('goes on rolling back while the check still fails (recording each reason once), to the start', () => {
    const { state, writes, events } = drive(staged, {
      verify: (_, s) =>
        (s.phase === 'forward' && s.weights.green === 50) ||
        (s.phase === 'rollback' && s.weights.green > 0)
          ? { ok: false, reason: 'green 5xx' }
          : OK,
    });
    expect(writes).toEqual(BACK_FROM_50_50);
    expect(state.status).toBe('rolled-back');
    // Failing on every tick of its 3 s hold, recorded once.
    expect(
      events.filter(
        e =>
          e.includes('verification failed: green 5xx') &&
          e.startsWith('rollback step'),
      ),
    ).toEqual(['rollback step 90/10: verification failed: green 5xx']);
  });

  it('for a failure at every step of staged and canary plans, writes exactly rollbackSteps of the prefix reached, each held, never all-zero', () => {
    for (const plan of [staged, presetPlan('canary', w(100, 0), 'green', 1)]) {
      for (let failAt = 0; failAt < plan.steps.length; failAt++) {
        const { writes, state, appliedAt } = drive(plan, {
          verify: (_, s) =>
            s.phase === 'forward' && s.stepIndex === failAt
              ? { ok: false, reason: 'probe' }
              : OK,
          untilMs: 120_000,
        });
        const forward = plan.steps.slice(0, failAt + 1).map(s => s.weights);
        const back = rollbackSteps(plan, failAt).map(s => s.weights);
        const path = [plan.from, ...forward, ...back];
        expect(writes).toEqual(
          path.slice(1).map((to, i) => `${label(path[i])} → ${label(to)}`),
        );
        expect(path.every(p => weightsProblem(p) === undefined)).toBe(true);
        expect(state.status).toBe('rolled-back');
        // The rollback's steps hold too (the last one ends the run when its hold ends).
        for (let i = failAt + 2; i < appliedAt.length; i++) {
          expect(appliedAt[i] - appliedAt[i - 1]).toBeGreaterThanOrEqual(
            FLOOR_MS,
          );
        }
      }
    }
  });

  it('pauses a hold and resumes it with the hold time it had left; ticks while paused move nothing', () => {
    const { writes, appliedAt, events } = drive(staged, {
      // Paused 1 s into the first 3 s hold for 10 s: 2 s are left after resuming.
      at: [
        [1000, 'pause'],
        [11_000, 'resume'],
      ],
    });
    expect(writes).toHaveLength(3);
    expect(appliedAt).toEqual([0, 13_000, 16_000]);
    expect(events).toContain('paused at 90/10');
    expect(events).toContain('resumed at 90/10');
  });

  it('reports the hold left while running and while paused', () => {
    let state = initialRunState(staged);
    state = transition(staged, FLOOR, state, { type: 'tick', now: 0 }).state;
    expect(holdLeftMs(staged, FLOOR, state, 0)).toBeUndefined(); // write pending
    state = transition(staged, FLOOR, state, { type: 'written', now: 0 }).state;
    expect(holdLeftMs(staged, FLOOR, state, 1200)).toBe(1800);
    state = transition(staged, FLOOR, state, {
      type: 'pause',
      now: 1200,
    }).state;
    expect(holdLeftMs(staged, FLOOR, state, 50_000)).toBe(1800);
  });

  it('aborts during a hold by rolling back in stages; "roll back now" goes to the start in one step', () => {
    const staging = drive(staged, { at: [[4000, 'abort']] });
    expect(staging.writes).toEqual(BACK_FROM_50_50);
    expect(staging.state.reason).toBe('aborted');
    const now = drive(staged, {
      at: [[4000, 'abort', { immediate: true, reason: 'operator: latency' }]],
    });
    expect(now.writes).toEqual([
      '100/0 → 90/10',
      '90/10 → 50/50',
      '50/50 → 100/0',
    ]);
    expect(now.state).toEqual(
      expect.objectContaining({
        status: 'rolled-back',
        reason: 'operator: latency',
      }),
    );
  });

  it('turns a staged rollback into "roll back now" when asked, from where it is', () => {
    const canary = presetPlan('canary', w(100, 0), 'green'); // 99/1 90/10 50/50 0/100
    const { writes } = drive(canary, {
      verify: (_, s) =>
        s.phase === 'forward' && s.stepIndex === 3
          ? { ok: false, reason: 'x' }
          : OK,
      // The failure is seen at 9 s; 1 s into the rollback's first hold (50/50):
      at: [[10_000, 'abort', { immediate: true }]],
    });
    expect(writes.slice(4)).toEqual(['0/100 → 50/50', '50/50 → 100/0']);
  });

  it('aborted before its first write took effect, a run ends rolled back without writing', () => {
    let state = initialRunState(staged);
    const result = transition(staged, FLOOR, state, { type: 'abort', now: 0 });
    state = result.state;
    expect(result.write).toBeUndefined();
    expect(state.status).toBe('rolled-back');
  });

  it('a failed forward write rolls back what took effect; a failed rollback write stops the run as failed, for a person', () => {
    let state = initialRunState(staged);
    const step = (input: RunInput) => {
      const r = transition(staged, FLOOR, state, input);
      state = r.state;
      return r;
    };
    step({ type: 'tick', now: 0 });
    step({ type: 'written', now: 0 });
    step({ type: 'tick', now: FLOOR_MS }); // write 50/50 pending
    const back = step({
      type: 'write-failed',
      now: FLOOR_MS,
      reason: 'Throttling',
    });
    expect(back.write).toEqual({ weights: w(100, 0), expected: w(90, 10) });
    step({ type: 'write-failed', now: FLOOR_MS + 1, reason: 'AccessDenied' });
    expect(state).toEqual(
      expect.objectContaining({
        status: 'failed',
        reason: 'AccessDenied',
        weights: w(90, 10),
      }),
    );
  });

  it('applies a step once: a repeated "written" (a replica reporting again) changes nothing', () => {
    let state = initialRunState(staged);
    state = transition(staged, FLOOR, state, { type: 'tick', now: 0 }).state;
    state = transition(staged, FLOOR, state, { type: 'written', now: 0 }).state;
    const again = transition(staged, FLOOR, state, {
      type: 'written',
      now: 500,
    });
    expect(again.state).toBe(state);
    expect(again.events).toEqual([]);
  });

  it('an abort or pause that comes while a step is being written waits for the write, then acts on the weights it left', () => {
    const run = (command: RunInput) => {
      let state = initialRunState(staged);
      const writes: string[] = [];
      const go = (input: RunInput) => {
        const r = transition(staged, FLOOR, state, input);
        state = r.state;
        if (r.write) writes.push(label(r.write.weights));
        return r;
      };
      go({ type: 'tick', now: 0 }); // 90/10 handed out
      go({ type: 'written', now: 0 });
      go({ type: 'tick', now: FLOOR_MS }); // 50/50 handed out, in flight
      const queued = go(command);
      expect(queued.write).toBeUndefined();
      go({ type: 'written', now: FLOOR_MS + 500 }); // 50/50 took effect
      return { state, writes, queued };
    };
    const aborted = run({ type: 'abort', now: FLOOR_MS + 100 });
    expect(aborted.queued.events[0]).toBe(
      'abort requested (aborted); it applies once the write of 50/50 is done',
    );
    // The rollback starts from 50/50, which Route 53 now holds.
    expect(aborted.writes).toEqual(['90/10', '50/50', '90/10']);
    expect(aborted.state.phase).toBe('rollback');
    const paused = run({ type: 'pause', now: FLOOR_MS + 100 });
    expect(paused.state).toEqual(
      expect.objectContaining({ status: 'paused', weights: w(50, 50) }),
    );
    expect(paused.state.queued).toBeUndefined();
  });

  it('hands out an unanswered write again only after the write timeout (its driver died), never while it may be in flight', () => {
    let state = initialRunState(staged);
    const first = transition(staged, FLOOR, state, { type: 'tick', now: 0 });
    state = first.state;
    expect(first.write).toEqual({ weights: w(90, 10), expected: w(100, 0) });
    const timeout = writeTimeoutMs(FLOOR);
    expect(
      transition(staged, FLOOR, state, { type: 'tick', now: timeout - 1 })
        .write,
    ).toBeUndefined();
    expect(
      transition(staged, FLOOR, state, { type: 'tick', now: timeout }).write,
    ).toEqual({ weights: w(90, 10), expected: w(100, 0) });
  });

  it('an ended run ignores ticks and refuses pause, resume and abort', () => {
    const { state } = drive(staged);
    expect(
      transition(staged, FLOOR, state, { type: 'tick', now: 1 }).state,
    ).toBe(state);
    for (const type of ['pause', 'resume', 'abort'] as const) {
      expect(() => transition(staged, FLOOR, state, { type, now: 1 })).toThrow(
        `the run has ended (completed); it cannot ${type}`,
      );
    }
  });

  it('refuses to pause a rollback (holding it would keep traffic on weights that failed a check), and a rollback goes on', () => {
    // Rolling back from 50/50: its first rollback step (90/10) is in effect.
    const { state } = drive(staged, {
      verify: (_now, s) =>
        s.phase === 'forward' && s.stepIndex === 1
          ? { ok: false, reason: 'green 5xx' }
          : OK,
      untilMs: FLOOR_MS * 2 + 500,
    });
    expect(state).toMatchObject({ phase: 'rollback', status: 'running' });
    expect(() =>
      transition(staged, FLOOR, state, { type: 'pause', now: 1 }),
    ).toThrow(RunRefusal);
    expect(() =>
      transition(staged, FLOOR, state, { type: 'pause', now: 1 }),
    ).toThrow(/^a rollback cannot be paused/);
  });

  it('remembers when a run was paused, until it resumes', () => {
    const { state } = drive(staged, { untilMs: 500 });
    const paused = transition(staged, FLOOR, state, {
      type: 'pause',
      now: 600,
    }).state;
    expect(paused).toMatchObject({ status: 'paused', pausedAt: 600 });
    const resumed = transition(staged, FLOOR, paused, {
      type: 'resume',
      now: 900,
    }).state;
    expect(resumed.pausedAt).toBeUndefined();
  });

  it('a pause queued behind a forward write that then fails does not survive into the rollback: the rollback runs to the start', () => {
    let state = initialRunState(staged);
    const tick = transition(staged, FLOOR, state, { type: 'tick', now: 0 });
    state = transition(staged, FLOOR, tick.state, {
      type: 'pause',
      now: 1,
    }).state;
    expect(state.queued?.type).toBe('pause');
    // Nothing took effect: the failed first write ends the run at the start.
    const failed = transition(staged, FLOOR, state, {
      type: 'write-failed',
      now: 2,
      reason: 'Throttling',
    });
    expect(failed.state).toMatchObject({ status: 'rolled-back' });
    expect(failed.state.queued).toBeUndefined();
  });

  it('a pause queued behind a rollback write is dropped with a note, never jamming the rollback (any interleaving of pause with a failing step)', () => {
    // At 50/50, its verification fails: the rollback's first write (90/10) is handed out.
    const { state: at5050 } = drive(staged, { untilMs: FLOOR_MS + 100 });
    const rolling = transition(staged, FLOOR, at5050, {
      type: 'tick',
      now: FLOOR_MS + 200,
      verification: { ok: false, reason: 'green 5xx' },
    });
    expect(rolling.state.phase).toBe('rollback');
    expect(rolling.write).toBeDefined();
    // A queued pause from before (the state as an older replica saved it).
    const withQueued = {
      ...rolling.state,
      queued: { type: 'pause' as const, now: FLOOR_MS + 250 },
    };
    const written = transition(staged, FLOOR, withQueued, {
      type: 'written',
      now: FLOOR_MS + 400,
    });
    expect(written.state).toMatchObject({
      status: 'running',
      phase: 'rollback',
    });
    expect(written.state.queued).toBeUndefined();
    expect(written.events).toContain(
      'pause dropped: a rollback cannot be paused: it is the way back to the plan\'s start (abort with "immediate" to go straight there)',
    );
  });

  it('refuses a pause while an abort is queued (the abort is never lost), and a resume takes a queued pause back', () => {
    const state = transition(staged, FLOOR, initialRunState(staged), {
      type: 'tick',
      now: 0,
    }).state;
    const aborting = transition(staged, FLOOR, state, {
      type: 'abort',
      now: 1,
    }).state;
    expect(() =>
      transition(staged, FLOOR, aborting, { type: 'pause', now: 2 }),
    ).toThrow(/^an abort is already queued/);
    const pausing = transition(staged, FLOOR, state, {
      type: 'pause',
      now: 1,
    }).state;
    const resumed = transition(staged, FLOOR, pausing, {
      type: 'resume',
      now: 2,
    });
    expect(resumed.state.queued).toBeUndefined();
    expect(resumed.events).toEqual([
      'resume requested: the queued pause is dropped',
    ]);
  });

  it('rolls back a pause only once it is older than the limit and still a pause (a resume saved first wins)', () => {
    const { state } = drive(staged, { untilMs: 500 });
    const paused = transition(staged, FLOOR, state, {
      type: 'pause',
      now: 1000,
    }).state;
    const check = (s: RunState, now: number) =>
      transition(staged, FLOOR, s, {
        type: 'pause-expired',
        now,
        maxPauseMs: 60_000,
      });
    expect(check(paused, 61_000).state).toBe(paused);
    const expired = check(paused, 61_001);
    expect(expired.state).toMatchObject({
      status: 'running',
      phase: 'rollback',
      reason:
        'paused for longer than 1 min (bluegreen.cutover.staged.maxPauseMinutes)',
    });
    const resumed = transition(staged, FLOOR, paused, {
      type: 'resume',
      now: 2000,
    }).state;
    expect(check(resumed, 120_000).state).toBe(resumed);
  });

  it("a long write's progress keeps it from being handed out again while it is alive, records its task, and the outcome forgets both; progress without a write in flight is refused", () => {
    let state = initialRunState(staged);
    const timeout = writeTimeoutMs(FLOOR);
    state = transition(staged, FLOOR, state, { type: 'tick', now: 0 }).state;
    const alive = transition(staged, FLOOR, state, {
      type: 'write-progress',
      now: timeout - 1,
      taskId: 'task-1',
    });
    expect(alive.events).toEqual([]);
    state = alive.state;
    expect(state.writeTask).toEqual({
      id: 'task-1',
      phase: 'forward',
      stepIndex: 0,
    });
    // Without the progress it would be handed out again at `timeout`.
    expect(
      transition(staged, FLOOR, state, { type: 'tick', now: timeout }).write,
    ).toBeUndefined();
    expect(
      transition(staged, FLOOR, state, { type: 'tick', now: 2 * timeout - 1 })
        .write,
    ).toEqual({ weights: w(90, 10), expected: w(100, 0) });
    // A bare heartbeat keeps the task it recorded.
    state = transition(staged, FLOOR, state, {
      type: 'write-progress',
      now: timeout + 5,
    }).state;
    expect(state.writeTask?.id).toBe('task-1');
    state = transition(staged, FLOOR, state, {
      type: 'written',
      now: timeout + 10,
    }).state;
    expect(state.writingSince).toBeUndefined();
    expect(state.writeTask).toBeUndefined();
    expect(() =>
      transition(staged, FLOOR, state, {
        type: 'write-progress',
        now: timeout + 20,
      }),
    ).toThrow(new RunRefusal('no write is in flight'));
  });

  it('a failed first step whose source may have moved (gitops) rolls back by writing the start again; in route53 mode it ends at the start without a write', () => {
    const fail = (sourceMayHaveMoved: boolean) => {
      const handed = transition(staged, FLOOR, initialRunState(staged), {
        type: 'tick',
        now: 0,
      });
      return transition(staged, FLOOR, handed.state, {
        type: 'write-failed',
        now: 10,
        reason: 'the weights did not reach Route 53',
        sourceMayHaveMoved,
      });
    };
    const gitops = fail(true);
    expect(gitops.write).toEqual({ weights: w(100, 0), expected: w(100, 0) });
    expect(gitops.state).toEqual(
      expect.objectContaining({ status: 'running', phase: 'rollback' }),
    );
    const route53 = fail(false);
    expect(route53.write).toBeUndefined();
    expect(route53.state.status).toBe('rolled-back');
  });
});
