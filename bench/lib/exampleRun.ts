/*
 * The frame shared by the benchmarks that run through the example backend against the
 * AWS sandbox: start both, measure, clean up, and exit with
 *   0 goal met, 1 goal missed or an error, 2 the results are invalid because
 *   `backstage-cli package start` restarted the backend (a fresh in-memory database).
 */
import { startExampleClusters } from '@bluegreen/example-kubernetes';
import {
  Sandbox,
  SandboxOptions,
  startSandbox,
} from '@bluegreen/example-sandbox';
import {
  ExampleBackend,
  kubernetesClustersEnv,
  startExampleBackend,
} from '../../examples/backend/src/launch';
import {
  Replicas,
  startReplicas,
} from '../../examples/replicas/src/startReplicas';

function restartNote(restarts: number): string {
  return `the example backend restarted ${restarts} time(s) during the benchmark (backstage-cli package start restarts it when a source file it loaded changes, with a fresh in-memory database); rerun while the sources are not being edited`;
}

/**
 * Starts the sandbox (insyncDelayMs 0), the example's two clusters as real kube-apiservers
 * (every pod ready, so the cutover pre-flight passes both ways) and the example backend pointed at them, runs
 * measure (which prints its results and says whether the goal was met), then prints
 * `reproduce: <command>` and sets process.exitCode. Both are stopped afterwards, on
 * SIGINT/SIGTERM too. With `replicas` > 1, the backend runs like production
 * (examples/replicas): that many replicas on one PostgreSQL and one Redis, and measure
 * gets them all.
 */
export async function withExampleBackend(
  command: string,
  measure: (
    backend: ExampleBackend,
    sandbox: Sandbox,
    all: ExampleBackend[],
  ) => Promise<boolean>,
  options: {
    /** Default insyncDelayMs 0. */
    sandbox?: SandboxOptions;
    /** More of the backend's environment, given the sandbox (APP_CONFIG_* overrides). */
    env?: (sandbox: Sandbox) => Record<string, string>;
    /** Default 1: one backend on in-memory SQLite and cache, as the quick start runs. */
    replicas?: number;
  } = {},
): Promise<void> {
  const sandbox = await startSandbox(options.sandbox ?? { insyncDelayMs: 0 });
  const kubernetes = await startExampleClusters({ allReady: true });
  let backends: ExampleBackend[] = [];
  let replicas: Replicas | undefined;
  const cleanUp = async () => {
    await (replicas
      ? replicas.stop()
      : Promise.all(backends.map(backend => backend.stop())));
    await sandbox.close();
    await kubernetes.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanUp().finally(() => process.exit(130));
    });
  }
  const restarts = () => backends.reduce((sum, b) => sum + b.restarts(), 0);

  try {
    const env = {
      APP_CONFIG_bluegreen_aws_endpoint: sandbox.url,
      ...kubernetesClustersEnv(kubernetes.clusterLocatorMethods()),
      ...options.env?.(sandbox),
    };
    if ((options.replicas ?? 1) > 1) {
      console.log(
        `starting ${options.replicas} example backends on PostgreSQL and Redis (AWS sandbox, a local stand-in, at ${sandbox.url}) ...`,
      );
      replicas = await startReplicas({ replicas: options.replicas, env });
      backends = replicas.backends;
    } else {
      console.log(
        `starting the example backend (AWS sandbox, a local stand-in, at ${sandbox.url}) ...`,
      );
      backends = [await startExampleBackend({ env })];
    }
    const pass = await measure(backends[0], sandbox, backends);
    console.log(`reproduce: ${command}`);
    process.exitCode = pass ? 0 : 1;
    if (restarts() > 0) {
      console.log(`INVALID: ${restartNote(restarts())}`);
      process.exitCode = 2;
    }
  } catch (error) {
    // A restart mid-run is the likely cause of the error; its log says why.
    if (restarts() > 0) {
      console.error(restartNote(restarts()));
      backends.forEach(backend => console.error(backend.logTail()));
    }
    throw error;
  } finally {
    await cleanUp();
  }
}

/** Runs main, then exits with process.exitCode, or prints a thrown error and exits 1. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    // Exit now rather than when the HTTP client's idle keep-alive sockets close.
    () => process.exit(),
    error => {
      console.error(error);
      process.exit(1);
    },
  );
}
