import path from 'node:path';
import {
  ExampleBackend,
  freePort,
  startExampleBackend,
} from '@bluegreen/example-backend/launch';
import { PostgresServer, startPostgres } from './postgres';
import { RedisServer, startRedis } from './redis';
import { RoundRobinProxy, startRoundRobinProxy } from './roundRobinProxy';
import { REPOSITORY_ROOT } from './servers';

/** examples/app-config.replicas.yaml: PostgreSQL, Redis, scaffolder task recovery. */
export const REPLICAS_CONFIG = path.join(
  REPOSITORY_ROOT,
  'examples/app-config.replicas.yaml',
);

export interface Replicas {
  postgres: PostgresServer;
  redis: RedisServer;
  /** The round-robin proxy (a local stand-in for a load balancer): backend.baseUrl. */
  proxy: RoundRobinProxy;
  /** The replicas, each also reachable directly at its own baseUrl; [i] is upstream i. */
  backends: ExampleBackend[];
  /** The environment a replica (or the frontend) is started with. */
  env: Record<string, string>;
  /** Starts replica `index` again on its port, after it was killed or stopped. */
  restart(index: number): Promise<ExampleBackend>;
  /** Stops the replicas, the proxy, Redis and PostgreSQL. */
  stop(): Promise<void>;
}

export interface ReplicasOptions {
  /** How many backends (default 2). */
  replicas?: number;
  /** APP_CONFIG_* and other environment for every replica (the sandbox, clusters). */
  env?: Record<string, string>;
  /** More config files for every replica, after app-config.replicas.yaml. */
  configs?: string[];
  /** The proxy's port (default a free one); the frontend talks to it. */
  proxyPort?: number;
  /** Prints progress (default silent). */
  log?: (line: string) => void;
}

/**
 * The example backend like production: one PostgreSQL and one Redis (real servers,
 * throw-away), `replicas` example backends on them on ports of their own, and a
 * round-robin proxy in front whose URL is every replica's backend.baseUrl (so the
 * frontend, the scaffolder's calls back into the API and the plugins' discovery all go
 * through it).
 */
export async function startReplicas(
  options: ReplicasOptions = {},
): Promise<Replicas> {
  const log = options.log ?? (() => undefined);
  const count = options.replicas ?? 2;
  log(
    'starting PostgreSQL and Redis (real servers, throw-away folders under .cache)',
  );
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const ports = await Promise.all(
    Array.from({ length: count }, () => freePort()),
  );
  const proxy = await startRoundRobinProxy({
    upstreams: ports.map(port => `http://127.0.0.1:${port}`),
    port: options.proxyPort,
  });
  const env = {
    ...options.env,
    BLUEGREEN_POSTGRES_HOST: postgres.host,
    BLUEGREEN_POSTGRES_PORT: String(postgres.port),
    BLUEGREEN_POSTGRES_USER: postgres.user,
    BLUEGREEN_REDIS_URL: redis.url,
  };
  const backends: ExampleBackend[] = [];
  const start = async (index: number) => {
    const backend = await startExampleBackend({
      port: ports[index],
      publicUrl: proxy.url,
      configs: [REPLICAS_CONFIG, ...(options.configs ?? [])],
      env,
    });
    backends[index] = backend;
    log(`replica ${index} (${backend.baseUrl}) is ready`);
    return backend;
  };
  const stop = async () => {
    await Promise.all(backends.map(backend => backend?.stop()));
    await proxy.close();
    await Promise.all([redis.stop(), postgres.stop()]);
  };
  log(
    `starting ${count} example backends on ports ${ports.join(
      ', ',
    )} behind the round-robin proxy at ${proxy.url}`,
  );
  // The first replica migrates the empty database alone: Backstage's core services
  // (the auth plugin's key store, say) race each other creating their tables on an
  // empty database. The others then start side by side, as a rollout's pods do.
  const started = await Promise.allSettled([start(0)]).then(async first =>
    first[0].status === 'rejected'
      ? first
      : [
          ...first,
          ...(await Promise.allSettled(
            ports.slice(1).map((_, i) => start(i + 1)),
          )),
        ],
  );
  const failed = started.find(
    (result): result is PromiseRejectedResult => result.status === 'rejected',
  );
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return {
    postgres,
    redis,
    proxy,
    backends,
    env,
    async restart(index: number) {
      if (!backends[index].hasExited()) {
        throw new Error(`replica ${index} is still running`);
      }
      return start(index);
    },
    stop,
  };
}
