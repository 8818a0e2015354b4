/*
 * bench/status-reads: Route 53 requests behind the traffic status endpoint with 1 viewer
 * and with 50 concurrent viewers of the same entity, through the real example backend
 * (`backstage-cli package start`, examples/app-config.yaml, its cacheSeconds) against the
 * AWS sandbox, a LOCAL STAND-IN for Route 53 and EKS (not AWS).
 * Goal: Route 53 requests(50 viewers) / Route 53 requests(1 viewer) <= 1.1.
 * With --replicas=2 the example runs like production (examples/replicas: two backends on
 * one PostgreSQL and one Redis) and the 50 viewers are split across both replicas.
 *
 * Run: bash bench/status-reads/run.sh [durationSeconds] [--interval-ms=1000] [--viewers=50] [--replicas=1]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  pollStatus,
  ViewersResult,
} from '../../examples/replicas/src/statusViewers';
import { runMain, withExampleBackend } from '../lib/exampleRun';
import { formatMs, percentile, sleep } from '../lib/stats';

const ENTITY = 'component/default/burnham';
const GOAL = 1.1;

function parseArgs(argv: string[]) {
  const options = { durationS: 30, intervalMs: 1000, viewers: 50, replicas: 1 };
  for (const arg of argv) {
    const flag = /^--(interval-ms|viewers|replicas)=(\d+)$/.exec(arg);
    if (flag) {
      const key = {
        'interval-ms': 'intervalMs',
        viewers: 'viewers',
        replicas: 'replicas',
      }[flag[1]] as 'intervalMs' | 'viewers' | 'replicas';
      options[key] = Number(flag[2]);
    } else if (/^\d+(\.\d+)?$/.test(arg)) {
      options.durationS = Number(arg);
    } else {
      throw new Error(
        `unknown argument ${arg}; usage: run.sh [durationSeconds] [--interval-ms=N] [--viewers=N] [--replicas=N]`,
      );
    }
  }
  if (options.replicas < 1) throw new Error('--replicas must be at least 1');
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

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const cacheSeconds = cacheSecondsOfExampleConfig();
  const command = `bash bench/status-reads/run.sh ${options.durationS}${
    options.intervalMs !== 1000 ? ` --interval-ms=${options.intervalMs}` : ''
  }${options.viewers !== 50 ? ` --viewers=${options.viewers}` : ''}${
    options.replicas !== 1 ? ` --replicas=${options.replicas}` : ''
  }`;

  await withExampleBackend(
    command,
    async (backend, sandbox, all) => {
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

      // Every replica answers before the clock starts (its catalog, its signing keys).
      for (const replica of all.slice(1)) {
        await replica.waitFor(
          `a traffic status of ${ENTITY} from ${replica.baseUrl}`,
          async () =>
            (
              await fetch(
                `${replica.baseUrl}/api/bluegreen/entity/${ENTITY}/traffic`,
                { headers: { Authorization: `Bearer ${token}` } },
              )
            ).ok || undefined,
          120_000,
        );
      }
      const results: ViewersResult[] = [];
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
        results.push(
          await pollStatus({
            // One viewer reads one replica; many are split across all of them.
            backends: (viewers === 1 ? all.slice(0, 1) : all).map(
              b => b.baseUrl,
            ),
            token,
            entity: ENTITY,
            viewers,
            durationMs: options.durationS * 1000,
            intervalMs: options.intervalMs,
            sandbox,
          }),
        );
      }

      const [one, many] = results;
      const ratio = many.route53 / one.route53;
      const pass =
        one.route53 > 0 &&
        ratio <= GOAL &&
        one.failed === 0 &&
        many.failed === 0;

      console.log('');
      console.log(
        `status-reads: GET /api/bluegreen/entity/${ENTITY}/traffic every ${
          options.intervalMs
        } ms per viewer for ${
          options.durationS
        } s; bluegreen.traffic.cacheSeconds ${cacheSeconds}; ${
          options.replicas > 1
            ? `${options.replicas} replicas on PostgreSQL and Redis`
            : 'one backend, in-memory SQLite and cache'
        }; Node ${process.versions.node}`,
      );
      console.log(
        '| viewers | status requests served | per replica | failed | Route 53 requests | latency p50 | p95 | max | sandbox counts |',
      );
      console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
      for (const r of results) {
        console.log(
          `| ${r.viewers} | ${r.served} | ${Object.values(r.perBackend).join(
            ' + ',
          )} | ${r.failed} | ${r.route53} | ${formatMs(
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
        `Route 53 requests ratio ${options.viewers}/1 viewers: ${
          many.route53
        }/${one.route53} = ${ratio.toFixed(3)} (goal <= ${GOAL}): ${
          pass ? 'PASS' : 'FAIL'
        }${
          one.failed + many.failed > 0 ? ' (some status requests failed)' : ''
        }`,
      );
      return pass;
    },
    { replicas: options.replicas },
  );
}

runMain(main);
