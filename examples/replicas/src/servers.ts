import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The repository's root: this package lives in examples/replicas. */
export const REPOSITORY_ROOT = path.resolve(
  path.dirname(require.resolve('@bluegreen/example-replicas/package.json')),
  '../..',
);

/** A folder under the repository's git-ignored .cache, created when missing. */
export function cacheDir(name: string): string {
  const dir = path.join(REPOSITORY_ROOT, '.cache', name);
  // 0755: PostgreSQL, run as its own user when we are root, must reach its folder.
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  return dir;
}

const running = new Set<ChildProcess>();
const folders = new Set<string>();
let hooked = false;

/**
 * However this process ends (only a SIGKILL of it escapes), the servers it started go
 * with it and their folders are removed.
 */
function installExitHook() {
  if (!hooked) {
    process.once('exit', () => {
      running.forEach(child => child.kill('SIGKILL'));
      folders.forEach(dir => fs.rmSync(dir, { recursive: true, force: true }));
    });
    hooked = true;
  }
}

export function removeOnExit(dir: string) {
  installExitHook();
  folders.add(dir);
}

export interface ServerProcess {
  child: ChildProcess;
  /** Rejects when the process stops on its own (or cannot start). */
  exited: Promise<never>;
}

/** Spawns a server (an argument array, no shell) with its output appended to `log`. */
export function spawnServer(
  binary: string,
  args: string[],
  log: string,
  options: Pick<SpawnOptions, 'uid' | 'gid' | 'cwd'> = {},
): ServerProcess {
  installExitHook();
  const out = fs.openSync(log, 'a');
  const child = spawn(binary, args, {
    ...options,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  running.add(child);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', error => {
      running.delete(child);
      reject(new Error(`${binary} could not start: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      running.delete(child);
      reject(
        new Error(
          `${path.basename(binary)} exited (${signal ?? code}); see ${log}`,
        ),
      );
    });
  });
  exited.catch(() => undefined);
  return { child, exited };
}

/** SIGTERM, then SIGKILL after 10 s. */
export function stopServer({ child }: ServerProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise(resolve => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Retries `ready` every 100 ms until it returns true; fails if `server` exits first. */
export async function waitUntil(
  what: string,
  ready: () => Promise<boolean>,
  timeoutMs: number,
  server: ServerProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: Error | undefined;
  server.exited.catch(error => {
    exited = error;
  });
  for (;;) {
    if (exited) {
      throw exited;
    }
    if (await ready().catch(() => false)) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}
