import { ChildProcess, spawn } from 'node:child_process';

/** A process in its own process group: an example package's `backstage-cli package start`, or any command. */
export interface PackageProcess {
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  hasExited(): boolean;
  /** Everything it has written to stdout and stderr so far. */
  log(): string;
  /**
   * The last lines of the log (default 40), for error messages; without the access log
   * of the launcher's own readiness polls, which would fill it while the backend starts.
   */
  logTail(lines?: number): string;
  /** SIGTERM to the process group, SIGKILL after 10 s. Safe to call more than once. */
  stop(): Promise<void>;
  /** SIGKILL to the process group now; resolves when the process has exited. */
  kill(): Promise<void>;
}

/**
 * Starts `backstage-cli package start --config ../app-config.yaml` (then each of
 * `configs`) in `cwd` as
 * `yarn start` does (NODE_ENV=development; jest would pass on NODE_ENV=test), in its own
 * process group so that the CLI and what it forks stop together.
 */
export function startPackageProcess(
  cwd: string,
  env: Record<string, string>,
  configs: string[] = [],
): PackageProcess {
  return startProcessGroup(
    process.execPath,
    [
      require.resolve('@backstage/cli/bin/backstage-cli'),
      'package',
      'start',
      '--config',
      '../app-config.yaml',
      ...configs.flatMap(config => ['--config', config]),
    ],
    { cwd, env: { ...process.env, ...env, NODE_ENV: 'development' } },
  );
}

/**
 * Starts `command` with `args` (no shell) in its own process group, collecting its
 * output; `env` is its whole environment.
 */
export function startProcessGroup(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): PackageProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', chunk => (output += chunk));
  child.stderr!.on('data', chunk => (output += chunk));
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve()),
  );
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;

  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // The group is already gone.
    }
  };

  async function stop(): Promise<void> {
    if (hasExited()) {
      signal('SIGKILL');
      return;
    }
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    // The leader (yarn, the CLI) may exit before what it forked: none of the group stays.
    signal('SIGKILL');
  }

  return {
    child,
    exited,
    hasExited,
    log: () => output,
    logTail: (lines = 40) =>
      output
        .split('\n')
        .filter(line => !line.includes('/.backstage/health/v1/readiness'))
        .slice(-lines)
        .join('\n'),
    stop,
    async kill() {
      signal('SIGKILL');
      await exited;
    },
  };
}
