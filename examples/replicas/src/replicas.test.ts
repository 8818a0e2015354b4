/*
 * The example like production: two example backends (`backstage-cli package start`, the
 * real scaffolder, the real Kubernetes plugin against the example's real kube-apiservers)
 * on one real PostgreSQL and one real Redis, behind the round-robin proxy, against the
 * AWS sandbox (a LOCAL STAND-IN for Route 53 and EKS, with its load balancer and DNS
 * stand-ins for the staged checks). One fleet for the whole file, in this order: reads,
 * concurrent cutovers, a task whose replica dies, a staged run whose replica dies.
 */
import { startExampleClusters } from '@bluegreen/example-kubernetes';
import {
  Sandbox,
  SandboxChange,
  stagedChecksEnv,
  startSandbox,
} from '@bluegreen/example-sandbox';
import { kubernetesClustersEnv } from '@bluegreen/example-backend/launch';
import type {
  CutoverPlan,
  CutoverRunList,
  CutoverRunView,
  Weights,
} from '@bluegreen/plugin-bluegreen-common';
import { Replicas, startReplicas } from './startReplicas';
import { pollStatus } from './statusViewers';
import { changeSender } from './changeSender';

const ENTITY = 'component/default/burnham';
const ENTITY_REF = 'component:default/burnham';
const RECORD = 'burnham.eks-blueprint.example.com.';
const CLUSTERS = { blue: 'eks-blueprint-blue', green: 'eks-blueprint-green' };
const CACHE_SECONDS = 10;

jest.setTimeout(15 * 60_000);

let sandbox: Sandbox;
let kubernetes: Awaited<ReturnType<typeof startExampleClusters>>;
let fleet: Replicas;
let token: string;

const split = (w: Weights) => `${w.blue}/${w.green}`;
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function api(
  base: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      Authorization: `Bearer ${token}`,
      ...(init.body !== undefined && { 'Content-Type': 'application/json' }),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: kept as text for the assertion's message.
  }
  return { status: res.status, body };
}

/** burnham's weights in the sandbox's Route 53, as its own store holds them. */
function recordedWeights(changes: SandboxChange[]): Weights[] {
  // Each accepted batch rewrites the whole group (DELETE + CREATE of both records).
  return changes
    .filter(change =>
      change.changes.some(
        c => c.record.name === RECORD && c.action !== 'DELETE',
      ),
    )
    .map(change => {
      const created = change.changes.filter(
        c => c.record.name === RECORD && c.action !== 'DELETE',
      );
      const weightOf = (id: string) =>
        created.find(c => c.record.setIdentifier === id)?.record.weight;
      return {
        blue: weightOf(CLUSTERS.blue)!,
        green: weightOf(CLUSTERS.green)!,
      };
    });
}

async function currentWeights(): Promise<Weights> {
  const { status, body } = await api(
    fleet.proxy.url,
    `/api/bluegreen/entity/${ENTITY}/traffic?refresh=true`,
  );
  expect(status).toBe(200);
  return body.weights;
}

function planFrom(from: Weights, shares: number[]): CutoverPlan {
  const toward = from.green === 100 ? 'blue' : 'green';
  const other = toward === 'blue' ? 'green' : 'blue';
  return {
    from,
    steps: shares.map(share => ({
      weights: { [toward]: share, [other]: 100 - share } as Weights,
      soakSeconds: 0,
    })),
  };
}

/** Follows a run through `base` until it ends; every answer must be a 200. */
async function runToEnd(base: string, runId: string): Promise<CutoverRunView> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const { status, body } = await api(
      base,
      `/api/bluegreen/cutover-runs/${runId}`,
    );
    expect(status).toBe(200);
    if (!['running', 'paused'].includes(body.status)) {
      return body;
    }
    if (Date.now() > deadline) {
      throw new Error(`run ${runId} did not end: ${JSON.stringify(body)}`);
    }
    await sleep(250);
  }
}

/** The replica that sent `change`; exactly one did. */
function replicaThatSent(change: SandboxChange): number {
  const sender = changeSender(fleet.backends, change.id);
  expect(sender).toBeGreaterThanOrEqual(0);
  return sender;
}

beforeAll(async () => {
  sandbox = await startSandbox({
    insyncDelayMs: 500,
    loadBalancers: { clusters: [CLUSTERS.blue, CLUSTERS.green] },
    dns: {},
  });
  kubernetes = await startExampleClusters({ allReady: true });
  fleet = await startReplicas({
    env: {
      APP_CONFIG_bluegreen_aws_endpoint: sandbox.url,
      ...kubernetesClustersEnv(kubernetes.clusterLocatorMethods()),
      ...stagedChecksEnv(sandbox),
      APP_CONFIG_bluegreen_traffic_cacheSeconds: String(CACHE_SECONDS),
      // Staged steps hold 3.5 s (TTL 3 s + INSYNC 0.5 s), probed every second.
      APP_CONFIG_bluegreen_cutover_staged_ttlSeconds: '3',
      APP_CONFIG_bluegreen_cutover_staged_insyncSeconds: '0.5',
      APP_CONFIG_bluegreen_cutover_staged_probeIntervalSeconds: '1',
      APP_CONFIG_bluegreen_cutover_staged_probe_requests: '5',
    },
  });
  token = await fleet.backends[0].guestToken();
  // Both replicas know burnham (each ingests the catalog into the shared database).
  for (const backend of fleet.backends) {
    await backend.waitFor(
      `burnham's traffic status from ${backend.baseUrl}`,
      async () =>
        (
          await api(backend.baseUrl, `/api/bluegreen/entity/${ENTITY}/traffic`)
        ).status === 200 || undefined,
      180_000,
    );
  }
}, 15 * 60_000);

