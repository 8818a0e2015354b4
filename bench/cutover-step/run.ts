/*
 * bench/cutover-step: wall time of one cutover step in route53 mode through the real
 * example backend (`backstage-cli package start`, examples/app-config.yaml) against the
 * AWS sandbox, a LOCAL STAND-IN for Route 53 and EKS (not AWS), with insyncDelayMs 0:
 * from sending POST /api/bluegreen/entity/component/default/burnham/cutover until the
 * scaffolder task is `completed`, which it is only after bluegreen:set-weight has seen
 * GetChange answer INSYNC and re-read the weights ("POST cutover to INSYNC observed").
 * Goals: median <= 2 s; at most 4 Route 53 requests per step (every run).
 *
 * Run: bash bench/cutover-step/run.sh [runs] [--warmup=1] [--poll-ms=25] [--gap-ms=0]
 */
import { Sandbox } from '@bluegreen/example-sandbox';
import { ExampleBackend } from '../../examples/backend/src/launch';
import { runMain, withExampleBackend } from '../lib/exampleRun';
import { formatMs, median, sleep, summarizeMs } from '../lib/stats';

const ENTITY = 'component/default/burnham';
const GOAL_MEDIAN_MS = 2000;
const GOAL_ROUTE53_REQUESTS = 4;
// The sandbox's Route 53 operations (its EKS ones are not Route 53's budget).
const ROUTE53_OPERATIONS = [
  'ListHostedZones',
  'ListHostedZonesByName',
  'GetHostedZone',
  'ListResourceRecordSets',
  'ChangeResourceRecordSets',
  'GetChange',
  'Throttled',
];
const route53Requests = (counts: Record<string, number>) =>
  ROUTE53_OPERATIONS.reduce((n, op) => n + (counts[op] ?? 0), 0);
const TASK_TIMEOUT_MS = 60_000;

type Weights = { blue: number; green: number };

function parseArgs(argv: string[]) {
  const options = { runs: 10, warmup: 1, pollMs: 25, gapMs: 0 };
  for (const arg of argv) {
    const flag = /^--(warmup|poll-ms|gap-ms)=(\d+)$/.exec(arg);
    if (flag) {
      const key = (
        { warmup: 'warmup', 'poll-ms': 'pollMs', 'gap-ms': 'gapMs' } as const
      )[flag[1] as 'warmup' | 'poll-ms' | 'gap-ms'];
      options[key] = Number(flag[2]);
    } else if (/^\d+$/.test(arg)) {
      options.runs = Number(arg);
    } else {
      throw new Error(
        `unknown argument ${arg}; usage: run.sh [runs] [--warmup=N] [--poll-ms=N] [--gap-ms=N]`,
      );
    }
  }
  if (options.runs < 1) throw new Error('runs must be at least 1');
  return options;
}

interface Run {
  totalMs: number;
  postMs: number;
  from: Weights;
  to: Weights;
  /** Sandbox requests during the run, by operation. */
  counts: Record<string, number>;
  problems: string[];
}

