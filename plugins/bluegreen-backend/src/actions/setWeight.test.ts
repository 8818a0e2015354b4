import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Entity } from '@backstage/catalog-model';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import yaml from 'yaml';
import { weightFileContent } from '@bluegreen/plugin-bluegreen-common';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import {
  blueGreenComponent,
  BURNHAM,
  CHECKOUT,
  weightedRecords,
  CLUSTERS,
  sandboxRoute53,
  SANDBOX_CREDENTIALS,
  sandboxZoneId,
  upsertRecord,
  weightsIn,
  ZONE_NAME,
} from '../__testUtils__/sandbox';
import { copyGeneration } from '../__testUtils__/tofu';
import { READY_WORKLOADS, testCutover } from '../__testUtils__/kubernetes';
import {
  PermissionRule,
  testGuard,
  testLeases,
  testTargets,
} from '../__testUtils__/security';
import { CutoverLeases } from '../cutover/CutoverLeaseClient';
import { CutoverService } from '../cutover/CutoverService';
import { leaseKey } from '../database/LeaseStore';
import {
  Route53WeightedRecords,
  WeightedRecordGroup,
} from '../route53/Route53WeightedRecords';
import { createSetWeightAction } from './setWeight';
import { examples } from './setWeight.examples';

jest.setTimeout(60_000);

/** The sandbox's records, each named by one Component (team-burnham's, unless noted). */
const ENTITIES: Entity[] = [
  blueGreenComponent('burnham', BURNHAM),
  blueGreenComponent('checkout', CHECKOUT),
  blueGreenComponent('nothing', `nothing.${ZONE_NAME}`),
];

/** Leases nobody else holds (the lease itself is tested below). */
const freeLeases: CutoverLeases = {
  acquire: async () => ({ acquired: true }),
  renew: async () => true,
  release: async () => undefined,
};

/** The action with a catalog of `entities` and permissions decided by `rule`. */
function setWeightAction(
  route53: () => Promise<Route53WeightedRecords>,
  extra: {
    entities?: Entity[];
    rule?: PermissionRule;
    leases?: CutoverLeases;
    cutover?: CutoverService;
  } = {},
) {
  const { guard, auditor, permissionRequests } = testGuard(extra.rule);
  const { catalog, targets, bindings } = testTargets(
    extra.entities ?? ENTITIES,
  );
  const action = createSetWeightAction({
    route53,
    catalog,
    guard,
    targets,
    bindings,
    cutover: extra.cutover ?? testCutover().cutover,
    logger: mockServices.logger.mock(),
    leases: extra.leases ?? freeLeases,
  });
  return { action, auditor, permissionRequests };
}

const route53Input = (
  weights: { blue: number; green: number },
  entity = 'burnham',
) => ({
  entityRef: `component:default/${entity}`,
  weights,
  mode: 'route53',
});

function run(
  records: Route53WeightedRecords,
  input: JsonObject,
  extra: {
    workspacePath?: string;
    isDryRun?: boolean;
    entities?: Entity[];
    rule?: PermissionRule;
    leases?: CutoverLeases;
    cutover?: CutoverService;
  } = {},
) {
  const { action } = setWeightAction(async () => records, extra);
  const ctx = {
    ...createMockActionContext({
      input,
      workspacePath: extra.workspacePath,
    }),
    isDryRun: extra.isDryRun,
  };
  return { ctx, done: action.handler(ctx as any) };
}

const outputs = (ctx: { output: jest.Mock }) =>
  Object.fromEntries(ctx.output.mock.calls);

