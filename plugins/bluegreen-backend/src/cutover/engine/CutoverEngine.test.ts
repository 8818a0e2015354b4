/*
 * The engine against the AWS sandbox (a local stand-in for Route 53) through the real
 * Route53WeightWriter, with runs in a SQLite file that two replicas share and a fake
 * clock for the holds.
 */
import { Route53Client } from '@aws-sdk/client-route-53';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { presetPlan, weightSplit } from '@bluegreen/plugin-bluegreen-common';
import {
  Sandbox,
  startLoadBalancers,
  startSandbox,
} from '@bluegreen/example-sandbox';
import { testCutover } from '../../__testUtils__/kubernetes';
import {
  BURNHAM,
  blueGreenComponent,
  CLUSTERS,
  sandboxRoute53,
  sandboxZoneId,
  weightsIn,
} from '../../__testUtils__/sandbox';
import { sqliteDatabase, testTargets } from '../../__testUtils__/security';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { DatabaseCutoverRunStore } from '../../database/DatabaseCutoverRunStore';
import { leaseKey } from '../../database/LeaseStore';
import { Route53WeightedRecords } from '../../route53/Route53WeightedRecords';
import { probeVerifier } from '../probes/ProbeVerifier';
import { CutoverEngine, RunVerifier } from './CutoverEngine';
import { Route53RunWriter } from './Route53RunWriter';
import { RunWriter } from './RunWriter';
import { initialRunState, writeTimeoutMs } from './runState';

const PLAN = presetPlan('staged', { blue: 100, green: 0 }, 'green');
const FLOOR = { ttlSeconds: 1, insyncSeconds: 1 };
const BURNHAM_ENTITY = blueGreenComponent('burnham', BURNHAM);
const label = weightSplit;

jest.setTimeout(30_000);

