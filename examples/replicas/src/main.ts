/*
 * The example like production, for `bash scripts/start.sh --replicas N` (which starts
 * the AWS sandbox and the example's clusters first):
 *   yarn workspace @bluegreen/example-replicas start --replicas 2 [--config <file>]...
 * PostgreSQL and Redis (real servers in throw-away folders under .cache), N example
 * backends on them, a round-robin proxy (a LOCAL STAND-IN for a load balancer) on
 * http://localhost:7007 in front of them, and the example frontend on
 * http://localhost:3000 pointed at the proxy. Ctrl-C (SIGINT) or SIGTERM stops them all.
 */
import { ExampleApp, startExampleApp } from '@bluegreen/example-backend/launch';
import { startReplicas } from './startReplicas';

function parseArgs(argv: string[]) {
  const options = { replicas: 2, configs: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--replicas' && /^[1-9]\d*$/.test(argv[i + 1] ?? '')) {
      options.replicas = Number(argv[++i]);
    } else if (argv[i] === '--config' && argv[i + 1]) {
      options.configs.push(argv[++i]);
    } else {
      throw new Error(
        `unknown argument ${argv[i]}; usage: main.ts [--replicas N (a positive whole number)] [--config <file>]...`,
      );
    }
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const replicas = await startReplicas({
    replicas: options.replicas,
    configs: options.configs,
    proxyPort: 7007,
    log: line => console.log(`==> ${line}`),
  });
  let stopping = false;
  // Set once the frontend is up; a Ctrl-C before that stops the rest.
  const started: { app?: ExampleApp } = {};
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log(
      '==> stopping the frontend, the replicas, Redis and PostgreSQL',
    );
    await started.app?.stop();
    await replicas.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log('==> starting the example frontend on http://localhost:3000');
  started.app = await startExampleApp({
    baseUrl: 'http://localhost:3000',
    env: { APP_CONFIG_backend_baseUrl: replicas.proxy.url },
  }).catch(async error => {
    await replicas.stop();
    throw error;
  });
  console.log(
    [
      `==> ready: the app on http://localhost:3000, ${options.replicas} replicas behind the round-robin proxy (a local stand-in for a load balancer) at ${replicas.proxy.url}:`,
      ...replicas.backends.map((b, i) => `    replica ${i}: ${b.baseUrl}`),
      `    PostgreSQL on its Unix socket in ${replicas.postgres.host} (user ${replicas.postgres.user}), Redis on 127.0.0.1:${replicas.redis.port} (password in BLUEGREEN_REDIS_URL of the replicas)`,
      '    Ctrl-C stops them all.',
    ].join('\n'),
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