describe('bluegreen:set-weight, route53 mode (against the AWS sandbox stand-in)', () => {
  let sandbox: Sandbox;
  let client: Route53Client;
  let zone: string;

  beforeEach(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 200, throttle: false });
    client = sandboxRoute53(sandbox.url);
    zone = await sandboxZoneId(client);
  });
  afterEach(async () => {
    client.destroy();
    await sandbox.close();
  });

  it('swaps the weights in one compare-and-swap batch and waits for INSYNC', async () => {
    const { ctx, done } = run(
      new Route53WeightedRecords(client),
      route53Input({ blue: 0, green: 100 }),
    );
    await done;

    expect(await weightsIn(client, zone, BURNHAM)).toEqual({
      [CLUSTERS.blue]: 0,
      [CLUSTERS.green]: 100,
    });
    const [change] = sandbox.changeLog();
    expect(sandbox.changeLog()).toHaveLength(1);
    expect(change.changes.map(c => c.action)).toEqual([
      'DELETE',
      'CREATE',
      'DELETE',
      'CREATE',
    ]);
    const out = outputs(ctx as any);
    expect(out.previousWeights).toEqual({ blue: 100, green: 0 });
    expect(out.weights).toEqual({ blue: 0, green: 100 });
    expect(out.changed).toBe(true);
    expect(out.changeId).toEqual(expect.any(String));
    expect(sandbox.requestCounts().GetChange).toBeGreaterThanOrEqual(1);
  });

  describe('pre-flight', () => {
    const greenWorkerNotReady = {
      ...READY_WORKLOADS,
      green: {
        state: 'ok' as const,
        deployments: [
          { name: 'burnham', ready: 3, desired: 3, podsNotReady: [] },
          {
            name: 'burnham-worker',
            ready: 1,
            desired: 2,
            podsNotReady: ['burnham-worker-x (CrashLoopBackOff)'],
          },
        ],
      },
    };

    it('refuses to send traffic to a cluster with a not-ready deployment, naming the check; Route 53 unchanged', async () => {
      const { cutover, reads } = testCutover(greenWorkerNotReady);
      const { done } = run(
        new Route53WeightedRecords(client),
        route53Input({ blue: 50, green: 50 }),
        { cutover },
      );
      await expect(done).rejects.toThrow(
        'weights: the pre-flight checks failed (green workloads ready: eks-blueprint-green: burnham-worker 1/2 not ready); fix them and retry, or set force (needs bluegreen.cutover.force)',
      );
      expect(sandbox.changeLog()).toHaveLength(0);
      // Read on behalf of the task's initiator.
      expect(reads).toHaveLength(1);
      expect(reads[0][2]).toMatchObject({
        principal: { type: 'user' },
      });
    });

    it('refuses when the clusters cannot be read (unknown is not passed)', async () => {
      const { cutover } = testCutover({
        blue: { state: 'unreachable', error: 'ECONNREFUSED' },
        green: { state: 'unreachable', error: 'ECONNREFUSED' },
      });
      const { done } = run(
        new Route53WeightedRecords(client),
        route53Input({ blue: 0, green: 100 }),
        { cutover },
      );
      await expect(done).rejects.toThrow(
        'green workloads ready: unknown, eks-blueprint-green unreachable: ECONNREFUSED',
      );
      expect(sandbox.changeLog()).toHaveLength(0);
    });

    it('with force (and bluegreen.cutover.force) changes the records and logs what it overrode', async () => {
      const { cutover } = testCutover(greenWorkerNotReady);
      const { ctx, done } = run(
        new Route53WeightedRecords(client),
        { ...route53Input({ blue: 50, green: 50 }), force: true },
        { cutover },
      );
      const warn = jest.spyOn(ctx.logger, 'warn');
      await done;
      expect(await weightsIn(client, zone, BURNHAM)).toEqual({
        [CLUSTERS.blue]: 50,
        [CLUSTERS.green]: 50,
      });
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining(
          'Pre-flight failed, overridden by force: green workloads ready: eks-blueprint-green: burnham-worker 1/2 not ready',
        ),
      );
    });

    it('a dry run reports the failing pre-flight too, and writes nothing', async () => {
      const { cutover } = testCutover(greenWorkerNotReady);
      const { done } = run(
        new Route53WeightedRecords(client),
        route53Input({ blue: 0, green: 100 }),
        { cutover, isDryRun: true },
      );
      await expect(done).rejects.toThrow('the pre-flight checks failed');
      expect(sandbox.changeLog()).toHaveLength(0);
    });

    it('a change that is already in place needs no pre-flight', async () => {
      const { cutover, reads } = testCutover(greenWorkerNotReady);
      const { ctx, done } = run(
        new Route53WeightedRecords(client),
        route53Input({ blue: 100, green: 0 }),
        { cutover },
      );
      await done;
      expect(outputs(ctx as any).changed).toBe(false);
      expect(reads).toHaveLength(0);
    });
  });

  it('is read back by an independent client: Debian awscli', async () => {
    await run(
      new Route53WeightedRecords(client),
      route53Input({ blue: 30, green: 70 }),
    ).done;

    const aws = await promisify(execFile)(
      'aws',
      [
        '--endpoint-url',
        sandbox.url,
        '--region',
        'us-east-1',
        '--output',
        'json',
        'route53',
        'list-resource-record-sets',
        '--hosted-zone-id',
        zone,
        '--start-record-name',
        BURNHAM,
        '--start-record-type',
        'A',
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: createMockDirectory().path,
          AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
        },
      },
    ).catch(error => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(
          "This test needs the AWS CLI as an independent client: install Debian's awscli (apt-get install awscli); scripts/install-system-deps.sh does.",
        );
      }
      throw error;
    });
    const listed = JSON.parse(aws.stdout).ResourceRecordSets as Array<{
      Name: string;
      SetIdentifier: string;
      Weight: number;
    }>;
    expect(
      Object.fromEntries(
        listed
          .filter(r => r.Name === `${BURNHAM}.`)
          .map(r => [r.SetIdentifier, r.Weight]),
      ),
    ).toEqual({ [CLUSTERS.blue]: 30, [CLUSTERS.green]: 70 });
  });

  it('fails cleanly when a weight changes between its read and its write, changing nothing', async () => {
    // Someone else moves the weights right after the action has read them.
    class Interloper extends Route53WeightedRecords {
      async swapWeights(
        group: WeightedRecordGroup,
        weights: Record<string, number>,
      ) {
        const blue = group.records.find(
          r => r.SetIdentifier === CLUSTERS.blue,
        )!;
        await upsertRecord(client, zone, { ...blue, Weight: 70 });
        return super.swapWeights(group, weights);
      }
    }
    const { ctx, done } = run(
      new Interloper(client),
      route53Input({ blue: 0, green: 100 }),
    );

    await expect(done).rejects.toThrow(
      'changed by someone else: expected blue=100 green=0, found blue=70 green=0; this change was not applied',
    );
    expect(await weightsIn(client, zone, BURNHAM)).toEqual({
      [CLUSTERS.blue]: 70,
      [CLUSTERS.green]: 0,
    });
    expect(sandbox.changeLog()).toHaveLength(1); // the interloper's, not ours
    expect(outputs(ctx as any).changeId).toBeUndefined();
  });

  it('fails with the conflict, before writing, when the caller expected other weights', async () => {
    await expect(
      run(new Route53WeightedRecords(client), {
        ...route53Input({ blue: 0, green: 100 }),
        expected: { blue: 50, green: 50 },
      }).done,
    ).rejects.toThrow(
      'changed by someone else: expected blue=50 green=50, found blue=100 green=0',
    );
    expect(sandbox.changeLog()).toHaveLength(0);
  });

  it('20 concurrent calls on one record: each applies on the state it read or fails with the conflict; no lost update', async () => {
    const targets = Array.from({ length: 20 }, (_, i) => ({
      blue: i + 1,
      green: 200 - i,
    }));
    const runs = targets.map(weights =>
      run(new Route53WeightedRecords(client), route53Input(weights)),
    );
    const results = await Promise.allSettled(runs.map(r => r.done));

    // A call that wrote has a change id; one that met another's write first has none
    // and failed with the conflict.
    const applied = sandbox.changeLog();
    const wrote = runs.filter(r => outputs(r.ctx as any).changeId);
    const refused = results.filter(
      (_, i) => !outputs(runs[i].ctx as any).changeId,
    );
    expect(refused.map(r => r.status)).toEqual(refused.map(() => 'rejected'));
    expect(
      refused.map(r => String((r as PromiseRejectedResult).reason)),
    ).toEqual(
      refused.map(() => expect.stringMatching(/changed by someone else/)),
    );
    expect(wrote.length).toBeGreaterThanOrEqual(1);
    expect(applied).toHaveLength(wrote.length);

    // Replay the change log: every applied change started from the weights its call
    // read, and the final state is the last applied call's target.
    let state = { blue: 100, green: 0 };
    for (const change of applied) {
      const call = wrote.find(
        r => `/change/${outputs(r.ctx as any).changeId}` === change.id,
      )!;
      const out = outputs(call.ctx as any);
      expect(out.previousWeights).toEqual(state);
      state = out.weights;
    }
    const last = runs.indexOf(
      wrote.find(
        r =>
          `/change/${outputs(r.ctx as any).changeId}` ===
          applied[applied.length - 1].id,
      )!,
    );
    expect(results[last].status).toBe('fulfilled');
    expect(await weightsIn(client, zone, BURNHAM)).toEqual({
      [CLUSTERS.blue]: state.blue,
      [CLUSTERS.green]: state.green,
    });
  });

  it.each([
    [
      'all weights 0',
      route53Input({ blue: 0, green: 0 }),
      'weights: blue and green must not both be 0',
    ],
    [
      'a weight above 255',
      route53Input({ blue: 256, green: 0 }),
      'weights.blue: must be between 0 and 255',
    ],
    [
      'a hostname without weighted records',
      route53Input({ blue: 0, green: 100 }, 'nothing'),
      'hostname: there are no weighted A nothing.eks-blueprint.example.com. in zone',
    ],
    [
      'records external-dns owns, without force',
      route53Input({ blue: 0, green: 100 }, 'checkout'),
      'would revert a direct Route 53 change within about a minute',
    ],
    [
      'a hostname that disagrees with the entity',
      { ...route53Input({ blue: 0, green: 100 }), hostname: CHECKOUT },
      `hostname: "${CHECKOUT}" disagrees with bluegreen/hostname "${BURNHAM}" of component:default/burnham`,
    ],
    [
      'a cluster that disagrees with the entity',
      {
        ...route53Input({ blue: 0, green: 100 }),
        clusters: { blue: 'old-blue', green: CLUSTERS.green },
      },
      `clusters.blue: "old-blue" disagrees with bluegreen/blue-cluster "${CLUSTERS.blue}"`,
    ],
    [
      'a hosted zone that disagrees with the entity',
      { ...route53Input({ blue: 0, green: 100 }), hostedZone: 'example.org' },
      `hostedZone: "example.org" disagrees with bluegreen/hosted-zone "${ZONE_NAME}"`,
    ],
    [
      'a record type that disagrees with the entity',
      { ...route53Input({ blue: 0, green: 100 }), recordType: 'AAAA' },
      'recordType: "AAAA" disagrees with bluegreen/record-type "A"',
    ],
  ])('refuses %s and writes nothing', async (_, input, message) => {
    await expect(
      run(new Route53WeightedRecords(client), input as JsonObject).done,
    ).rejects.toThrow(message);
    expect(sandbox.changeLog()).toHaveLength(0);
    expect(sandbox.requestCounts().ChangeResourceRecordSets ?? 0).toBe(0);
  });

  it("refuses set identifiers that are not the entity's clusters, writing nothing", async () => {
    const oldClusters = blueGreenComponent('burnham', BURNHAM);
    oldClusters.metadata.annotations!['bluegreen/blue-cluster'] = 'old-blue';
    await expect(
      run(
        new Route53WeightedRecords(client),
        route53Input({ blue: 0, green: 100 }),
        { entities: [oldClusters] },
      ).done,
    ).rejects.toThrow(
      `clusters: the weighted A ${BURNHAM}. in zone ${ZONE_NAME}.`,
    );
    expect(sandbox.changeLog()).toHaveLength(0);
  });

  it('changes records external-dns owns when forced', async () => {
    await run(new Route53WeightedRecords(client), {
      ...route53Input({ blue: 0, green: 100 }, 'checkout'),
      force: true,
    }).done;
    expect(await weightsIn(client, zone, CHECKOUT)).toEqual({
      [CLUSTERS.blue]: 0,
      [CLUSTERS.green]: 100,
    });
  });

  it('writes nothing in a dry run or when the weights are already set', async () => {
    const dry = run(
      new Route53WeightedRecords(client),
      route53Input({ blue: 0, green: 100 }),
      { isDryRun: true },
    );
    await dry.done;
    const same = run(
      new Route53WeightedRecords(client),
      route53Input({ blue: 100, green: 0 }),
    );
    await same.done;
    expect(sandbox.changeLog()).toHaveLength(0);
    expect(outputs(dry.ctx as any).changed).toBe(true); // would change
    expect(outputs(same.ctx as any).changed).toBe(false);
  });
});

