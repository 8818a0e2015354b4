/*
 * bench/staged-cutover: staged cutover runs through the real example backend (its engine
 * on the real scheduler, examples/app-config.yaml) against the AWS sandbox, a LOCAL
 * STAND-IN for Route 53 and EKS (not AWS), and its load balancer stand-ins, with the DNS
 * floor scaled down: TTL 2 s, INSYNC 0.5 s (the sandbox answers INSYNC 500 ms after a
 * change), so each step holds 2.5 s.
 *
 * 1. Overhead: a 3-step plan (the staged preset, no soak) from POST to the client seeing
 *    `completed` (through the run's long-poll), divided by the sum of its holds (7.5 s).
 *    Goal: <= 1.05 (median of the runs, which alternate green and back to blue).
 * 2. Reaction: green starts answering 503 to every probe while the first step (90/10)
 *    holds; the time from that moment to the sandbox receiving the first rollback change
 *    batch. Goal: <= 1 probe interval + 1 s (every run).
 *
 * Run: bash bench/staged-cutover/run.sh [runs] [--probe-interval-ms=500]
 */
import { stagedChecksEnv } from '@bluegreen/example-sandbox';
import type {
  CutoverPlan,
  CutoverRunView,
  Weights,
} from '@bluegreen/plugin-bluegreen-common';
import { ExampleBackend } from '../../examples/backend/src/launch';
import { runMain, withExampleBackend } from '../lib/exampleRun';
import { median, sleep } from '../lib/stats';

const ENTITY = 'component/default/burnham';
const TTL_SECONDS = 2;
const INSYNC_SECONDS = 0.5;
const GOAL_RATIO = 1.05;
const CLUSTERS = { blue: 'eks-blueprint-blue', green: 'eks-blueprint-green' };
const RUN_TIMEOUT_MS = 120_000;

function parseArgs(argv: string[]) {
  const options = { runs: 4, probeIntervalMs: 500 };
  for (const arg of argv) {
    const flag = /^--probe-interval-ms=(\d+)$/.exec(arg);
    if (flag) {
      options.probeIntervalMs = Number(flag[1]);
    } else if (/^\d+$/.test(arg)) {
      options.runs = Number(arg);
    } else {
      throw new Error(
        `unknown argument ${arg}; usage: run.sh [runs] [--probe-interval-ms=N]`,
      );
    }
  }
  if (options.runs < 1) throw new Error('runs must be at least 1');
  return options;
}

const split = (w: Weights) => `${w.blue}/${w.green}`;

function stagedPlan(from: Weights, toward: 'blue' | 'green'): CutoverPlan {
  const other = toward === 'blue' ? 'green' : 'blue';
  return {
    from,
    steps: [10, 50, 100].map(share => ({
      weights: { [toward]: share, [other]: 100 - share } as Weights,
      soakSeconds: 0,
    })),
  };
}

async function startRun(
  backend: ExampleBackend,
  token: string,
  plan: CutoverPlan,
): Promise<string> {
  const res = await fetch(
    `${backend.baseUrl}/api/bluegreen/entity/${ENTITY}/cutover`,
    {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ plan }),
    },
  );
  const body = await res.json();
  if (res.status !== 201) {
    throw new Error(
      `POST cutover answered ${res.status}: ${JSON.stringify(body)}`,
    );
  }
  return body.runId;
}