describe('CutoverEngine (Route 53 mode, against the AWS sandbox stand-in)', () => {
  const dir = createMockDirectory();
  let sandbox: Sandbox;
  let client: Route53Client;
  let zone: string;
  let clock: number;

  beforeEach(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 0, throttle: false });
    client = sandboxRoute53(sandbox.url);
    zone = await sandboxZoneId(client);
    clock = 1_780_000_000_000;
  });
  afterEach(async () => {
    client.destroy();
    await sandbox.close();
  });

  /** One replica: its own database connection to the shared file, its own engine. */
  async function replica(
    file: string,
    options: {
      wrap?: (w: RunWriter) => RunWriter;
      verify?: RunVerifier;
      maxPauseMs?: number;
      /** Runs before each of this replica's state writes (a barrier for another one). */
      beforeUpdate?: () => Promise<void>;
    } = {},
  ) {
    const database = await DatabaseCutoverRunStore.create({
      database: sqliteDatabase(file),
      now: () => new Date(clock),
    });
    const store: DatabaseCutoverRunStore = options.beforeUpdate
      ? Object.assign(Object.create(database), {
          update: async (...args: Parameters<typeof database.update>) => {
            await options.beforeUpdate!();
            return database.update(...args);
          },
        })
      : database;
    const { targets, bindings } = testTargets([BURNHAM_ENTITY]);
    const writer = new Route53RunWriter({
      route53: async () => new Route53WeightedRecords(client),
      bindings,
      cutover: testCutover().cutover,
      targetOf: () => targets.forCutover(BURNHAM_ENTITY),
      logger: mockServices.logger.mock(),
      insyncTimeoutSeconds: 10,
    });
    const engine = new CutoverEngine({
      store,
      writer: options.wrap ? options.wrap(writer) : writer,
      verify: options.verify ?? (async () => ({ ok: true })),
      maxPauseMs: options.maxPauseMs,
      logger: mockServices.logger.mock(),
      now: () => clock,
    });
    return { store, engine };
  }
  const start = (store: DatabaseCutoverRunStore) =>
    store.create({
      entityRef: 'component:default/burnham',
      leaseKey: leaseKey(zone, BURNHAM, 'A'),
      mode: 'route53',
      plan: PLAN,
      floor: FLOOR,
      state: initialRunState(PLAN),
      startedBy: 'user:default/platform-engineer',
    });
  /** Advances the run every 250 ms of the fake clock until it ends. */
  async function driveToEnd(engine: CutoverEngine, id: string) {
    let run: CutoverRunRecord | undefined;
    for (let i = 0; i < 200; i++) {
      run = await engine.advance(id);
      if (run && !['running', 'paused'].includes(run.state.status)) return run;
      clock += 250;
    }
    throw new Error(`run ${id} did not end: ${JSON.stringify(run?.state)}`);
  }
  const changes = () =>
    sandbox.changeLog().map(change =>
      change.changes
        .filter(c => c.action === 'CREATE')
        .map(c => `${c.record.setIdentifier}=${c.record.weight}`)
        .sort()
        .join(' '),
    );

  it('moves burnham 100/0 → 90/10 → 50/50 → 0/100, one compare-and-swap change batch per step, each after a hold of the DNS floor', async () => {
    const { store, engine } = await replica(dir.resolve('runs-a.sqlite'));
    const run = await start(store);
    const ended = await driveToEnd(engine, run.id);
    expect(ended.state.status).toBe('completed');
    expect(changes()).toEqual([
      `${CLUSTERS.blue}=90 ${CLUSTERS.green}=10`,
      `${CLUSTERS.blue}=50 ${CLUSTERS.green}=50`,
      `${CLUSTERS.blue}=0 ${CLUSTERS.green}=100`,
    ]);
    expect(await weightsIn(client, zone, BURNHAM)).toEqual({
      [CLUSTERS.blue]: 0,
      [CLUSTERS.green]: 100,
    });
    const events = (await store.events(run.id)).map(e => e.message);
    expect(events).toEqual([
      'started',
      'step 90/10 in effect; holding 2 s',
      'step 90/10 held and verified',
      'step 50/50 in effect; holding 2 s',
      'step 50/50 held and verified',
      'step 0/100 in effect; holding 2 s',
      'completed at 0/100',
    ]);
  });

  it('continues a run on a second replica after the one driving it died mid-write (Route 53 had taken the step): every step applied exactly once', async () => {
    const file = dir.resolve('runs-b.sqlite');
    let dead = false;
    // Replica A dies right after Route 53 accepted its 50/50 change: the write never
    // returns, so A never records it.
    const a = await replica(file, {
      wrap: writer => ({
        read: run => writer.read(run),
        write: async (run, change, progress) => {
          await writer.write(run, change, progress);
          if (label(change.weights) === '50/50') {
            dead = true;
            await new Promise(() => {});
          }
        },
      }),
    });
    const b = await replica(file);
    const run = await start(a.store);
    for (let i = 0; i < 40 && !dead; i++) {
      void a.engine.advance(run.id); // the last call hangs with the dead replica
      await new Promise(resolve => setTimeout(resolve, 50));
      if (!dead) clock += 250;
    }
    expect(dead).toBe(true);
    expect(changes()).toHaveLength(2);

    // B finds the write handed out and unanswered; before the write timeout it waits.
    await b.engine.advance(run.id);
    expect(changes()).toHaveLength(2);
    clock += writeTimeoutMs(FLOOR);
    const ended = await driveToEnd(b.engine, run.id);
    expect(ended.state.status).toBe('completed');
    expect(changes()).toEqual([
      `${CLUSTERS.blue}=90 ${CLUSTERS.green}=10`,
      `${CLUSTERS.blue}=50 ${CLUSTERS.green}=50`,
      `${CLUSTERS.blue}=0 ${CLUSTERS.green}=100`,
    ]);
  });

  it('rolls back in stages when green, probed through its load balancer (stand-in), answers 5xx at 50 % from the 50/50 step: 50/50 → 90/10 → 100/0, each a change batch, never all-zero, the reason recorded', async () => {
    const lbs = await startLoadBalancers({
      clusters: [CLUSTERS.blue, CLUSTERS.green],
    });
    try {
      const { store, engine } = await replica(dir.resolve('runs-c.sqlite'), {
        verify: probeVerifier({
          endpointsOf: async () => ({
            host: BURNHAM,
            path: '/',
            clusters: CLUSTERS,
            recordType: 'A',
            loadBalancers: {
              blue: lbs.urls[CLUSTERS.blue],
              green: lbs.urls[CLUSTERS.green],
            },
            answers: { blue: { values: [] }, green: { values: [] } },
            overrides: {},
          }),
        }),
      });
      const run = await start(store);
      let ended: CutoverRunRecord | undefined;
      for (let i = 0; i < 200 && !ended; i++) {
        const now = await engine.advance(run.id);
        // The fault starts when green first takes half the traffic.
        if (now?.state.weights.green === 50 && now.state.phase === 'forward') {
          lbs.setFaults(CLUSTERS.green, { errorRate: 0.5 });
        }
        if (now && !['running', 'paused'].includes(now.state.status)) {
          ended = now;
        }
        // A tick a second: each verification sends 20 real requests per serving cluster.
        clock += 1000;
      }
      expect(ended?.state).toEqual(
        expect.objectContaining({
          status: 'rolled-back',
          reason: expect.stringMatching(
            /^step 2 \(50\/50\) failed verification: green: \d+(\.\d)? % of 20 probes succeeded \(at least 99 % needed; HTTP 503/,
          ),
        }),
      );
      expect(changes()).toEqual([
        `${CLUSTERS.blue}=90 ${CLUSTERS.green}=10`,
        `${CLUSTERS.blue}=50 ${CLUSTERS.green}=50`,
        `${CLUSTERS.blue}=90 ${CLUSTERS.green}=10`,
        `${CLUSTERS.blue}=100 ${CLUSTERS.green}=0`,
      ]);
    } finally {
      await lbs.close();
    }
  });

  it('an abort that arrives while a step is being written rolls back as soon as the write is in effect, not after the write timeout', async () => {
    const file = dir.resolve('runs-d.sqlite');
    // The engine is made after its writer: the writer reaches it through this box.
    const box: { engine?: CutoverEngine } = {};
    let runId = '';
    const { store, engine } = await replica(file, {
      wrap: writer => ({
        read: run => writer.read(run),
        write: async (run, change, progress) => {
          // The user aborts while Route 53 takes the 50/50 step.
          if (label(change.weights) === '50/50') {
            await box.engine!.command(
              runId,
              { type: 'abort', now: clock },
              'user:default/platform-engineer',
            );
          }
          await writer.write(run, change, progress);
        },
      }),
    });
    box.engine = engine;
    const run = await start(store);
    runId = run.id;
    let last: CutoverRunRecord | undefined;
    for (let i = 0; i < 40 && changes().length < 2; i++) {
      last = await engine.advance(run.id);
      clock += 250;
    }
    // The advance that wrote 50/50 also made the first rollback write, the same moment.
    expect(changes()).toEqual([
      `${CLUSTERS.blue}=90 ${CLUSTERS.green}=10`,
      `${CLUSTERS.blue}=50 ${CLUSTERS.green}=50`,
      `${CLUSTERS.blue}=90 ${CLUSTERS.green}=10`,
    ]);
    expect(last?.state.phase).toBe('rollback');
    const ended = await driveToEnd(engine, run.id);
    expect(ended.state.status).toBe('rolled-back');
    expect(changes()).toHaveLength(4);
    expect((await store.events(run.id)).map(e => e.message)).toEqual(
      expect.arrayContaining([
        'abort requested (aborted); it applies once the write of 50/50 is done (by user:default/platform-engineer)',
      ]),
    );
  });

  it('rolls a run paused longer than the pause limit back in stages (a forgotten pause does not keep the lease and the moved traffic for ever)', async () => {
    const { store, engine } = await replica(dir.resolve('runs-pause.sqlite'), {
      maxPauseMs: 60_000,
    });
    const run = await start(store);
    // To the 50/50 step, then paused.
    for (let i = 0; i < 200; i++) {
      const now = await engine.advance(run.id);
      if (now?.state.stepIndex === 1 && now.state.appliedAt !== undefined)
        break;
      clock += 250;
    }
    await engine.command(
      run.id,
      { type: 'pause', now: clock },
      'user:default/mock',
    );
    clock += 59_000;
    expect((await engine.advance(run.id))!.state.status).toBe('paused');
    clock += 2_000;
    const ended = await driveToEnd(engine, run.id);
    expect(ended.state).toMatchObject({
      status: 'rolled-back',
      reason:
        'paused for longer than 1 min (bluegreen.cutover.staged.maxPauseMinutes)',
    });
    expect(changes()).toEqual([
      `${CLUSTERS.blue}=90 ${CLUSTERS.green}=10`,
      `${CLUSTERS.blue}=50 ${CLUSTERS.green}=50`,
      `${CLUSTERS.blue}=90 ${CLUSTERS.green}=10`,
      `${CLUSTERS.blue}=100 ${CLUSTERS.green}=0`,
    ]);
  });

  it('never rolls back a pause that a user resumed on another replica between the engine reading it and writing (both read the paused run before either writes)', async () => {
    const file = dir.resolve('runs-pause-race.sqlite');
    const b = await replica(file);
    // Armed once the pause is too old: A has read the paused run and is about to roll
    // it back; B resumes first.
    let armed = false;
    let resumed = false;
    let runId = '';
    const a = await replica(file, {
      maxPauseMs: 60_000,
      beforeUpdate: async () => {
        if (!armed || resumed) return;
        resumed = true;
        await b.engine.command(
          runId,
          { type: 'resume', now: clock },
          'user:default/other',
        );
      },
    });
    const run = await start(b.store);
    runId = run.id;
    for (let i = 0; i < 200; i++) {
      const now = await b.engine.advance(run.id);
      if (now?.state.stepIndex === 1 && now.state.appliedAt !== undefined)
        break;
      clock += 250;
    }
    await b.engine.command(
      run.id,
      { type: 'pause', now: clock },
      'user:default/mock',
    );
    clock += 61_000;
    armed = true;
    const after = await a.engine.advance(run.id);
    expect(resumed).toBe(true);
    expect(after!.state).toMatchObject({ status: 'running', phase: 'forward' });
    const messages = (await a.store.events(run.id)).map(e => e.message);
    expect(messages).toContain('resumed at 50/50 (by user:default/other)');
    expect(messages.join('\n')).not.toMatch(/paused for longer than/);
    expect(changes()).toEqual([
      `${CLUSTERS.blue}=90 ${CLUSTERS.green}=10`,
      `${CLUSTERS.blue}=50 ${CLUSTERS.green}=50`,
    ]);
  });
});