afterAll(async () => {
  await fleet?.stop();
  await sandbox?.close();
  await kubernetes?.stop();
});

it('50 viewers split across both replicas for 30 s cost at most 1.1 × the Route 53 requests of 1 viewer (one Redis cache, one read per miss across replicas)', async () => {
  const results = [];
  for (const viewers of [1, 50]) {
    // A cold start for each: the cached read expires.
    await sleep((CACHE_SECONDS + 1) * 1000);
    results.push(
      await pollStatus({
        backends: (viewers === 1
          ? fleet.backends.slice(0, 1)
          : fleet.backends
        ).map(b => b.baseUrl),
        token,
        entity: ENTITY,
        viewers,
        durationMs: 30_000,
        intervalMs: 1000,
        sandbox,
      }),
    );
  }
  const [one, many] = results;
  console.log(
    `status reads through 2 replicas: 1 viewer ${one.served} answers, ${
      one.route53
    } Route 53 requests; 50 viewers ${many.served} answers (${Object.values(
      many.perBackend,
    ).join(' + ')} per replica), ${many.route53} Route 53 requests: ratio ${(
      many.route53 / one.route53
    ).toFixed(3)}; ${JSON.stringify(many.counts)}`,
  );
  expect(one.failures).toEqual([]);
  expect(many.failures).toEqual([]);
  expect(Object.keys(many.perBackend)).toHaveLength(2);
  expect(one.route53).toBeGreaterThan(0);
  expect(many.route53).toBeLessThanOrEqual(1.1 * one.route53);
});

it('of 20 concurrent cutovers of one record split across both replicas exactly one runs, the others are 409 naming its holder; no update is lost, and both replicas show the same run and history', async () => {
  const from = await currentWeights();
  const plan = planFrom(from, [50, 100]);
  const changesBefore = sandbox.changeLog().length;
  // All 20 are sent before any is answered.
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      api(
        fleet.backends[i % 2].baseUrl,
        `/api/bluegreen/entity/${ENTITY}/cutover`,
        { method: 'POST', body: { plan } },
      ),
    ),
  );
  const started = answers.filter(a => a.status === 201);
  expect(started).toHaveLength(1);
  const runId = started[0].body.runId;
  const refused = answers.filter(a => a.status !== 201);
  expect(refused).toHaveLength(19);
  for (const answer of refused) {
    expect(answer.status).toBe(409);
    expect(answer.body.error.message).toContain(
      `another cutover of burnham.eks-blueprint.example.com is in progress: task cutover-run:${runId} by user:default/platform-engineer`,
    );
  }

  const run = await runToEnd(fleet.proxy.url, runId);
  expect(run.status).toBe('completed');
  // Each step of the one run, once, in order; nothing else wrote the record.
  expect(
    recordedWeights(sandbox.changeLog().slice(changesBefore)).map(split),
  ).toEqual(plan.steps.map(step => split(step.weights)));
  expect(await currentWeights()).toEqual(plan.steps[1].weights);

  const views = await Promise.all(
    fleet.backends.map(b =>
      api(b.baseUrl, `/api/bluegreen/cutover-runs/${runId}`),
    ),
  );
  expect(views[1].body).toEqual(views[0].body);
  const lists = await Promise.all(
    fleet.backends.map(b =>
      api(b.baseUrl, `/api/bluegreen/entity/${ENTITY}/cutover-runs`),
    ),
  );
  expect((lists[0].body as CutoverRunList).runs.map(r => r.id)).toContain(
    runId,
  );
  expect(lists[1].body).toEqual(lists[0].body);
});