describe('bluegreen:set-weight under throttling (AWS sandbox stand-in)', () => {
  it("completes with the SDK's backoff when Route 53 answers Throttling", async () => {
    const sandbox = await startSandbox({
      insyncDelayMs: 0,
      throttle: { burst: 3, refillPerSecond: 4 },
    });
    const client = sandboxRoute53(sandbox.url, { maxAttempts: 10 });
    try {
      const results = await Promise.allSettled(
        [10, 20, 30, 40].map(
          green =>
            run(
              new Route53WeightedRecords(client),
              route53Input({ blue: 100, green }),
            ).done,
        ),
      );
      expect(sandbox.requestCounts().Throttled).toBeGreaterThan(0);
      // Throttling is retried; only a conflict between the calls may fail one.
      const reasons = results
        .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        .map(r => String(r.reason));
      expect(reasons).toEqual(
        reasons.map(() => expect.stringMatching(/changed by someone else/)),
      );
      expect(results.some(r => r.status === 'fulfilled')).toBe(true);
    } finally {
      client.destroy();
      await sandbox.close();
    }
  });
});

describe('bluegreen:set-weight waiting for INSYNC (AWS sandbox stand-in)', () => {
  it('retries PriorRequestNotComplete with backoff', async () => {
    const sandbox = await startSandbox({
      insyncDelayMs: 0,
      throttle: false,
      priorRequestWindowMs: 300,
    });
    const client = sandboxRoute53(sandbox.url);
    try {
      await run(
        new Route53WeightedRecords(client),
        route53Input({ blue: 100, green: 10 }),
      ).done;
      await run(
        new Route53WeightedRecords(client),
        route53Input({ blue: 100, green: 20 }),
      ).done;
      expect(sandbox.requestCounts().PriorRequestNotComplete).toBeGreaterThan(
        0,
      );
      expect(sandbox.changeLog()).toHaveLength(2);
      expect(
        await weightsIn(client, await sandboxZoneId(client), BURNHAM),
      ).toEqual({
        [CLUSTERS.blue]: 100,
        [CLUSTERS.green]: 20,
      });
    } finally {
      client.destroy();
      await sandbox.close();
    }
  });

  it('stops waiting when the task is cancelled, saying the change was accepted', async () => {
    const sandbox = await startSandbox({
      insyncDelayMs: 60_000,
      throttle: false,
    });
    const client = sandboxRoute53(sandbox.url);
    try {
      const controller = new AbortController();
      const { action } = setWeightAction(
        async () => new Route53WeightedRecords(client),
      );
      const ctx = {
        ...createMockActionContext({
          input: route53Input({ blue: 0, green: 100 }),
        }),
        signal: controller.signal,
      };
      const info = jest.spyOn(ctx.logger, 'info');
      const done = action.handler(ctx as any);
      while (!info.mock.calls.some(c => /: PENDING after/.test(String(c[0])))) {
        await new Promise(resolve => setTimeout(resolve, 20));
      }
      controller.abort();
      await expect(done).rejects.toThrow(
        /^cancelled while waiting for change \S+; Route 53 had already accepted it and applies it regardless \(blue=0 green=100\)$/,
      );
      expect(outputs(ctx as any).changeId).toEqual(expect.any(String));
      expect(sandbox.changeLog()).toHaveLength(1);
    } finally {
      client.destroy();
      await sandbox.close();
    }
  });
});

