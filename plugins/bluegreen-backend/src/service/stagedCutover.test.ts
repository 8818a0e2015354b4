/*
 * Staged cutover runs through the real backend: the bluegreen plugin (its engine driven
 * by the real SchedulerService's task), the real Kubernetes backend against real API servers for
 * the pre-flight, the real AWS SDK against the AWS sandbox (a local stand-in for Route
 * 53) and the sandbox's load balancer stand-ins for the direct probes. Catalog,
 * permissions and auditor are test doubles that record what they were asked.
 */
import {
  AuditorServiceEvent,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import {
  CutoverRunView,
  presetPlan,
  weightSplit,
} from '@bluegreen/plugin-bluegreen-common';
import {
  changeSplits,
  LoadBalancerStandIns,
  Sandbox,
  stagedChecksConfig,
  startSandbox,
} from '@bluegreen/example-sandbox';
import type { ExampleClusters } from '@bluegreen/example-kubernetes';
import { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import {
  BURNHAM,
  CLUSTERS,
  blueGreenComponent,
  SANDBOX_CREDENTIALS,
} from '../__testUtils__/sandbox';
import { startClusters } from '../__testUtils__/kubernetes';
import { SECURITY_CONFIG, sqliteDatabase } from '../__testUtils__/security';
import { bluegreenPlugin } from '../plugin';

jest.setTimeout(90_000);

const RUNS = '/api/bluegreen/cutover-runs';
const CUTOVER = '/api/bluegreen/entity/component/default/burnham/cutover';
const label = weightSplit;

describe('staged cutover runs (API, engine, scheduler, sandbox)', () => {
  let clusters: ExampleClusters;
  let sandbox: Sandbox;
  let lbs: LoadBalancerStandIns;
  const dir = createMockDirectory();
  const backends: Array<{ stop(): Promise<void> }> = [];
  beforeAll(async () => {
    clusters = await startClusters({ allReady: true });
  });
  afterAll(async () => {
    await clusters?.stop();
  });
  beforeEach(async () => {
    // Every check a staged run makes, against the sandbox's stand-ins: the load
    // balancers (direct probe, CloudWatch), the DNS stand-in (DNS and share checks).
    sandbox = await startSandbox({
      insyncDelayMs: 100,
      throttle: false,
      dns: {},
      loadBalancers: { clusters: [CLUSTERS.blue, CLUSTERS.green] },
    });
    lbs = sandbox.loadBalancers!;
  });
  afterEach(async () => {
    for (const backend of backends.splice(0)) {
      await backend.stop();
    }
    dir.clear();
    await sandbox.close();
  });

  async function startBackend(
    options: {
      denied?: string[];
      soakSeconds?: number;
      annotations?: Record<string, string>;
    } = {},
  ) {
    const databaseFile = dir.resolve('bluegreen.sqlite');
    const withAnnotations = (entity: Entity): Entity => ({
      ...entity,
      metadata: {
        ...entity.metadata,
        annotations: { ...entity.metadata.annotations, ...options.annotations },
      },
    });
    const authorize = jest.fn(
      async (requests: Array<{ permission: { name: string } }>) =>
        requests.map(r => ({
          result: options.denied?.includes(r.permission.name)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
        })),
    );
    const audit = {
      success: jest.fn(async () => {}),
      fail: jest.fn(async () => {}),
    };
    const createEvent = jest.fn(
      async (_event: { eventId: string }) =>
        audit as unknown as AuditorServiceEvent,
    );
    const backend = await startTestBackend({
      features: [
        bluegreenPlugin,
        kubernetesPlugin,
        // The real scheduler (the test backend's mock one runs tasks only on demand).
        schedulerServiceFactory,
        // The bluegreen plugin's database is one file that every backend of a test
        // shares, as replicas share PostgreSQL; the other plugins have their own.
        createServiceFactory({
          service: coreServices.database,
          deps: { plugin: coreServices.pluginMetadata },
          factory: ({ plugin }) =>
            sqliteDatabase(
              plugin.getId() === 'bluegreen' ? databaseFile : ':memory:',
            ),
        }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: clusters.kubernetesConfig(),
            aws: { mainAccount: SANDBOX_CREDENTIALS },
            bluegreen: {
              aws: { endpoint: sandbox.url },
              traffic: {
                hostedZones: SECURITY_CONFIG.bluegreen.traffic.hostedZones,
              },
              generations: SECURITY_CONFIG.bluegreen.generations,
              cutover: {
                staged: {
                  probeIntervalSeconds: 0.25,
                  ttlSeconds: 1,
                  insyncSeconds: 0.5,
                  probe: { requests: 10 },
                  ...stagedChecksConfig(sandbox),
                },
              },
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [withAnnotations(blueGreenComponent('burnham', BURNHAM))],
        }),
        mockServices.permissions.mock({ authorize: authorize as any }).factory,
        mockServices.auditor.mock({ createEvent }).factory,
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
      ],
    });
    backends.push(backend);
    return { server: backend.server, backend, authorize, createEvent, audit };
  }

  const user = mockCredentials.user.header();
  const STAGED = presetPlan('staged', { blue: 100, green: 0 }, 'green');
  /** The staged preset with a soak on every step, or on the last one only. */
  const soaked = (soakSeconds: number, which: 'all' | 'last' = 'all') => ({
    ...STAGED,
    steps: STAGED.steps.map((step, i) =>
      which === 'all' || i === STAGED.steps.length - 1
        ? { ...step, soakSeconds }
        : step,
    ),
  });

  async function waitForRun(
    server: Parameters<typeof request>[0],
    runId: string,
    until: (run: CutoverRunView) => boolean,
  ): Promise<CutoverRunView> {
    for (let i = 0; i < 300; i++) {
      const res = await request(server)
        .get(`${RUNS}/${runId}`)
        .set('Authorization', user);
      expect(res.status).toBe(200);
      if (until(res.body)) return res.body;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    const last = await request(server)
      .get(`${RUNS}/${runId}`)
      .set('Authorization', user);
    throw new Error(
      `run ${runId} did not get there: ${JSON.stringify(last.body, null, 1)}`,
    );
  }
  const ended = (run: CutoverRunView) =>
    !['running', 'paused'].includes(run.status);
  /** The weights of each change batch the sandbox applied, blue/green. */
  const batches = () => changeSplits(sandbox.changeLog(), CLUSTERS);

  it("moves burnham to green in three verified steps (90/10, 50/50, 0/100), each one compare-and-swap batch, with every check's results on the run (direct probe, DNS, share, CloudWatch)", async () => {
    const { server, audit, createEvent } = await startBackend();
    const traffic = () =>
      request(server)
        .get('/api/bluegreen/entity/component/default/burnham/traffic')
        .set('Authorization', user);
    // Read (and cached for 10 s) before the run.
    expect((await traffic()).body.weights).toEqual({ blue: 100, green: 0 });
    // The last step soaks 2 s: its hold spans whole CloudWatch periods (1 s here).
    const res = await request(server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({
        plan: soaked(2, 'last'),
      });
    expect(res.status).toBe(201);
    const run = await waitForRun(server, res.body.runId, ended);
    expect(run.status).toBe('completed');
    expect(batches()).toEqual(['90/10', '50/50', '0/100']);
    expect(run.weights).toEqual({ blue: 0, green: 100 });
    expect(run.floor).toEqual({ ttlSeconds: 1, insyncSeconds: 0.5 });
    // Each step dropped the cached read: the status shows the new weights at once.
    expect((await traffic()).body).toMatchObject({
      weights: { blue: 0, green: 100 },
      dnsFloor: { ttlSeconds: 1, insyncSeconds: 0.5 },
    });
    expect(run.startedBy).toBe('user:default/mock');
    // The last hold (0/100) probed green alone, all answers good; every DNS answer
    // and every request to the hostname went to green; its load balancer's CloudWatch
    // metrics had no 5xx.
    expect(run.verification).toMatchObject({
      ok: true,
      clusters: {
        green: {
          requests: 10,
          successRatio: 1,
          dnsShare: 1,
          observedShare: 1,
          expectedShare: 1,
          cloudWatch: { errorRatio: 0 },
        },
        blue: { dnsShare: 0, observedShare: 0, expectedShare: 0 },
      },
    });
    expect(run.verification!.clusters.blue!.requests).toBeUndefined();
    expect(
      run.verification!.clusters.green!.cloudWatch!.requests,
    ).toBeGreaterThan(0);
    expect(run.events.map(e => e.message)).toEqual(
      expect.arrayContaining([
        'started',
        'step 90/10 in effect; holding 1.5 s',
        'step 50/50 held and verified',
        'completed at 0/100',
      ]),
    );
    expect(lbs.hostsSeen()[CLUSTERS.green]).toEqual([BURNHAM]);
    expect(
      createEvent.mock.calls.filter(
        ([event]) => event.eventId === 'cutover-run',
      ),
    ).toHaveLength(1);
    expect(audit.success).toHaveBeenCalled();
    // The history lists it.
    const list = await request(server)
      .get('/api/bluegreen/entity/component/default/burnham/cutover-runs')
      .set('Authorization', user);
    expect(list.body.runs.map((r: CutoverRunView) => [r.id, r.status])).toEqual(
      [[run.id, 'completed']],
    );
  });

  it('rolls back in stages (50/50 → 90/10 → 100/0, never all-zero) when green answers 5xx at 50 % from the 50/50 step, and records why', async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({ plan: STAGED });
    const runId = res.body.runId;
    await waitForRun(
      server,
      runId,
      r => r.stepIndex === 1 && label(r.weights) === '50/50',
    );
    lbs.setFaults(CLUSTERS.green, { errorRate: 0.5 });
    const run = await waitForRun(server, runId, ended);
    expect(run.status).toBe('rolled-back');
    expect(batches()).toEqual(['90/10', '50/50', '90/10', '100/0']);
    expect(run.reason).toMatch(
      /^step 2 \(50\/50\) failed verification: green: \d+(\.\d)? % of 10 probes succeeded/,
    );
    expect(run.weights).toEqual({ blue: 100, green: 0 });
  });

  it("rolls back in stages when green's burnham-worker stops being ready during the 50/50 hold (the workloads, read again through the Kubernetes backend)", async () => {
    const { server } = await startBackend();
    const plan = soaked(2);
    const res = await request(server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({ plan });
    await waitForRun(
      server,
      res.body.runId,
      r => label(r.weights) === '50/50' && r.holdLeftMs !== undefined,
    );
    const green = clusters.clusters[CLUSTERS.green];
    // What the Deployment controller would write when a pod stops being ready.
    await green.kubectl([
      'patch',
      'deployment',
      'burnham-worker',
      '-n',
      'team-burnham',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { readyReplicas: 1, availableReplicas: 1 } }),
    ]);
    try {
      const run = await waitForRun(server, res.body.runId, ended);
      expect(run.status).toBe('rolled-back');
      expect(run.reason).toContain(
        `step 2 (50/50) failed verification: green workloads ready: ${CLUSTERS.green}: burnham-worker 1/2 not ready`,
      );
      expect(batches()).toEqual(['90/10', '50/50', '90/10', '100/0']);
    } finally {
      await clusters.makeDeploymentReady(
        CLUSTERS.green,
        'team-burnham',
        'burnham-worker',
      );
    }
  });

  it('refuses a user without bluegreen.cutover (403, audited, nothing written), and their pause too', async () => {
    const allowed = await startBackend({ soakSeconds: 0 });
    const started = await request(allowed.server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({
        plan: soaked(30),
      });
    expect(started.status).toBe(201);

    const denied = await startBackend({ denied: ['bluegreen.cutover'] });
    const refused = await request(denied.server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({ plan: STAGED });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/bluegreen\.cutover/);
    expect(denied.audit.fail).toHaveBeenCalledTimes(1);

    const pause = await request(denied.server)
      .post(`${RUNS}/${started.body.runId}/pause`)
      .set('Authorization', user)
      .send({});
    expect(pause.status).toBe(403);
    expect(denied.audit.fail).toHaveBeenCalledTimes(2);
    const run = await waitForRun(
      allowed.server,
      started.body.runId,
      () => true,
    );
    expect(run.status).toBe('running');
    // Only the allowed run's first step reached Route 53.
    expect(batches().length).toBeLessThanOrEqual(1);
    await request(allowed.server)
      .post(`${RUNS}/${started.body.runId}/abort`)
      .set('Authorization', user)
      .send({ immediate: true });
  });

  it('refuses a second run while the first holds the record group (409, naming the run)', async () => {
    const { server } = await startBackend();
    const slow = soaked(30);
    const first = await request(server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({ plan: slow });
    expect(first.status).toBe(201);
    await waitForRun(server, first.body.runId, r => r.holdLeftMs !== undefined);
    const second = await request(server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({ plan: presetPlan('staged', { blue: 90, green: 10 }, 'green') });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toContain(
      `cutover-run:${first.body.runId}`,
    );
    await request(server)
      .post(`${RUNS}/${first.body.runId}/abort`)
      .set('Authorization', user)
      .send({ immediate: true });
    const run = await waitForRun(server, first.body.runId, ended);
    expect(run.status).toBe('rolled-back');
    expect(batches()).toEqual(['90/10', '100/0']);
  });

  it('pauses at the current weights and resumes from any replica; abort rolls back in stages', async () => {
    const { server } = await startBackend();
    const plan = soaked(2);
    const { body } = await request(server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({ plan });
    await waitForRun(server, body.runId, r => r.holdLeftMs !== undefined);
    const paused = await request(server)
      .post(`${RUNS}/${body.runId}/pause`)
      .set('Authorization', user)
      .send({});
    expect(paused.status).toBe(200);
    await waitForRun(server, body.runId, r => r.status === 'paused');
    // A paused run holds: nothing more is written while it is paused.
    await new Promise(resolve => setTimeout(resolve, 4000));
    expect(batches()).toEqual(['90/10']);
    // A second replica (another backend on its own database would not share the run;
    // the same backend stands in here, the durability test covers two).
    await request(server)
      .post(`${RUNS}/${body.runId}/resume`)
      .set('Authorization', user)
      .send({});
    await waitForRun(server, body.runId, r => label(r.weights) === '50/50');
    await request(server)
      .post(`${RUNS}/${body.runId}/abort`)
      .set('Authorization', user)
      .send({ reason: 'the change window closed' });
    const run = await waitForRun(server, body.runId, ended);
    expect(run.status).toBe('rolled-back');
    expect(run.reason).toBe('the change window closed');
    expect(batches()).toEqual(['90/10', '50/50', '90/10', '100/0']);
    expect(run.events.map(e => e.message)).toEqual(
      expect.arrayContaining([
        'paused at 90/10 (by user:default/mock)',
        'resumed at 90/10 (by user:default/mock)',
      ]),
    );
  });

  it('continues a run on a second backend on the same database after the one driving it stopped during a hold, each step applied exactly once', async () => {
    const first = await startBackend();
    const plan = soaked(1);
    const { body } = await request(first.server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({ plan });
    await waitForRun(
      first.server,
      body.runId,
      r => label(r.weights) === '50/50' && r.holdLeftMs !== undefined,
    );
    await first.backend.stop();
    expect(batches()).toEqual(['90/10', '50/50']);

    const second = await startBackend();
    const run = await waitForRun(second.server, body.runId, ended);
    // With its reason: a rollback says which check failed.
    expect({ status: run.status, reason: run.reason }).toEqual({
      status: 'completed',
      reason: undefined,
    });
    expect(batches()).toEqual(['90/10', '50/50', '0/100']);
    expect(
      run.events.filter(e => e.message.startsWith('step 50/50 in effect')),
    ).toHaveLength(1);
  });

  it('refuses a plan that does not start from what Route 53 holds (409) and an all-zero step (400 naming the field)', async () => {
    const { server } = await startBackend();
    const stale = await request(server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({ plan: presetPlan('staged', { blue: 50, green: 50 }, 'green') });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(
      /^plan\.from: the plan starts from/,
    );
    const zero = await request(server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({
        plan: {
          from: { blue: 100, green: 0 },
          steps: [{ weights: { blue: 0, green: 0 }, soakSeconds: 0 }],
        },
      });
    expect(zero.status).toBe(400);
    expect(zero.body.error.message).toMatch(/plan\.steps\[0\]\.weights/);
    expect(batches()).toEqual([]);
  });

  it('refuses a run of a service whose probe threshold annotation is malformed (400 naming the annotation and its rule), writing nothing', async () => {
    const { server } = await startBackend({
      annotations: { 'bluegreen/probe-max-p95-ms': 'fast' },
    });
    const res = await request(server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({ plan: STAGED });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'annotation bluegreen/probe-max-p95-ms must be a whole number of milliseconds from 1 to 60000, got "fast"',
    );
    expect(batches()).toEqual([]);
  });

  it('answers a long-poll as soon as a verification changes the run, with no new event (the card shows every probe, not only each step)', async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({
        plan: soaked(30),
      });
    const held = await waitForRun(
      server,
      res.body.runId,
      r => r.holdLeftMs !== undefined && r.verification !== undefined,
    );
    // No event comes for 30 s (the hold); only a new verification can answer this.
    const next = await request(server)
      .get(
        `${RUNS}/${res.body.runId}?after=${
          held.events[held.events.length - 1].id
        }&version=${held.version}&waitMs=20000`,
      )
      .set('Authorization', user);
    expect(next.status).toBe(200);
    expect(next.body.events).toEqual([]);
    expect(next.body.version).toBeGreaterThan(held.version);
    expect(Date.parse(next.body.verification.at)).toBeGreaterThan(
      Date.parse(held.verification!.at),
    );
  });

  it('lets the scaffolder follow a run with its own credentials, and no other service (403)', async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({ plan: soaked(30) });
    const as = (subject: string) =>
      request(server)
        .get(`${RUNS}/${res.body.runId}`)
        .set(
          'Authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service(subject),
            targetPluginId: 'bluegreen',
          }),
        );
    const scaffolder = await as('plugin:scaffolder');
    expect(scaffolder.status).toBe(200);
    expect(scaffolder.body.id).toBe(res.body.runId);
    const other = await as('plugin:catalog');
    expect(other.status).toBe(403);
    expect(other.body.error.message).toBe(
      'only users and the scaffolder read cutover runs',
    );
  });
});
