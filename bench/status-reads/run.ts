/*
 * bench/status-reads: Route 53 requests behind the traffic status endpoint with 1 viewer
 * and with 50 concurrent viewers of the same entity, through the real example backend
 * (`backstage-cli package start`, examples/app-config.yaml, its cacheSeconds) against the
 * AWS sandbox, a LOCAL STAND-IN for Route 53 and EKS (not AWS).
 * Goal: Route 53 requests(50 viewers) / Route 53 requests(1 viewer) <= 1.1.
 *
 * Run: bash bench/status-reads/run.sh [durationSeconds] [--interval-ms=1000] [--viewers=50]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ExampleBackend } from '../../examples/backend/src/launch';
import { runMain, withExampleBackend } from '../lib/exampleRun';
import { formatMs, percentile, sleep } from '../lib/stats';

const ENTITY = 'component/default/burnham';
const GOAL = 1.1;
/** The sandbox's operation names that are Route 53 operations (the rest are EKS). */
const ROUTE53_OPERATIONS = [
  'GetHostedZone',
  'ListHostedZones',
  'ListHostedZonesByName',
  'ListResourceRecordSets',
  'ChangeResourceRecordSets',
  'GetChange',
  // Only Route 53 requests are throttled; a throttled one counts only under this name.
  'Throttled',
];

function parseArgs(argv: string[]) {
  const options = { durationS: 30, intervalMs: 1000, viewers: 50 };
  for (const arg of argv) {
    const flag = /^--(interval-ms|viewers)=(\d+)$/.exec(arg);
    if (flag) {
      options[flag[1] === 'viewers' ? 'viewers' : 'intervalMs'] = Number(
        flag[2],
      );
    } else if (/^\d+(\.\d+)?$/.test(arg)) {
      options.durationS = Number(arg);
    } else {
      throw new Error(
        `unknown argument ${arg}; usage: run.sh [durationSeconds] [--interval-ms=N] [--viewers=N]`,
      );
    }
  }
  return options;
}

/** bluegreen.traffic.cacheSeconds as the example backend reads it (default 10). */
function cacheSecondsOfExampleConfig(): number {
  if (process.env.APP_CONFIG_bluegreen_traffic_cacheSeconds) {
    return Number(process.env.APP_CONFIG_bluegreen_traffic_cacheSeconds);
  }
  const config = parse(
    fs.readFileSync(
      path.resolve(__dirname, '../../examples/app-config.yaml'),
      'utf8',
    ),
  );
  return config?.bluegreen?.traffic?.cacheSeconds ?? 10;
}

interface ScenarioResult {
  viewers: number;
  served: number;
  failed: number;
  failures: string[];
  latenciesMs: number[];
  counts: Record<string, number>;
  route53: number;
}

async function scenario(
  backend: ExampleBackend,
  token: string,
  viewers: number,
  options: { durationS: number; intervalMs: number },
  sandbox: { requestCounts(): Record<string, number> },
): Promise<ScenarioResult> {
  const url = `${backend.baseUrl}/api/bluegreen/entity/${ENTITY}/traffic`;
  const latenciesMs: number[] = [];
  const failures: string[] = [];
  const durationMs = options.durationS * 1000;
  const start = Date.now();

  // Every viewer starts at once (a cold cache and a burst of identical reads) and then
  // polls on its own fixed schedule; a slow answer delays only that viewer's next poll.
  const viewer = async () => {
    for (let k = 0; ; k++) {
      const slot = start + k * options.intervalMs;
      if (slot - start >= durationMs) return;
      await sleep(slot - Date.now());
      const sent = process.hrtime.bigint();
      try {
        const res = await fetch(url, {
          headers: { Authorization: `Bearer ${token}` },
        });
        const body = await res.text();
        latenciesMs.push(Number(process.hrtime.bigint() - sent) / 1e6);
        if (res.status !== 200) {
          failures.push(`${res.status} ${body.slice(0, 200)}`);
        }
      } catch (error) {
        failures.push(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: viewers }, viewer));

  const counts = sandbox.requestCounts();
  const route53 = ROUTE53_OPERATIONS.reduce(
    (sum, op) => sum + (counts[op] ?? 0),
    0,
  );
  return {
    viewers,
    served: latenciesMs.length - failures.length,
    failed: failures.length,
    failures,
    latenciesMs,
    counts,
    route53,
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const cacheSeconds = cacheSecondsOfExampleConfig();
  const command = `bash bench/status-reads/run.sh ${options.durationS}${
    options.intervalMs !== 1000 ? ` --interval-ms=${options.intervalMs}` : ''
  }${options.viewers !== 50 ? ` --viewers=${options.viewers}` : ''}`;

  await withExampleBackend(command, async (backend, sandbox) => {
    const token = await backend.guestToken();
    // The catalog ingests the example entities shortly after startup; the first good
    // answer also warms the process (JIT, the 1 h EKS version cache, the AWS clients).
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

    const results: ScenarioResult[] = [];
    for (const viewers of [1, options.viewers]) {
      // Cold start for each scenario: the cached Route 53 read expires, counts restart.
      console.log(
        `waiting ${
          cacheSeconds + 1
        } s for the status cache to expire, then ${viewers} viewer(s) for ${
          options.durationS
        } s ...`,
      );
      await sleep((cacheSeconds + 1) * 1000);
      sandbox.resetRequestCounts();
      results.push(await scenario(backend, token, viewers, options, sandbox));
    }

    const [one, many] = results;
    const ratio = many.route53 / one.route53;
    const pass =
      one.route53 > 0 && ratio <= GOAL && one.failed === 0 && many.failed === 0;

    console.log('');
    console.log(
      `status-reads: GET /api/bluegreen/entity/${ENTITY}/traffic every ${options.intervalMs} ms per viewer for ${options.durationS} s; bluegreen.traffic.cacheSeconds ${cacheSeconds}; Node ${process.versions.node}`,
    );
    console.log(
      '| viewers | status requests served | failed | Route 53 requests | latency p50 | p95 | max | sandbox counts |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of results) {
      console.log(
        `| ${r.viewers} | ${r.served} | ${r.failed} | ${r.route53} | ${formatMs(
          percentile(r.latenciesMs, 50),
        )} | ${formatMs(percentile(r.latenciesMs, 95))} | ${formatMs(
          Math.max(...r.latenciesMs),
        )} | ${JSON.stringify(r.counts)} |`,
      );
    }
    for (const r of results) {
      for (const failure of r.failures.slice(0, 5)) {
        console.log(`  ${r.viewers} viewer(s) failure: ${failure}`);
      }
    }
    console.log(
      `Route 53 requests ratio ${options.viewers}/1 viewers: ${many.route53}/${
        one.route53
      } = ${ratio.toFixed(3)} (goal <= ${GOAL}): ${pass ? 'PASS' : 'FAIL'}${
        one.failed + many.failed > 0 ? ' (some status requests failed)' : ''
      }`,
    );
    return pass;
  });
}

runMain(main);