describe('bluegreen:set-weight resumed by scaffolder task recovery (AWS sandbox stand-in)', () => {
  /**
   * The task's checkpoints as the scaffolder keeps them for a resumed task; `sentFrom`
   * seeds the marker an earlier attempt saved just before it sent (its key names the
   * change: any `route53-sending-*`).
   */
  function checkpoints(sentFrom?: { blue: number; green: number }) {
    const saved = new Map<string, unknown>();
    return {
      saved,
      checkpoint: async ({ key, fn }: { key: string; fn: () => unknown }) => {
        if (sentFrom && key.startsWith('route53-sending-') && !saved.has(key)) {
          saved.set(key, { previous: sentFrom });
        }
        if (!saved.has(key)) saved.set(key, await fn());
        return saved.get(key);
      },
    };
  }

  /** The sandbox stand-in (no throttle) and a Route 53 client of it, for one test. */
  async function inSandbox(
    insyncDelayMs: number,
    test: (sandbox: Sandbox, client: Route53Client) => Promise<void>,
  ) {
    const sandbox = await startSandbox({ insyncDelayMs, throttle: false });
    const client = sandboxRoute53(sandbox.url);
    try {
      await test(sandbox, client);
    } finally {
      client.destroy();
      await sandbox.close();
    }
  }

  function attempt(
    client: Route53Client,
    input: JsonObject,
    saved: ReturnType<typeof checkpoints>,
    signal?: AbortSignal,
  ) {
    const { action } = setWeightAction(
      async () => new Route53WeightedRecords(client),
    );
    const ctx = {
      ...createMockActionContext({ input }),
      checkpoint: saved.checkpoint,
      ...(signal && { signal }),
    };
    return { ctx, done: action.handler(ctx as any) };
  }

  it('a task whose replica died while it waited for INSYNC resumes waiting for the change it sent: no second change batch', async () => {
    await inSandbox(60_000, async (sandbox, client) => {
      const input = {
        ...route53Input({ blue: 0, green: 100 }),
        expected: { blue: 100, green: 0 },
      };
      const saved = checkpoints();
      // The first attempt's replica goes away mid-wait (here: its signal).
      const dying = new AbortController();
      const first = attempt(client, input, saved, dying.signal);
      while (sandbox.changeLog().length === 0) {
        await new Promise(resolve => setTimeout(resolve, 20));
      }
      dying.abort();
      await expect(first.done).rejects.toThrow(/cancelled while waiting/);
      sandbox.faults.insyncDelay(100);

      const resumed = attempt(client, input, saved);
      await resumed.done;
      expect(sandbox.changeLog()).toHaveLength(1);
      expect(outputs(resumed.ctx as any)).toMatchObject({
        changed: true,
        changeId: sandbox.changeLog()[0].id.replace(/^\/change\//, ''),
        previousWeights: { blue: 100, green: 0 },
      });
      expect(
        await weightsIn(client, await sandboxZoneId(client), BURNHAM),
      ).toEqual({
        [CLUSTERS.blue]: 0,
        [CLUSTERS.green]: 100,
      });
    });
  });

  it('two changes made by one step (an `each` loop) keep their own checkpoints: the second is sent, not taken for the first', async () => {
    await inSandbox(0, async (sandbox, client) => {
      const step = checkpoints();
      await attempt(
        client,
        {
          ...route53Input({ blue: 0, green: 100 }),
          expected: { blue: 100, green: 0 },
        },
        step,
      ).done;
      await attempt(
        client,
        {
          ...route53Input({ blue: 50, green: 50 }),
          expected: { blue: 0, green: 100 },
        },
        step,
      ).done;
      expect(sandbox.changeLog()).toHaveLength(2);
      expect(
        await weightsIn(client, await sandboxZoneId(client), BURNHAM),
      ).toEqual({
        [CLUSTERS.blue]: 50,
        [CLUSTERS.green]: 50,
      });
    });
  });

  it('an attempt that died after marking its send but before recording the change: Route 53 says whether it was applied (taken for done, sent again, or refused as changed by someone else); without the mark, the compare-and-swap decides', async () => {
    const sentFrom = (previous: { blue: number; green: number }) =>
      checkpoints(previous);
    const toGreen = {
      ...route53Input({ blue: 0, green: 100 }),
      expected: { blue: 100, green: 0 },
    };
    await inSandbox(0, async (sandbox, client) => {
      // Its batch was applied: done, from the weights it sent from; nothing sent again.
      await attempt(client, toGreen, checkpoints()).done;
      const applied = attempt(
        client,
        toGreen,
        sentFrom({ blue: 100, green: 0 }),
      );
      await applied.done;
      expect(outputs(applied.ctx as any)).toMatchObject({
        changed: true,
        previousWeights: { blue: 100, green: 0 },
      });
      expect(sandbox.changeLog()).toHaveLength(1);

      // Without the mark, the same weights are someone else's change.
      await expect(
        attempt(client, toGreen, checkpoints()).done,
      ).rejects.toThrow(
        'changed by someone else: expected blue=100 green=0, found blue=0 green=100',
      );
      // Marked from 100/0, but Route 53 holds 0/100 and the task asks for 50/50:
      // someone else moved it; nothing is sent.
      await expect(
        attempt(
          client,
          {
            ...route53Input({ blue: 50, green: 50 }),
            expected: { blue: 100, green: 0 },
          },
          sentFrom({ blue: 100, green: 0 }),
        ).done,
      ).rejects.toThrow(
        'changed by someone else: an earlier attempt of this task sent its change from blue=100 green=0, and Route 53 now holds blue=0 green=100; nothing was sent again',
      );
      expect(sandbox.changeLog()).toHaveLength(1);

      // Marked from what Route 53 still holds: its batch never arrived; sent now.
      const again = attempt(
        client,
        {
          ...route53Input({ blue: 50, green: 50 }),
          expected: { blue: 0, green: 100 },
        },
        sentFrom({ blue: 0, green: 100 }),
      );
      await again.done;
      expect(sandbox.changeLog()).toHaveLength(2);
      expect(
        await weightsIn(client, await sandboxZoneId(client), BURNHAM),
      ).toEqual({
        [CLUSTERS.blue]: 50,
        [CLUSTERS.green]: 50,
      });
    });
  });
});

describe('bluegreen:set-weight, gitops mode (Route 53: the AWS sandbox stand-in)', () => {
  const workspace = createMockDirectory();
  const noRoute53 = async (): Promise<Route53WeightedRecords> => {
    throw new Error('Route 53 cannot be reached');
  };
  let sandbox: Sandbox;
  let client: Route53Client;
  // Serves burnham at 100/0, as the fixture's weight files say.
  const servedRoute53 = async () => new Route53WeightedRecords(client);

  beforeAll(async () => {
    sandbox = await startSandbox({ throttle: false });
    client = sandboxRoute53(sandbox.url);
  });
  afterAll(async () => {
    client.destroy();
    await sandbox.close();
  });
  beforeEach(() => {
    workspace.clear();
    copyGeneration(workspace.path);
  });

  function snapshot() {
    const files: Record<string, string> = {};
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        const rel = path.relative(workspace.path, full);
        if (entry.isSymbolicLink()) {
          files[rel] = `-> ${fs.readlinkSync(full)}`;
        } else if (entry.isDirectory()) {
          walk(full);
        } else {
          files[rel] = fs.readFileSync(full, 'utf8');
        }
      }
    };
    walk(workspace.path);
    return files;
  }

  const gitopsInput = (weights: { blue: number; green: number }) => ({
    entityRef: 'component:default/burnham',
    weights,
  });

  it("writes both cluster stacks' weight files and changes nothing else", async () => {
    const before = snapshot();
    const { action } = setWeightAction(servedRoute53);
    const ctx = createMockActionContext({
      input: gitopsInput({ blue: 0, green: 100 }),
      workspacePath: workspace.path,
    });
    await action.handler(ctx as any);

    const after = snapshot();
    expect(after['eks-blue/traffic.auto.tfvars']).toBe(weightFileContent(0));
    expect(after['eks-green/traffic.auto.tfvars']).toBe(weightFileContent(100));
    const changed = Object.keys(after).filter(f => after[f] !== before[f]);
    expect(changed.sort()).toEqual([
      'eks-blue/traffic.auto.tfvars',
      'eks-green/traffic.auto.tfvars',
    ]);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    const out = outputs(ctx as any);
    expect(out.previousWeights).toEqual({ blue: 100, green: 0 });
    expect(out.changed).toBe(true);
  });

  it('refuses a failed pre-flight (green worker not ready), writing nothing; with force writes and logs the override', async () => {
    const notReady = testCutover({
      ...READY_WORKLOADS,
      green: {
        state: 'ok',
        deployments: [
          { name: 'burnham', ready: 3, desired: 3, podsNotReady: [] },
          { name: 'burnham-worker', ready: 1, desired: 2, podsNotReady: [] },
        ],
      },
    }).cutover;
    const before = snapshot();
    const { action } = setWeightAction(servedRoute53, { cutover: notReady });
    await expect(
      action.handler(
        createMockActionContext({
          input: gitopsInput({ blue: 0, green: 100 }),
          workspacePath: workspace.path,
        }) as any,
      ),
    ).rejects.toThrow(
      'weights: the pre-flight checks failed (green workloads ready: eks-blueprint-green: burnham-worker 1/2 not ready',
    );
    expect(snapshot()).toEqual(before);

    const ctx = createMockActionContext({
      input: { ...gitopsInput({ blue: 0, green: 100 }), force: true },
      workspacePath: workspace.path,
    });
    const warn = jest.spyOn(ctx.logger, 'warn');
    await action.handler(ctx as any);
    expect(snapshot()['eks-green/traffic.auto.tfvars']).toBe(
      weightFileContent(100),
    );
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('Pre-flight failed, overridden by force'),
    );
  });

  it('refuses, writing nothing, when a weight file is not machine-shaped', async () => {
    fs.writeFileSync(
      path.join(workspace.path, 'eks-green/traffic.auto.tfvars'),
      'route53_weight = var.other\n',
    );
    const before = snapshot();
    const { action } = setWeightAction(servedRoute53);
    await expect(
      action.handler(
        createMockActionContext({
          input: gitopsInput({ blue: 0, green: 100 }),
          workspacePath: workspace.path,
        }) as any,
      ),
    ).rejects.toThrow(
      'mode: gitops needs the weight files: eks-green/traffic.auto.tfvars line 1 is not a simple "name = number" assignment',
    );
    expect(snapshot()).toEqual(before);
  });

  it('compares expected with what Route 53 serves, not with the files: refuses, writing nothing', async () => {
    // Its own stand-in: this one serves 50/50.
    const other = await startSandbox({ throttle: false });
    const otherClient = sandboxRoute53(other.url);
    try {
      // The files say 100/0; Route 53 serves 50/50 (a route53-mode cutover wrote no file).
      const zone = await sandboxZoneId(otherClient);
      for (const record of await weightedRecords(otherClient, zone, BURNHAM)) {
        await upsertRecord(otherClient, zone, { ...record, Weight: 50 });
      }
      const before = snapshot();
      const { action } = setWeightAction(
        async () => new Route53WeightedRecords(otherClient),
      );
      await expect(
        action.handler(
          createMockActionContext({
            input: {
              ...gitopsInput({ blue: 0, green: 100 }),
              expected: { blue: 100, green: 0 },
            },
            workspacePath: workspace.path,
          }) as any,
        ),
      ).rejects.toThrow(
        'changed by someone else: expected blue=100 green=0, Route 53 serves blue=50 green=50; nothing was written',
      );
      expect(snapshot()).toEqual(before);
    } finally {
      otherClient.destroy();
      await other.close();
    }
  });

  it('refuses when Route 53 cannot be read (it decides the apply order), writing nothing', async () => {
    const before = snapshot();
    const { action } = setWeightAction(noRoute53);
    await expect(
      action.handler(
        createMockActionContext({
          input: {
            ...gitopsInput({ blue: 0, green: 100 }),
            expected: { blue: 100, green: 0 },
          },
          workspacePath: workspace.path,
        }) as any,
      ),
    ).rejects.toThrow(
      'mode: gitops needs to know what Route 53 serves, to apply the stack gaining weight first, and cannot read it',
    );
    expect(snapshot()).toEqual(before);
  });

  it.each([
    [{ blue: 0, green: 100 }, ['eks-green', 'eks-blue']],
    [{ blue: 100, green: 50 }, ['eks-green', 'eks-blue']],
    [{ blue: 50, green: 0 }, ['eks-blue', 'eks-green']],
  ])(
    'from 100/0 to %j the stack gaining weight is applied first (never all-zero between the applies): %j',
    async (weights, order) => {
      const { action } = setWeightAction(servedRoute53);
      const ctx = createMockActionContext({
        input: gitopsInput(weights),
        workspacePath: workspace.path,
      });
      await action.handler(ctx as any);
      expect(outputs(ctx as any).applyOrder).toEqual(order);
      // Each intermediate state — the first stack at its new weight, the second at its
      // old one — has a weight above 0.
      const old = { 'eks-blue': 100, 'eks-green': 0 } as Record<string, number>;
      const next = {
        'eks-blue': weights.blue,
        'eks-green': weights.green,
      } as Record<string, number>;
      expect(next[order[0]] + old[order[1]]).toBeGreaterThan(0);
    },
  );

  it("logs the weights Route 53 serves (the entity's zone) and changes nothing there", async () => {
    const logBefore = sandbox.changeLog().length;
    const { action } = setWeightAction(servedRoute53);
    const ctx = createMockActionContext({
      input: gitopsInput({ blue: 0, green: 100 }),
      workspacePath: workspace.path,
    });
    const info = jest.spyOn(ctx.logger, 'info');
    await action.handler(ctx as any);
    const lines = info.mock.calls.map(c => String(c[0]));
    expect(lines).toContainEqual(
      expect.stringMatching(/^Route 53 before: blue=100 green=0/),
    );
    expect(sandbox.changeLog()).toHaveLength(logBefore);
  });

  it('files that already hold the target while Route 53 serves something else (an unmerged pull request rolled back) still count as changed, so the stacks are applied', async () => {
    for (const [stack, weight] of [
      ['eks-blue', 0],
      ['eks-green', 100],
    ] as const) {
      fs.writeFileSync(
        path.join(workspace.path, stack, 'traffic.auto.tfvars'),
        weightFileContent(weight),
      );
    }
    const { action } = setWeightAction(servedRoute53);
    const ctx = createMockActionContext({
      input: gitopsInput({ blue: 0, green: 100 }),
      workspacePath: workspace.path,
    });
    await action.handler(ctx as any);
    const out = outputs(ctx as any);
    expect(out.changed).toBe(true);
    expect(out.previousWeights).toEqual({ blue: 100, green: 0 });
    expect(out.applyOrder).toEqual(['eks-green', 'eks-blue']);
  });
});

