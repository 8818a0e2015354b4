import fs from 'node:fs';
import path from 'node:path';
import {
  PackageProcess,
  startProcessGroup,
} from '@bluegreen/example-backend/launch';

/** The repository's root. */
export const REPO_ROOT = path.resolve(__dirname, '../../../../..');

/** Where the fresh-app test keeps what it may reuse between runs: Yarn's and npm's caches. */
export const FRESH_APP_CACHE = path.join(REPO_ROOT, '.cache', 'fresh-app');

/**
 * What of the test's environment the fresh app's commands get: what finds tools, homes
 * and certificates, nothing else. Freshly downloaded install scripts and the app's
 * backend see no CI tokens or AWS keys, and none of the Yarn variables of the Yarn that
 * runs this test (npm_execpath, PROJECT_CWD, YARN_IGNORE_PATH...), which would point the
 * app's Yarn at this repository.
 */
const PASSED_ON =
  /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LC_[A-Z]+|TZ|TMPDIR|TERM|npm_config_nodedir|[A-Z_]*(CA_CERTS?|CA_BUNDLE|CAINFO|SSL_CERT_(FILE|DIR))|(https?|no)_proxy|(HTTPS?|NO)_PROXY)$/;

/**
 * The environment of every command run in the fresh app: the allowed part of the test's
 * own (its PATH has Node 22 and the repository's Yarn first; npm_config_nodedir is for
 * better-sqlite3's build), caches that outlive the run, and installs that may write the
 * app's lockfile.
 */
export function freshAppEnv(
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (PASSED_ON.test(name)) {
      env[name] = value;
    }
  }
  return {
    ...env,
    YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
    YARN_GLOBAL_FOLDER: path.join(FRESH_APP_CACHE, 'yarn'),
    npm_config_cache: path.join(FRESH_APP_CACHE, 'npm'),
    ...extra,
  };
}

const started: PackageProcess[] = [];

/**
 * startProcessGroup, remembered so that stopAll() (the suite's afterAll) stops whatever a
 * step timed out on.
 */
export function startRemembered(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): PackageProcess {
  const proc = startProcessGroup(command, args, options);
  started.push(proc);
  return proc;
}

/** Stops every process group the test started (a no-op for those that ended). */
export async function stopAll(): Promise<void> {
  await Promise.all(started.map(proc => proc.stop()));
}

export interface RunOptions {
  cwd: string;
  /** Appended to when the command ends; its tail goes into the error on failure. */
  logFile: string;
  timeoutMs: number;
  /** Default: freshAppEnv(). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs `command` with `args` (no shell) in its own process group, to completion; the
 * group is killed at the timeout. Resolves with its output; rejects, naming `what` and the
 * output's last lines, on a non-zero exit or the timeout.
 */
export async function run(
  what: string,
  command: string,
  args: string[],
  options: RunOptions,
): Promise<string> {
  const proc = startRemembered(command, args, {
    cwd: options.cwd,
    env: options.env ?? freshAppEnv(),
  });
  // 'close', not 'exit': the output is complete only once its pipes are.
  const closed = new Promise(resolve => proc.child.once('close', resolve));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill();
  }, options.timeoutMs);
  await closed;
  clearTimeout(timer);
  await proc.stop();
  const output = proc.log();
  fs.appendFileSync(
    options.logFile,
    `\n==> ${what}: ${[command, ...args].join(' ')} (in ${
      options.cwd
    })\n${output}`,
  );
  const code = proc.child.exitCode;
  if (code === 0 && !timedOut) {
    return output;
  }
  throw new Error(
    `${what} ${
      timedOut
        ? `timed out after ${options.timeoutMs / 1000} s`
        : `exited with code ${code}${
            proc.child.signalCode ? ` (${proc.child.signalCode})` : ''
          }`
    } (whole log: ${options.logFile}); its last lines:\n${proc.logTail(40)}`,
  );
}