async function cutover(
  backend: ExampleBackend,
  sandbox: Sandbox,
  token: string,
  setIdentifiers: Record<keyof Weights, string>,
  from: Weights,
  to: Weights,
  pollMs: number,
): Promise<Run> {
  const headers = {
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
  };
  const changesBefore = sandbox.changeLog().length;
  const problems: string[] = [];
  sandbox.resetRequestCounts();

  const sent = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - sent) / 1e6;
  const res = await fetch(
    `${backend.baseUrl}/api/bluegreen/entity/${ENTITY}/cutover`,
    {
      method: 'POST',
      headers,
      body: JSON.stringify({ weights: to, expected: from, mode: 'route53' }),
    },
  );
  const postMs = elapsedMs();
  const body = await res.json();
  if (res.status !== 201 || body.mode !== 'route53') {
    throw new Error(
      `POST cutover answered ${res.status}: ${JSON.stringify(body)}`,
    );
  }

  let task: { status: string } = { status: 'unknown' };
  for (;;) {
    const taskRes = await fetch(
      `${backend.baseUrl}/api/scaffolder/v2/tasks/${body.taskId}`,
      { headers },
    );
    if (taskRes.ok) {
      task = await taskRes.json();
      if (['completed', 'failed', 'cancelled'].includes(task.status)) break;
    }
    if (elapsedMs() > TASK_TIMEOUT_MS) {
      throw new Error(
        `task ${body.taskId} not finished after ${TASK_TIMEOUT_MS} ms (last status ${task.status})`,
      );
    }
    await sleep(pollMs);
  }
  const totalMs = elapsedMs();
  const counts = sandbox.requestCounts();

  if (task.status !== 'completed') {
    const events = await fetch(
      `${backend.baseUrl}/api/scaffolder/v2/tasks/${body.taskId}/events`,
      { headers },
    ).then(r => r.json());
    problems.push(
      `task ${body.taskId} ${task.status}: ${JSON.stringify(
        events.map((e: any) => e.body?.message).filter(Boolean),
      )}`,
    );
  }
  const changes = sandbox.changeLog();
  if (changes.length !== changesBefore + 1) {
    problems.push(
      `the sandbox change log grew by ${changes.length - changesBefore}, not 1`,
    );
  } else {
    const created = changes[changes.length - 1].changes.filter(
      c => c.action === 'CREATE',
    );
    for (const colour of ['blue', 'green'] as const) {
      const record = created.find(
        c => c.record.setIdentifier === setIdentifiers[colour],
      );
      if (record?.record.weight !== to[colour]) {
        problems.push(
          `the change wrote ${colour} weight ${record?.record.weight}, not ${to[colour]}`,
        );
      }
    }
  }
  return { totalMs, postMs, from, to, counts, problems };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const command = `bash bench/cutover-step/run.sh ${options.runs}${
    options.warmup !== 1 ? ` --warmup=${options.warmup}` : ''
  }${options.pollMs !== 25 ? ` --poll-ms=${options.pollMs}` : ''}${
    options.gapMs !== 0 ? ` --gap-ms=${options.gapMs}` : ''
  }`;

  await withExampleBackend(command, async (backend, sandbox) => {
    const token = await backend.guestToken();
    const headers = { Authorization: `Bearer ${token}` };
    await backend.waitFor(
      'template:default/cut-over-traffic in the catalog',
      async () => {
        const res = await fetch(
          `${backend.baseUrl}/api/catalog/entities/by-name/template/default/cut-over-traffic`,
          { headers },
        );
        return res.ok ? true : undefined;
      },
      120_000,
    );
    const status = await backend.waitFor(
      `a traffic status of ${ENTITY}`,
      async () => {
        const res = await fetch(
          `${backend.baseUrl}/api/bluegreen/entity/${ENTITY}/traffic`,
          { headers },
        );
        return res.ok ? res.json() : undefined;
      },
      120_000,
    );
    if (status.mode !== 'route53') {
      throw new Error(`${ENTITY} is in ${status.mode} mode, not route53`);
    }
    const setIdentifiers = Object.fromEntries(
      status.records
        .filter((r: any) => r.colour)
        .map((r: any) => [r.colour, r.setIdentifier]),
    ) as Record<keyof Weights, string>;

    // Alternate between two weight pairs; `expected` is always the current one.
    let current: Weights = status.weights;
    const next = (w: Weights): Weights =>
      w.blue === 50 && w.green === 50
        ? { blue: 100, green: 0 }
        : { blue: 50, green: 50 };

    const runs: Run[] = [];
    for (let i = 0; i < options.warmup + options.runs; i++) {
      // Runs follow each other back to back unless --gap-ms lets the sandbox's Route 53
      // request bucket refill in between.
      if (i > 0) await sleep(options.gapMs);
      const to = next(current);
      const run = await cutover(
        backend,
        sandbox,
        token,
        setIdentifiers,
        current,
        to,
        options.pollMs,
      );
      const label =
        i < options.warmup
          ? `warm-up ${i + 1}`
          : `run ${i - options.warmup + 1}`;
      console.log(
        `${label}: ${run.from.blue}/${run.from.green} -> ${run.to.blue}/${
          run.to.green
        }  POST ${run.postMs.toFixed(
          0,
        )} ms, completed after ${run.totalMs.toFixed(
          0,
        )} ms  sandbox ${JSON.stringify(run.counts)}${
          run.problems.length ? `  PROBLEMS: ${run.problems.join('; ')}` : ''
        }`,
      );
      if (i >= options.warmup) runs.push(run);
      if (run.problems.length > 0) break;
      current = to;
    }

    const totals = runs.map(r => r.totalMs);
    const posts = runs.map(r => r.postMs);
    const throttled = runs.reduce((n, r) => n + (r.counts.Throttled ?? 0), 0);
    const failed = runs.filter(r => r.problems.length > 0).length;
    const requests = runs.map(r => route53Requests(r.counts));
    const mostRequests = Math.max(...requests);
    const pass =
      failed === 0 &&
      runs.length === options.runs &&
      median(totals) <= GOAL_MEDIAN_MS &&
      mostRequests <= GOAL_ROUTE53_REQUESTS;
    console.log('');
    console.log(
      `cutover-step: ${runs.length} measured run(s) after ${options.warmup} warm-up, route53 mode, sandbox insyncDelayMs 0, task polled every ${options.pollMs} ms, ${options.gapMs} ms between runs; Node ${process.versions.node}`,
    );
    console.log(
      `POST -> task completed (INSYNC observed): ${summarizeMs(totals)}`,
    );
    console.log(
      `  of which POST -> 201:                   ${summarizeMs(posts)}`,
    );
    console.log(
      `Route 53 requests throttled by the sandbox (default bucket: burst 50, 10/s) during the measured runs: ${throttled}`,
    );
    console.log(
      `Route 53 requests per step (route + task, throttled ones included): ${requests.join(
        ', ',
      )}; most ${mostRequests} (goal <= ${GOAL_ROUTE53_REQUESTS})`,
    );
    console.log(
      `runs completed with one matching change each: ${runs.length - failed}/${
        options.runs
      }`,
    );
    console.log(
      `median ${formatMs(median(totals))} (goal <= ${formatMs(
        GOAL_MEDIAN_MS,
      )}), at most ${mostRequests} Route 53 requests per step (goal <= ${GOAL_ROUTE53_REQUESTS}): ${
        pass ? 'PASS' : 'FAIL'
      }`,
    );
    return pass;
  });
}

runMain(main);
