/*
 * Standalone entry of the bluegreen AWS sandbox (a local stand-in, not AWS):
 *   yarn workspace @bluegreen/example-sandbox start
 * Environment: SANDBOX_PORT (4566), SANDBOX_HOST (127.0.0.1), SANDBOX_FIXTURES (a YAML
 * file), SANDBOX_INSYNC_DELAY_MS (2000), SANDBOX_THROTTLE_BURST (50),
 * SANDBOX_THROTTLE_REFILL_PER_SECOND (10), SANDBOX_THROTTLE=off, SANDBOX_PRIOR_REQUEST_WINDOW_MS (0),
 * SANDBOX_DNS_PORT (4553, UDP: the DNS stand-in; SANDBOX_DNS=off to leave it out),
 * SANDBOX_LB_PORTS (4581,4582: the blue and green clusters' load balancer stand-ins;
 * SANDBOX_LB=off to leave them out).
 */
import { loadFixtures } from './fixtures';
import { startSandbox } from './server';

/** The example's clusters, in the order of SANDBOX_LB_PORTS. */
const EXAMPLE_CLUSTERS = ['eks-blueprint-blue', 'eks-blueprint-green'];

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(`${name} must be a non-negative number, got '${raw}'`);
  }
  return n;
}

async function main() {
  const sandbox = await startSandbox({
    port: numberFromEnv('SANDBOX_PORT', 4566),
    host: process.env.SANDBOX_HOST || '127.0.0.1',
    fixtures: loadFixtures(process.env.SANDBOX_FIXTURES || undefined),
    insyncDelayMs: numberFromEnv('SANDBOX_INSYNC_DELAY_MS', 2000),
    throttle:
      process.env.SANDBOX_THROTTLE === 'off'
        ? false
        : {
            burst: numberFromEnv('SANDBOX_THROTTLE_BURST', 50),
            refillPerSecond: numberFromEnv(
              'SANDBOX_THROTTLE_REFILL_PER_SECOND',
              10,
            ),
          },
    priorRequestWindowMs: numberFromEnv('SANDBOX_PRIOR_REQUEST_WINDOW_MS', 0),
    dns:
      process.env.SANDBOX_DNS === 'off'
        ? undefined
        : { port: numberFromEnv('SANDBOX_DNS_PORT', 4553) },
    loadBalancers:
      process.env.SANDBOX_LB === 'off'
        ? undefined
        : {
            clusters: EXAMPLE_CLUSTERS,
            ports: (process.env.SANDBOX_LB_PORTS || '4581,4582')
              .split(',')
              .map(Number),
          },
  });
  // eslint-disable-next-line no-console
  console.log(
    `bluegreen AWS sandbox (a local stand-in, not AWS) listening on ${sandbox.url}`,
  );
  for (const [cluster, url] of Object.entries(
    sandbox.loadBalancers?.urls ?? {},
  )) {
    // eslint-disable-next-line no-console
    console.log(
      `load balancer stand-in of ${cluster} (a local HTTP server, not ELB) on ${url}`,
    );
  }
  if (sandbox.dns) {
    // eslint-disable-next-line no-console
    console.log(
      `bluegreen DNS stand-in (answers from the sandbox's Route 53 records, not Route 53) on udp ${sandbox.dns.host}:${sandbox.dns.port}: dig @${sandbox.dns.host} -p ${sandbox.dns.port} burnham.eks-blueprint.example.com`,
    );
  }

  const stop = () => {
    sandbox.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch(e => {
  // eslint-disable-next-line no-console
  console.error(e);
  process.exit(1);
});