/** Follows a run through its long-poll until `until` holds; returns the run then. */
async function follow(
  backend: ExampleBackend,
  token: string,
  runId: string,
  until: (run: CutoverRunView) => boolean,
): Promise<CutoverRunView> {
  const started = Date.now();
  let after = 0;
  for (;;) {
    const res = await fetch(
      `${backend.baseUrl}/api/bluegreen/cutover-runs/${runId}?after=${after}&waitMs=20000`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    const run = (await res.json()) as CutoverRunView;
    if (!res.ok) throw new Error(`GET run answered ${res.status}`);
    after = run.events.reduce((max, e) => Math.max(max, e.id), after);
    if (until(run)) return run;
    if (Date.now() - started > RUN_TIMEOUT_MS) {
      throw new Error(`run ${runId} did not get there: ${JSON.stringify(run)}`);
    }
  }
}
const ended = (run: CutoverRunView) =>
  !['running', 'paused'].includes(run.status);

async function currentWeights(backend: ExampleBackend, token: string) {
  const res = await fetch(
    `${backend.baseUrl}/api/bluegreen/entity/${ENTITY}/traffic?refresh=true`,
    { headers: { Authorization: `Bearer ${token}` } },
  );
  const status = await res.json();
  return status.weights as Weights;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const command = `bash bench/staged-cutover/run.sh ${options.runs}${
    options.probeIntervalMs !== 500
      ? ` --probe-interval-ms=${options.probeIntervalMs}`
      : ''
  }`;
  const holdMs = (TTL_SECONDS + INSYNC_SECONDS) * 1000;
  const reactionGoalMs = options.probeIntervalMs + 1000;

  await withExampleBackend(
    command,
    async (backend, sandbox) => {
      const token = await backend.guestToken();
      await backend.waitFor(
        `a traffic status of ${ENTITY}`,
        async () => {
          const res = await fetch(
            `${backend.baseUrl}/api/bluegreen/entity/${ENTITY}/traffic`,
            { headers: { Authorization: `Bearer ${token}` } },
          );
          return res.ok ? true : undefined;
        },
        120_000,
      );
      console.log(
        `DNS floor ${TTL_SECONDS} s TTL + ${INSYNC_SECONDS} s INSYNC; probe interval ${options.probeIntervalMs} ms; ${options.runs} runs of each`,
      );

      // 1. Overhead of a 3-step plan over the sum of its holds.
      const ratios: number[] = [];
      let ok = true;
      // One warm-up run first (the backend's first requests load code), not counted.
      for (let i = -1; i < options.runs; i++) {
        const from = await currentWeights(backend, token);
        const toward = from.green === 100 ? 'blue' : 'green';
        const plan = stagedPlan(from, toward);
        const changesBefore = sandbox.changeLog().length;
        const sent = performance.now();
        const sentAt = Date.now();
        const runId = await startRun(backend, token, plan);
        const postMs = performance.now() - sent;
        const run = await follow(backend, token, runId, ended);
        const wallMs = performance.now() - sent;
        // Where the time went: to the first write, between writes, after the last.
        const writeTimes = sandbox
          .changeLog()
          .slice(changesBefore)
          .map(c => Date.parse(c.submittedAt));
        const phases = [
          writeTimes[0] - sentAt,
          ...writeTimes.slice(1).map((t, k) => t - writeTimes[k]),
          sentAt + wallMs - writeTimes[writeTimes.length - 1],
        ];
        const holds = plan.steps.length * holdMs;
        const writes = sandbox.changeLog().length - changesBefore;
        if (i >= 0) ratios.push(wallMs / holds);
        const fine = run.status === 'completed' && writes === plan.steps.length;
        ok &&= fine;
        console.log(
          `  ${i < 0 ? '(warm-up, not counted) ' : ''}${split(from)} → ${split(
            plan.steps[2].weights,
          )}: ${run.status}, ${writes} change batches, wall ${(
            wallMs / 1000
          ).toFixed(3)} s / Σ holds ${(holds / 1000).toFixed(1)} s = ${(
            wallMs / holds
          ).toFixed(3)} (POST ${Math.round(
            postMs,
          )} ms; first write, gaps, end: ${phases
            .map(ms => Math.round(ms))
            .join(', ')} ms)${fine ? '' : '  PROBLEM'}`,
        );
      }
      const ratio = median(ratios);
      const ratioMet = ratio <= GOAL_RATIO;
      console.log(
        `wall / Σ holds: median ${ratio.toFixed(3)} (min ${Math.min(
          ...ratios,
        ).toFixed(3)}, max ${Math.max(...ratios).toFixed(
          3,
        )}); goal <= ${GOAL_RATIO}: ${ratioMet ? 'met' : 'MISSED'}`,
      );

      // 2. From a failing probe to the first rollback write.
      const reactions: number[] = [];
      for (let i = 0; i < options.runs; i++) {
        const from = await currentWeights(backend, token);
        const toward = from.green === 100 ? 'blue' : 'green';
        const gaining = CLUSTERS[toward];
        const plan = stagedPlan(from, toward);
        const runId = await startRun(backend, token, plan);
        await follow(backend, token, runId, r => r.holdLeftMs !== undefined);
        // Partway into the first hold, the gaining cluster starts failing every request.
        await sleep(holdMs / 4);
        const changesBefore = sandbox.changeLog().length;
        const faultAt = Date.now();
        sandbox.loadBalancers!.setFaults(gaining, { errorRate: 1 });
        const run = await follow(backend, token, runId, ended);
        sandbox.loadBalancers!.setFaults(gaining, {});
        const rollback = sandbox.changeLog()[changesBefore];
        const reactionMs = rollback
          ? Date.parse(rollback.submittedAt) - faultAt
          : Infinity;
        reactions.push(reactionMs);
        const fine =
          run.status === 'rolled-back' && reactionMs <= reactionGoalMs;
        ok &&= fine;
        console.log(
          `  ${split(from)} → ${split(
            plan.steps[0].weights,
          )}, ${toward} failing: ${
            run.status
          }, first rollback write ${reactionMs} ms after the fault${
            fine ? '' : '  PROBLEM'
          } (${run.reason})`,
        );
      }
      const worst = Math.max(...reactions);
      const reactionMet = worst <= reactionGoalMs;
      console.log(
        `failing probe → first rollback write: median ${median(
          reactions,
        )} ms, worst ${worst} ms; goal <= ${reactionGoalMs} ms (1 probe interval + 1 s) every run: ${
          reactionMet ? 'met' : 'MISSED'
        }`,
      );
      return ok && ratioMet && reactionMet;
    },
    {
      sandbox: {
        insyncDelayMs: INSYNC_SECONDS * 1000,
        loadBalancers: { clusters: [CLUSTERS.blue, CLUSTERS.green] },
        dns: {},
      },
      env: sandbox => ({
        APP_CONFIG_bluegreen_cutover_staged_ttlSeconds: String(TTL_SECONDS),
        APP_CONFIG_bluegreen_cutover_staged_insyncSeconds:
          String(INSYNC_SECONDS),
        APP_CONFIG_bluegreen_cutover_staged_probeIntervalSeconds: String(
          options.probeIntervalMs / 1000,
        ),
        APP_CONFIG_bluegreen_cutover_staged_probe_requests: '10',
        ...stagedChecksEnv(sandbox),
      }),
    },
  );
}

runMain(main);
