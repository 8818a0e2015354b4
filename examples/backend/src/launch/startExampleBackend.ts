/*
 * Starts the example backend as users start it (`backstage-cli package start` with
 * examples/app-config.yaml, NODE_ENV=development) on a free port, in its own process
 * group, and waits until it is ready. Used by the smoke test and the benchmarks under
 * bench/. Not part of the backend itself: nothing in src/index.ts imports it.
 */

import net from 'node:net';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { PackageProcess, startPackageProcess } from './packageProcess';

export interface ExampleBackendOptions {
  /**
   * Extra environment for the backend, e.g. APP_CONFIG_bluegreen_aws_endpoint. The
   * listen port, the base URL and NODE_ENV are set by the launcher.
   */
  env?: Record<string, string>;
  /** How long to wait for the readiness endpoint. Default 180 s. */
  startupTimeoutMs?: number;
  /**
   * The port to listen on. Default: a free port. Pass one (see freePort) when another
   * process, e.g. the example frontend started in parallel, must know the backend's URL
   * before the backend is ready.
   */
  port?: number;
  /**
   * backend.baseUrl, when the backend is reached through something else (the replicas'
   * round-robin proxy). Default: its own http://localhost:<port>.
   */
  publicUrl?: string;
  /** More config files after ../app-config.yaml (absolute, or relative to examples/backend). */
  configs?: string[];
}

export interface ExampleBackend {
  /** http://localhost:<port> */
  baseUrl: string;
  /** Everything the backend has written to stdout and stderr so far. */
  log(): string;
  /** The last lines of the log (default 40), for error messages. */
  logTail(lines?: number): string;
  /**
   * How often `backstage-cli package start` has restarted the backend since it was
   * ready: it restarts it whenever a source file the backend loaded changes, and the
   * restarted backend has a new in-memory database (no tasks, fresh signing keys).
   */
  restarts(): number;
  /** The raw answer of the guest provider's refresh endpoint. */
  guestRefresh(): Promise<{ status: number; body: any }>;
  /** A Backstage token of the guest user; throws unless the sign-in succeeds. */
  guestToken(): Promise<string>;
  /**
   * Retries `attempt` every 500 ms until it returns something other than undefined (a
   * rejection counts as undefined). Fails with the log tail when the backend exits or
   * `timeoutMs` passes.
   */
  waitFor<T>(
    what: string,
    attempt: () => Promise<T | undefined>,
    timeoutMs: number,
  ): Promise<T>;
  /** SIGTERM to the process group, SIGKILL after 10 s. Safe to call more than once. */
  stop(): Promise<void>;
  /** SIGKILL to the process group at once (a replica dying mid-step); resolves when gone. */
  kill(): Promise<void>;
  /** Whether the process has exited. */
  hasExited(): boolean;
}

const DEFAULT_STARTUP_TIMEOUT_MS = 180_000;
/** What the backend logs when a plugin failed to start. */
const STARTUP_FAILED = 'Backend startup failed';
/** What `backstage-cli package start` prints when a watched file changed. */
const RESTART_MESSAGE = 'Change detected, restarting the development server';

/** A port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startExampleBackend(
  options: ExampleBackendOptions = {},
): Promise<ExampleBackend> {
  const port = options.port ?? (await freePort());
  const baseUrl = `http://localhost:${port}`;
  const proc = startPackageProcess(
    // examples/backend, where `yarn start` runs it.
    resolvePackagePath('@bluegreen/example-backend'),
    {
      ...options.env,
      APP_CONFIG_backend_listen_port: String(port),
      APP_CONFIG_backend_baseUrl: options.publicUrl ?? baseUrl,
    },
    options.configs,
  );
  return awaitBackend(proc, baseUrl, options.startupTimeoutMs);
}

/**
 * Waits until the Backstage backend `proc` runs answers its readiness endpoint at
 * `baseUrl` (it is stopped if it does not), and returns it with its guest sign-in.
 * Any backend: the example's, or an app's that create-app made.
 */
export async function awaitBackend(
  proc: PackageProcess,
  baseUrl: string,
  startupTimeoutMs = DEFAULT_STARTUP_TIMEOUT_MS,
): Promise<ExampleBackend> {
  const { child, logTail, stop, kill } = proc;

  async function waitFor<T>(
    what: string,
    attempt: () => Promise<T | undefined>,
    timeoutMs: number,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // `backstage-cli package start` keeps watching after a failed start-up.
      if (proc.log().includes(STARTUP_FAILED)) {
        throw new Error(
          `the backend failed to start while waiting for ${what}:\n${logTail()}`,
        );
      }
      if (proc.hasExited()) {
        throw new Error(
          `the backend exited with code ${child.exitCode}${
            child.signalCode ? ` (${child.signalCode})` : ''
          } while waiting for ${what}:\n${logTail()}`,
        );
      }
      const value = await attempt().catch(() => undefined);
      if (value !== undefined) {
        return value;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}:\n${logTail()}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 500));
    }
  }

  async function guestRefresh() {
    const res = await fetch(
      `${baseUrl}/api/auth/guest/refresh?env=development`,
      { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
    );
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (e.g. an HTML error page): keep the text.
    }
    return { status: res.status, body };
  }

  async function guestToken(): Promise<string> {
    const { status, body } = await guestRefresh();
    if (status !== 200) {
      throw new Error(
        `guest sign-in answered ${status}: ${JSON.stringify(body)}`,
      );
    }
    return body.backstageIdentity.token;
  }

  try {
    await waitFor(
      'the readiness endpoint',
      async () => {
        const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
        return res.ok ? true : undefined;
      },
      startupTimeoutMs,
    );
  } catch (error) {
    await stop();
    throw error;
  }

  const restartsSoFar = () => proc.log().split(RESTART_MESSAGE).length - 1;
  const restartsBeforeReady = restartsSoFar();

  return {
    baseUrl,
    log: proc.log,
    logTail,
    restarts: () => restartsSoFar() - restartsBeforeReady,
    guestRefresh,
    guestToken,
    waitFor,
    stop,
    kill,
    hasExited: proc.hasExited,
  };
}