describe('bluegreen:set-weight, trust boundaries (against the AWS sandbox stand-in)', () => {
  let sandbox: Sandbox;
  let client: Route53Client;

  beforeEach(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 0, throttle: false });
    client = sandboxRoute53(sandbox.url);
  });
  afterEach(async () => {
    client.destroy();
    await sandbox.close();
  });

  const routeRequests = () =>
    Object.values(sandbox.requestCounts()).reduce((a, b) => a + b, 0);
  const mallory = 'user:default/mallory';
  const mine = (entity: Entity): Entity => ({
    ...entity,
    spec: { ...entity.spec, owner: mallory },
  });

  async function attempt(
    input: JsonObject,
    extra: { entities?: Entity[]; rule?: PermissionRule } = {},
  ) {
    const { action, auditor } = setWeightAction(
      async () => new Route53WeightedRecords(client),
      extra,
    );
    const ctx = createMockActionContext({ input });
    const result = action.handler(ctx as any);
    return { result, auditor };
  }

  it.each(examples.map(example => [example.description, example]))(
    'the example "%s" is valid input: refused only by the permission, not by validation',
    async (_description, example) => {
      const { input } = yaml.parse(example.example).steps[0];
      const { result } = await attempt(input, { rule: () => false });
      await expect(result).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining(
          'permission bluegreen.cutover on component:default/burnham',
        ),
      });
      expect(routeRequests()).toBe(0);
    },
  );

  it('without bluegreen.cutover on the entity: NotAllowedError naming the permission and the entity, audited, and not one Route 53 request', async () => {
    const { result, auditor } = await attempt(
      route53Input({ blue: 0, green: 100 }),
      { rule: ({ permission }) => permission !== 'bluegreen.cutover' },
    );
    await expect(result).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        'permission bluegreen.cutover on component:default/burnham',
      ),
    });
    expect(routeRequests()).toBe(0);
    const [[event]] = auditor.createEvent.mock.calls;
    expect(event).toMatchObject({
      eventId: 'bluegreen-action',
      severityLevel: 'high',
      meta: {
        action: 'bluegreen:set-weight',
        permissions: [
          {
            permission: 'bluegreen.cutover',
            entityRef: 'component:default/burnham',
          },
        ],
      },
    });
    const audit = await auditor.createEvent.mock.results[0].value;
    expect(audit.fail).toHaveBeenCalledTimes(1);
    expect(audit.success).not.toHaveBeenCalled();
  });

  it('force without bluegreen.cutover.force: refused before any Route 53 request', async () => {
    const { result } = await attempt(
      { ...route53Input({ blue: 0, green: 100 }, 'checkout'), force: true },
      { rule: ({ permission }) => permission !== 'bluegreen.cutover.force' },
    );
    await expect(result).rejects.toThrow(
      'permission bluegreen.cutover.force on component:default/checkout',
    );
    expect(routeRequests()).toBe(0);
  });

  it("a Component a user registered naming burnham's hostname and zone: refused as ambiguous, burnham's records untouched", async () => {
    const own = mine(blueGreenComponent('my-burnham', BURNHAM));
    const { result } = await attempt(
      route53Input({ blue: 0, green: 100 }, 'my-burnham'),
      { entities: [...ENTITIES, own] },
    );
    await expect(result).rejects.toThrow(
      `bluegreen/hostname: ${BURNHAM} is claimed by other catalog entities too (component:default/burnham)`,
    );
    expect(sandbox.changeLog()).toHaveLength(0);
    expect(routeRequests()).toBe(0);
  });

  it('a zone outside bluegreen.traffic.hostedZones: refused naming the annotation and the config key', async () => {
    const elsewhere = blueGreenComponent('elsewhere', 'www.example.org');
    elsewhere.metadata.annotations!['bluegreen/hosted-zone'] = 'example.org';
    const { result } = await attempt(
      route53Input({ blue: 0, green: 100 }, 'elsewhere'),
      { entities: [elsewhere] },
    );
    await expect(result).rejects.toThrow(
      'bluegreen/hosted-zone: zone "example.org" is not one of the zones in bluegreen.traffic.hostedZones',
    );
    expect(routeRequests()).toBe(0);
  });

  it('a generation repository outside bluegreen.generations.repositories: refused naming the annotation', async () => {
    const evil = blueGreenComponent('burnham', BURNHAM);
    evil.metadata.annotations!['bluegreen/generation-repo'] =
      'github.com?owner=evil&repo=generation';
    const { result } = await attempt(route53Input({ blue: 0, green: 100 }), {
      entities: [evil],
    });
    await expect(result).rejects.toThrow(
      'bluegreen/generation-repo: repository github.com/evil/generation is not in bluegreen.generations.repositories',
    );
    expect(routeRequests()).toBe(0);
  });

  it('an allowed cutover is audited as a success with the initiator and the validated input', async () => {
    const { result, auditor } = await attempt(
      route53Input({ blue: 50, green: 50 }),
    );
    await result;
    const [[event]] = auditor.createEvent.mock.calls;
    expect(event.meta).toMatchObject({
      initiator: 'user:default/mock',
      input: {
        entityRef: 'component:default/burnham',
        weights: { blue: 50, green: 50 },
        mode: 'route53',
      },
    });
    const audit = await auditor.createEvent.mock.results[0].value;
    expect(audit.success).toHaveBeenCalledTimes(1);
  });
});

