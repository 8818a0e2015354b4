import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The repository's root. */
export const REPO_ROOT = path.resolve(__dirname, '../../../../..');

/** Where the fresh-app test keeps what it may reuse between runs: Yarn's and npm's caches. */
export const FRESH_APP_CACHE = path.join(REPO_ROOT, '.cache', 'fresh-app');

/**
 * The environment of every command run in the fresh app: the test's own (which has Node
 * 22 and the repository's Yarn first on PATH, and npm_config_nodedir for better-sqlite3's
 * build), without what jest sets, with caches that outlive the run, and with installs
 * that may write the app's lockfile (CI=true would make Yarn refuse to).
 */
export function freshAppEnv(
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['NODE_ENV', 'NODE_OPTIONS', 'JEST_WORKER_ID']) {
    delete env[name];
  }
  return {
    ...env,
    YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
    YARN_GLOBAL_FOLDER: path.join(FRESH_APP_CACHE, 'yarn'),
    npm_config_cache: path.join(FRESH_APP_CACHE, 'npm'),
    ...extra,
  };
}

export interface RunOptions {
  cwd: string;
  /** Appended to as the command runs; its tail goes into the error on failure. */
  logFile: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs `command` with `args` (no shell) in its own process group, to completion; the
 * whole group is killed at the timeout. Resolves with its output; rejects, naming `what`
 * and the output's last lines, on a non-zero exit or the timeout.
 */
export function run(
  what: string,
  command: string,
  args: string[],
  options: RunOptions,
): Promise<string> {
  fs.appendFileSync(
    options.logFile,
    `\n==> ${what}: ${[command, ...args].join(' ')} (in ${options.cwd})\n`,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? freshAppEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk;
      fs.appendFileSync(options.logFile, chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, options.timeoutMs);
    child.once('error', error => {
      clearTimeout(timer);
      reject(new Error(`${what}: could not run ${command}: ${error.message}`));
    });
    child.once('close', code => {
      clearTimeout(timer);
      if (code === 0 && !timedOut) {
        resolve(output);
        return;
      }
      const tail = output.trimEnd().split('\n').slice(-40).join('\n');
      reject(
        new Error(
          `${what} ${
            timedOut
              ? `timed out after ${options.timeoutMs / 1000} s`
              : `exited with code ${code}`
          } (whole log: ${options.logFile}); its last lines:\n${tail}`,
        ),
      );
    });
  });
}
