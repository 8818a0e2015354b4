import { presetPlan } from '@bluegreen/plugin-bluegreen-common';
import { initialRunState, transition } from '../cutover/engine/runState';
import { databaseEngines } from '../__testUtils__/databases';
import { DatabaseCutoverRunStore } from './DatabaseCutoverRunStore';

const PLAN = presetPlan('staged', { blue: 100, green: 0 }, 'green');
const FLOOR = { ttlSeconds: 60, insyncSeconds: 30 };
const BURNHAM = 'component:default/burnham';

const engines = databaseEngines();

describe.each(engines)(
  'DatabaseCutoverRunStore ($name shared by two replicas)',
  engine => {
    let clock = 1_780_000_000_000;
    const now = () => new Date(clock);

    async function replicas() {
      const shared = await engine.create();
      const a = await DatabaseCutoverRunStore.create({
        database: shared.replica(),
        now,
      });
      const b = await DatabaseCutoverRunStore.create({
        database: shared.replica(),
        now,
      });
      return { a, b };
    }
    const newRun = (store: DatabaseCutoverRunStore, entityRef = BURNHAM) =>
      store.create({
        entityRef,
        leaseKey: 'Z1:burnham.eks-blueprint.example.com.:A',
        mode: 'route53',
        plan: PLAN,
        floor: FLOOR,
        state: initialRunState(PLAN),
        startedBy: 'user:default/platform-engineer',
      });

    it('persists a run as started, readable from the other replica: plan, floor, state, version 1, a "started" event', async () => {
      const { a, b } = await replicas();
      const run = await newRun(a);
      const read = await b.get(run.id);
      expect(read).toEqual(run);
      expect(read).toMatchObject({
        plan: PLAN,
        floor: FLOOR,
        version: 1,
        state: { status: 'running', stepIndex: 0, reached: -1 },
      });
      expect(await b.events(run.id)).toEqual([
        expect.objectContaining({
          actor: 'user:default/platform-engineer',
          message: 'started',
        }),
      ]);
    });

    it('of two replicas that both read version N before either writes, exactly one moves the run; the other is told, and its events are not written', async () => {
      const { a, b } = await replicas();
      const run = await newRun(a);
      // Both read first (the barrier), then both try to apply their own transition.
      const [seenA, seenB] = await Promise.all([a.get(run.id), b.get(run.id)]);
      const moved = transition(PLAN, FLOOR, seenA!.state, {
        type: 'written',
        now: clock,
      });
      const paused = transition(PLAN, FLOOR, seenB!.state, {
        type: 'pause',
        now: clock,
      });
      const results = await Promise.all([
        a.update(run.id, seenA!.version, moved.state, [
          { actor: 'engine', message: 'A' },
        ]),
        b.update(run.id, seenB!.version, paused.state, [
          { actor: 'user:default/x', message: 'B' },
        ]),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const after = await a.get(run.id);
      expect(after!.version).toBe(2);
      expect(await b.version(run.id)).toBe(2);
      expect(await b.version('no-such-run')).toBeUndefined();
      const winner = results[0] ? 'A' : 'B';
      expect((await a.events(run.id)).map(e => e.message)).toEqual([
        'started',
        winner,
      ]);
      expect(after!.state.status).toBe(winner === 'A' ? 'running' : 'paused');
    });

    it("lists the active runs (running or paused) for the engine, and an entity's runs newest first for the history", async () => {
      const { a, b } = await replicas();
      const first = await newRun(a);
      clock += 1000;
      const second = await newRun(b);
      clock += 1000;
      const other = await newRun(a, 'component:default/checkout');
      const ended = { ...first.state, status: 'completed' as const };
      expect(await a.update(first.id, 1, ended, [])).toBe(true);
      expect((await b.listActive()).map(r => r.id)).toEqual([
        second.id,
        other.id,
      ]);
      expect((await b.listByEntity(BURNHAM, 10)).map(r => r.id)).toEqual([
        second.id,
        first.id,
      ]);
      expect((await b.listByEntity(BURNHAM, 1)).map(r => r.id)).toEqual([
        second.id,
      ]);
    });

    it('gives the events after the last one a reader saw, in order', async () => {
      const { a, b } = await replicas();
      const run = await newRun(a);
      const [started] = await b.events(run.id);
      await a.update(run.id, 1, run.state, [
        { actor: 'engine', message: 'one' },
        { actor: 'engine', message: 'two' },
      ]);
      expect((await b.events(run.id, started.id)).map(e => e.message)).toEqual([
        'one',
        'two',
      ]);
    });
  },
);