describe('bluegreen:set-weight, concurrent cutovers (against the AWS sandbox stand-in)', () => {
  let sandbox: Sandbox;
  let client: Route53Client;
  let zone: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 0, throttle: false });
    client = sandboxRoute53(sandbox.url);
    zone = await sandboxZoneId(client);
  });
  afterAll(async () => {
    client.destroy();
    await sandbox.close();
  });

  /** Sets both of burnham's records as another writer would. */
  async function setWeights(weights: { blue: number; green: number }) {
    for (const record of await weightedRecords(client, zone, BURNHAM)) {
      const colour = record.SetIdentifier === CLUSTERS.blue ? 'blue' : 'green';
      await upsertRecord(client, zone, { ...record, Weight: weights[colour] });
    }
  }

  /**
   * Route 53 reads that wait, after the first read of each of `parties` callers, until
   * every caller has read: both sides read before either writes.
   */
  function barrier(parties: number) {
    let waiting = 0;
    let open!: () => void;
    const opened = new Promise<void>(resolve => {
      open = resolve;
    });
    return class extends Route53WeightedRecords {
      private first = true;
      async readGroup(
        ...args: Parameters<Route53WeightedRecords['readGroup']>
      ) {
        const group = await super.readGroup(...args);
        if (this.first) {
          this.first = false;
          if (++waiting === parties) {
            open();
          }
          await opened;
        }
        return group;
      }
    };
  }

  async function race(
    targets: Array<{ blue: number; green: number }>,
  ): Promise<PromiseSettledResult<void>[]> {
    const Records = barrier(targets.length);
    return Promise.allSettled(
      targets.map(
        weights =>
          run(new Records(client), route53Input(weights)).done as Promise<void>,
      ),
    );
  }

  it('from 50/50, "blue 50 / green 0" and "blue 0 / green 50" both reading first: exactly one succeeds, the other fails with the conflict, Route 53 never holds 0/0', async () => {
    await setWeights({ blue: 50, green: 50 });
    const logBefore = sandbox.changeLog().length;

    const results = await race([
      { blue: 50, green: 0 },
      { blue: 0, green: 50 },
    ]);

    expect(results.map(r => r.status).sort()).toEqual([
      'fulfilled',
      'rejected',
    ]);
    const refused = results.find(
      r => r.status === 'rejected',
    ) as PromiseRejectedResult;
    expect(String(refused.reason)).toMatch(
      /changed by someone else: expected blue=50 green=50, found blue=(50 green=0|0 green=50); this change was not applied/,
    );
    const final = await weightsIn(client, zone, BURNHAM);
    expect(final[CLUSTERS.blue] + final[CLUSTERS.green]).toBeGreaterThan(0);
    expect(sandbox.changeLog().length - logBefore).toBe(1);
  });

  it('property: 200 random pairs of concurrent cutovers from random weights each end at one of the two targets, never all-zero', async () => {
    // Seeded (mulberry32), so that a failure can be replayed.
    let seed = 20261201;
    const random = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const weights = () => {
      for (;;) {
        const w = { blue: random(256), green: random(256) };
        if (w.blue + w.green > 0) return w;
      }
    };
    const outcomes = { oneWrote: 0, noneNeeded: 0 };
    for (let round = 0; round < 200; round++) {
      const start = weights();
      await setWeights(start);
      // Often a target keeps one of the current weights: a change batch that left that
      // record out would not be compared by Route 53 (the 0/0 race).
      const target = (keep: 'blue' | 'green') => {
        for (;;) {
          const w = weights();
          const kept = random(3) > 0 ? { ...w, [keep]: start[keep] } : w;
          if (kept.blue + kept.green > 0) return kept;
        }
      };
      const targets = [target('blue'), target('green')];
      const logBefore = sandbox.changeLog().length;

      const results = await race(targets);

      const final = await weightsIn(client, zone, BURNHAM);
      const finalWeights = {
        blue: final[CLUSTERS.blue],
        green: final[CLUSTERS.green],
      };
      const context = `round ${round}: start ${JSON.stringify(
        start,
      )}, targets ${JSON.stringify(targets)}, final ${JSON.stringify(
        finalWeights,
      )}`;
      expect({
        context,
        allZero: finalWeights.blue + finalWeights.green === 0,
      }).toEqual({
        context,
        allZero: false,
      });
      expect({
        context,
        oneOfTargets: targets.some(
          t => t.blue === finalWeights.blue && t.green === finalWeights.green,
        ),
      }).toEqual({
        context,
        oneOfTargets: true,
      });
      // At most one batch is accepted per race: the whole group is compared and swapped.
      const written = sandbox.changeLog().length - logBefore;
      expect({ context, written: written <= 1 }).toEqual({
        context,
        written: true,
      });
      if (written === 1) outcomes.oneWrote++;
      else outcomes.noneNeeded++;
      expect(results.some(r => r.status === 'fulfilled')).toBe(true);
    }
    // The counts the closing note of the traffic-invariants issue quotes.
    // eslint-disable-next-line no-console
    console.info(`200 races: ${JSON.stringify(outcomes)}`);
    // Almost every round writes (a target equal to the start needs no write).
    expect(outcomes.oneWrote).toBeGreaterThan(180);
  });

  it('a change batch whose response was lost is retried by the SDK and reported as applied, not as "nothing was changed"', async () => {
    await setWeights({ blue: 100, green: 0 });
    const logBefore = sandbox.changeLog().length;
    sandbox.faults.dropChangeResponses(1);
    sandbox.resetRequestCounts();

    const { ctx, done } = run(
      new Route53WeightedRecords(client),
      route53Input({ blue: 0, green: 100 }),
    );
    const warn = jest.spyOn(ctx.logger, 'warn');
    await done;

    expect(sandbox.requestCounts().DroppedResponse).toBe(1);
    // The SDK sent the batch again; the retry met our own first attempt and was refused.
    expect(sandbox.requestCounts().ChangeResourceRecordSets).toBe(2);
    expect(sandbox.changeLog().length - logBefore).toBe(1);
    expect(await weightsIn(client, zone, BURNHAM)).toEqual({
      [CLUSTERS.blue]: 0,
      [CLUSTERS.green]: 100,
    });
    expect(outputs(ctx as any).changed).toBe(true);
    expect(warn.mock.calls.map(String).join('\n')).toContain(
      'holds exactly the requested weights: the change was applied',
    );
  });
});