it('a cutover task whose replica is killed mid-step (waiting for INSYNC) is recovered by the other replica and completes without a second Route 53 change', async () => {
  const from = await currentWeights();
  const weights: Weights = { blue: from.green, green: from.blue };
  const changesBefore = sandbox.changeLog().length;
  // Route 53 takes its time: the task waits for INSYNC when its replica dies.
  sandbox.faults.insyncDelay(120_000);
  const created = await api(fleet.proxy.url, '/api/scaffolder/v2/tasks', {
    method: 'POST',
    body: {
      templateRef: 'template:default/cut-over-traffic',
      values: { entity: ENTITY_REF, weights, mode: 'route53' },
    },
  });
  expect(created.status).toBe(201);
  const taskId: string = created.body.id;
  await fleet.backends[0].waitFor(
    `task ${taskId}'s change batch`,
    async () => sandbox.changeLog().length > changesBefore || undefined,
    120_000,
  );
  const victim = replicaThatSent(sandbox.changeLog()[changesBefore]);
  await fleet.backends[victim].kill();
  sandbox.faults.insyncDelay(500);

  const deadline = Date.now() + 180_000;
  let task: any;
  for (;;) {
    task = (await api(fleet.proxy.url, `/api/scaffolder/v2/tasks/${taskId}`))
      .body;
    if (['completed', 'failed', 'cancelled'].includes(task.status)) break;
    if (Date.now() > deadline) {
      throw new Error(`task ${taskId} did not end: ${JSON.stringify(task)}`);
    }
    await sleep(1000);
  }
  const events = (
    await api(fleet.proxy.url, `/api/scaffolder/v2/tasks/${taskId}/events`)
  ).body as Array<{ type: string; body: { message?: string } }>;
  const log = events.map(e => `${e.type}: ${e.body.message ?? ''}`).join('\n');
  expect({ status: task.status, log }).toMatchObject({ status: 'completed' });
  // Resumed on the other replica after the last completed step (the entity look-up);
  // set-weight's checkpoint gave it the change it had sent, to wait for.
  expect(events.some(e => e.type === 'recovered')).toBe(true);
  expect(log).toContain('Task recovered - resuming from last known good state');
  expect(log).not.toContain('Route 53 accepted change');
  expect(log).not.toContain('nothing to do');
  // It waited for the very change it had sent before its replica died.
  const sent = sandbox.changeLog()[changesBefore].id.replace(/^\/change\//, '');
  expect(log).toMatch(new RegExp(`change ${sent}: INSYNC after`));
  expect(
    recordedWeights(sandbox.changeLog().slice(changesBefore)).map(split),
  ).toEqual([split(weights)]);
  expect(await currentWeights()).toEqual(weights);

  await fleet.restart(victim);
});

it("kill -9 of the replica that wrote a staged cutover's step, during its hold: the other replica drives the run to its end, each step is written exactly once, and the run reads continuously through the proxy", async () => {
  const from = await currentWeights();
  const plan = planFrom(from, [10, 50, 100]);
  const changesBefore = sandbox.changeLog().length;
  const started = await api(
    fleet.backends[0].baseUrl,
    `/api/bluegreen/entity/${ENTITY}/cutover`,
    { method: 'POST', body: { plan } },
  );
  expect(started.status).toBe(201);
  const runId: string = started.body.runId;

  // What the card reads, through the proxy, every 200 ms from start to end.
  const seen: Array<{ at: number; status: number; run?: string }> = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const { status, body } = await api(
        fleet.proxy.url,
        `/api/bluegreen/cutover-runs/${runId}`,
      ).catch(error => ({ status: 0, body: String(error) }));
      seen.push({
        at: Date.now(),
        status,
        run:
          status === 200
            ? `${body.status} ${body.phase} ${body.stepIndex}`
            : body,
      });
      await sleep(200);
    }
  })();

  // The first step is held: its writer dies now.
  await fleet.backends[0].waitFor(
    `run ${runId} holding its first step`,
    async () => {
      const { body } = await api(
        fleet.proxy.url,
        `/api/bluegreen/cutover-runs/${runId}`,
      );
      return body.stepIndex === 0 && body.holdLeftMs > 1000 ? true : undefined;
    },
    60_000,
  );
  const victim = replicaThatSent(sandbox.changeLog()[changesBefore]);
  const killedAt = Date.now();
  await fleet.backends[victim].kill();

  const run = await runToEnd(fleet.proxy.url, runId);
  watching = false;
  await watcher;
  const changes = sandbox.changeLog().slice(changesBefore);
  console.log(
    [
      `run ${runId}: replica ${victim} killed (SIGKILL) at +${
        killedAt - Date.parse(run.createdAt)
      } ms during the hold of step 1; the run ${
        run.status
      }. The sandbox's change log:`,
      ...changes.map(
        c =>
          `  ${c.submittedAt} ${c.id} ${split(recordedWeights([c])[0])}${
            c.comment ? ` (${c.comment})` : ''
          }`,
      ),
      `the card's reads through the proxy: ${seen.length}, answered 200: ${
        seen.filter(s => s.status === 200).length
      }`,
    ].join('\n'),
  );
  expect(run.status).toBe('completed');
  expect(recordedWeights(changes).map(split)).toEqual(
    plan.steps.map(step => split(step.weights)),
  );
  expect(seen.filter(s => s.status !== 200)).toEqual([]);
  expect(seen.filter(s => s.at > killedAt).length).toBeGreaterThan(5);
  expect(await currentWeights()).toEqual(plan.steps[2].weights);
});
