/*
 * Standalone entry of the bluegreen AWS sandbox (a local stand-in, not AWS) and of the
 * clusters' Kubernetes API stand-ins (local stand-ins, not Kubernetes):
 *   yarn workspace @bluegreen/example-sandbox start
 * Environment: SANDBOX_PORT (4566), SANDBOX_HOST (127.0.0.1), SANDBOX_FIXTURES (a YAML
 * file), SANDBOX_INSYNC_DELAY_MS (2000), SANDBOX_THROTTLE_BURST (50),
 * SANDBOX_THROTTLE_REFILL_PER_SECOND (10), SANDBOX_THROTTLE=off, SANDBOX_PRIOR_REQUEST_WINDOW_MS (0);
 * SANDBOX_KUBERNETES=off, SANDBOX_KUBERNETES_FIXTURES (a YAML file), and per cluster
 * SANDBOX_KUBERNETES_<LAST PART OF THE NAME>_PORT, e.g. SANDBOX_KUBERNETES_BLUE_PORT (4571)
 * for eks-blueprint-blue and SANDBOX_KUBERNETES_GREEN_PORT (4572) for eks-blueprint-green.
 */
import { loadFixtures } from './fixtures';
import { loadKubernetesFixtures } from './kubernetes/fixtures';
import {
  DEFAULT_KUBERNETES_PORTS,
  KubernetesSandbox,
  startKubernetesSandbox,
} from './kubernetes/server';
import { startSandbox } from './server';

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
  });
  // eslint-disable-next-line no-console
  console.log(
    `bluegreen AWS sandbox (a local stand-in, not AWS) listening on ${sandbox.url}`,
  );

  let kubernetes: KubernetesSandbox | undefined;
  if (process.env.SANDBOX_KUBERNETES !== 'off') {
    const fixtures = loadKubernetesFixtures(
      process.env.SANDBOX_KUBERNETES_FIXTURES || undefined,
    );
    const ports: Record<string, number> = {};
    fixtures.clusters.forEach((cluster, index) => {
      const suffix = cluster.name
        .split('-')
        .pop()!
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, '_');
      ports[cluster.name] = numberFromEnv(
        `SANDBOX_KUBERNETES_${suffix}_PORT`,
        DEFAULT_KUBERNETES_PORTS[cluster.name] ?? 4571 + index,
      );
    });
    kubernetes = await startKubernetesSandbox({
      host: process.env.SANDBOX_HOST || '127.0.0.1',
      ports,
      fixtures,
    });
    for (const [name, { url }] of Object.entries(kubernetes.clusters)) {
      // eslint-disable-next-line no-console
      console.log(
        `bluegreen Kubernetes API stand-in for cluster ${name} (a local stand-in, not Kubernetes or EKS) listening on ${url}`,
      );
    }
  }
  const stop = () => {
    Promise.all([sandbox.close(), kubernetes?.close()]).then(() =>
      process.exit(0),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch(e => {
  // eslint-disable-next-line no-console
  console.error(e);
  process.exit(1);
});