describe('bluegreen:set-weight, external-dns registries with a --txt-prefix (against the AWS sandbox stand-in)', () => {
  let sandbox: Sandbox;
  let client: Route53Client;

  beforeEach(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 0, throttle: false });
    client = sandboxRoute53(sandbox.url);
    const zone = await sandboxZoneId(client);
    // external-dns --txt-prefix=extdns- registers burnham's weighted records.
    for (const record of await weightedRecords(client, zone, BURNHAM)) {
      await upsertRecord(client, zone, {
        Name: `extdns-a-${BURNHAM}`,
        Type: 'TXT',
        TTL: 300,
        SetIdentifier: record.SetIdentifier,
        Weight: record.Weight,
        ResourceRecords: [
          {
            Value: `"heritage=external-dns,external-dns/owner=${record.SetIdentifier}"`,
          },
        ],
      });
    }
  });
  afterEach(async () => {
    client.destroy();
    await sandbox.close();
  });

  it('with bluegreen.traffic.externalDns.txtPrefix the prefixed registry is detected: route53 mode is refused without force', async () => {
    const records = new Route53WeightedRecords(client, {
      registry: { txtPrefix: 'extdns-' },
    });
    const logBefore = sandbox.changeLog().length;
    await expect(
      run(records, route53Input({ blue: 0, green: 100 })).done,
    ).rejects.toThrow(
      `mode: the records are owned by external-dns (${CLUSTERS.blue}: owner ${CLUSTERS.blue}, ${CLUSTERS.green}: owner ${CLUSTERS.green})`,
    );
    expect(sandbox.changeLog().length).toBe(logBefore);
  });

  it('without the setting the prefixed registry is not recognised (why the setting exists)', async () => {
    const group = await new Route53WeightedRecords(client).readGroup(
      await new Route53WeightedRecords(client).resolveZone(BURNHAM, ZONE_NAME),
      BURNHAM,
      'A',
    );
    expect(group.owners).toEqual({});
  });
});

