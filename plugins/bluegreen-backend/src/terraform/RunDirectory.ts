import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';

/** Where the actions keep what is theirs in a task workspace (never published). */
export const ACTIONS_DIRECTORY = '.bluegreen';

/**
 * One action's private directory inside the task workspace: an empty HOME for the CLI
 * (no ~/.terraformrc, credentials or caches of the backend host), a TF_DATA_DIR per
 * stack (so a `.terraform` directory that came with the workspace is never read), and
 * scratch space. Removed when the action ends, so a later publish step never sees it.
 */
export class RunDirectory {
  static async create(workspacePath: string): Promise<RunDirectory> {
    const parent = resolveSafeChildPath(workspacePath, ACTIONS_DIRECTORY);
    await fs.mkdir(parent, { recursive: true });
    const root = await fs.mkdtemp(path.join(parent, 'run-'));
    const home = path.join(root, 'home');
    await fs.mkdir(home);
    return new RunDirectory(workspacePath, root, home);
  }

  private constructor(
    private readonly workspacePath: string,
    readonly root: string,
    readonly home: string,
  ) {}

  /** The CLI's data directory for a stack directory of the workspace. */
  dataDirFor(cwd: string): string {
    const relative = path.relative(this.workspacePath, cwd) || 'root';
    return path.join(this.root, 'data', relative.replace(/[\\/]/g, '_'));
  }

  /** A fresh empty directory for scratch work. */
  async scratch(name: string): Promise<string> {
    const dir = path.join(this.root, name);
    await fs.mkdir(dir);
    return dir;
  }

  async dispose(): Promise<void> {
    await fs.rm(this.root, { recursive: true, force: true });
    await fs
      .rmdir(path.dirname(this.root))
      .catch(() => undefined /* another run still uses it */);
  }
}