describe('bluegreen:set-weight, the cutover lease (against the AWS sandbox stand-in)', () => {
  let sandbox: Sandbox;
  let client: Route53Client;

  beforeEach(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 0, throttle: false });
    client = sandboxRoute53(sandbox.url);
  });
  afterEach(async () => {
    client.destroy();
    await sandbox.close();
  });

  const key = leaseKey(ZONE_NAME, BURNHAM, 'A');

  it('while another task holds the record group: refused at once with the conflict naming the holder, Route 53 untouched', async () => {
    const { store, leases } = await testLeases();
    await store.acquire(
      key,
      { taskId: 'task-other', user: 'user:default/alice' },
      60_000,
    );
    const { action } = setWeightAction(
      async () => new Route53WeightedRecords(client),
      { leases },
    );
    await expect(
      action.handler(
        createMockActionContext({
          input: route53Input({ blue: 0, green: 100 }),
        }) as any,
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringMatching(
        /another cutover of burnham\.eks-blueprint\.example\.com is in progress: task task-other by user:default\/alice since \S+Z/,
      ),
    });
    expect(sandbox.changeLog()).toHaveLength(0);
    expect(sandbox.requestCounts().ListResourceRecordSets ?? 0).toBe(0);
  });

  it('holds the lease while it changes Route 53 and releases it when done, and when it fails', async () => {
    const { store, leases } = await testLeases();
    let heldDuringChange: unknown;
    class Watching extends Route53WeightedRecords {
      async swapWeights(
        ...args: Parameters<Route53WeightedRecords['swapWeights']>
      ) {
        heldDuringChange = await store.holder(key);
        return super.swapWeights(...args);
      }
    }
    const { action } = setWeightAction(async () => new Watching(client), {
      leases,
    });
    await action.handler(
      createMockActionContext({
        input: route53Input({ blue: 0, green: 100 }),
      }) as any,
    );
    expect(heldDuringChange).toMatchObject({
      taskId: 'mock-task-id',
      user: 'user:default/mock',
    });
    expect(await store.holder(key)).toBeUndefined();

    await expect(
      action.handler(
        createMockActionContext({
          input: {
            ...route53Input({ blue: 100, green: 0 }),
            expected: { blue: 1, green: 1 },
          },
        }) as any,
      ),
    ).rejects.toThrow('changed by someone else');
    expect(await store.holder(key)).toBeUndefined();
  });
});

describe('bluegreen:set-weight, a --txt-suffix registry that sorts before its record (against the AWS sandbox stand-in)', () => {
  it('finds "burnham-a" (which Route 53 lists before "burnham": "-" sorts below ".") and refuses route53 mode without force', async () => {
    const sandbox = await startSandbox({ insyncDelayMs: 0, throttle: false });
    const client = sandboxRoute53(sandbox.url);
    try {
      const zone = await sandboxZoneId(client);
      for (const record of await weightedRecords(client, zone, BURNHAM)) {
        await upsertRecord(client, zone, {
          Name: BURNHAM.replace('burnham.', 'burnham-a.'),
          Type: 'TXT',
          TTL: 300,
          SetIdentifier: record.SetIdentifier,
          Weight: record.Weight,
          ResourceRecords: [
            {
              Value: `"heritage=external-dns,external-dns/owner=${record.SetIdentifier}"`,
            },
          ],
        });
      }
      const records = new Route53WeightedRecords(client, {
        registry: { txtSuffix: '-%{record_type}' },
      });
      await expect(
        run(records, route53Input({ blue: 0, green: 100 })).done,
      ).rejects.toThrow('mode: the records are owned by external-dns');
    } finally {
      client.destroy();
      await sandbox.close();
    }
  });
});
