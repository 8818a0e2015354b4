import { spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';

/** One CLI invocation. */
export interface TerraformCommand {
  args: string[];
  cwd: string;
  /** Aborting interrupts the CLI: SIGINT, then SIGKILL after the grace period. */
  signal?: AbortSignal;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
}

export interface TerraformRunResult {
  exitCode: number | null;
  /** True when the command was interrupted through its signal. */
  interrupted: boolean;
  /** True when it did not stop within the grace period and had to be killed. */
  killed: boolean;
}

/** Runs the Terraform-compatible CLI; the seam that tests and the actions share. */
export interface TerraformRunner {
  readonly binary: string;
  run(command: TerraformCommand): Promise<TerraformRunResult>;
}

// The variables the CLI and its providers may need from the backend's environment: where
// to find programs and certificates, and the CLI's configuration and caches as the
// operator set them. HOME is not among them: each run gets an empty one.
const PASSED_ENV = [
  'PATH',
  'TMPDIR',
  'LANG',
  'LC_ALL',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'TF_CLI_CONFIG_FILE',
  'TF_PLUGIN_CACHE_DIR',
];
// Only with bluegreen.terraform.passProxyVariables: a proxy URL can carry credentials.
const PROXY_ENV = [
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

/**
 * The environment of a CLI process: the allow-listed variables of the backend process,
 * automation settings, the run's own HOME and data directory, and `extra` (for example
 * AWS credentials from the backend's AWS configuration). Nothing else of the backend's
 * environment (tokens, secrets, its home directory) reaches the CLI.
 */
export function cliEnvironment(
  source: NodeJS.ProcessEnv,
  options: {
    home: string;
    dataDir: string;
    passProxyVariables?: boolean;
    extra?: Record<string, string>;
  },
): Record<string, string> {
  const env: Record<string, string> = {};
  const passed = options.passProxyVariables
    ? [...PASSED_ENV, ...PROXY_ENV]
    : PASSED_ENV;
  for (const name of passed) {
    const value = source[name];
    if (value !== undefined) {
      env[name] = value;
    }
  }
  // A CLI configuration file that does not exist only makes the CLI print a warning on
  // stdout, which would mix with the output it is asked for.
  if (env.TF_CLI_CONFIG_FILE && !fs.existsSync(env.TF_CLI_CONFIG_FILE)) {
    delete env.TF_CLI_CONFIG_FILE;
  }
  return {
    ...env,
    HOME: options.home,
    TF_DATA_DIR: options.dataDir,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    // AWS credentials come only from `extra` (the backend's aws config): not from any
    // ~/.aws files nor from the instance metadata service.
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...options.extra,
  };
}

/** Spawns the CLI with an argument array (never a shell) in a clean environment. */
export class TerraformCli implements TerraformRunner {
  constructor(
    readonly binary: string,
    private readonly options: {
      /**
       * The process environment, built for each command (in `cwd`): credentials
       * resolved per command stay valid through a long apply (assumed-role credentials
       * last ~1 h).
       */
      environment: (cwd: string) => Promise<Record<string, string>>;
      cancelGracePeriodMs: number;
    },
  ) {}

  async run(command: TerraformCommand): Promise<TerraformRunResult> {
    const { args, cwd, signal, onStdoutLine, onStderrLine } = command;
    const env = await this.options.environment(cwd);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        resolve({ exitCode: null, interrupted: true, killed: false });
        return;
      }
      const child = spawn(this.binary, args, {
        cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so that signals reach the providers and provisioners
        // it starts, as Ctrl-C in a terminal would.
        detached: true,
      });
      const signalGroup = (name: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, name);
        } catch {
          // already gone
        }
      };
      let interrupted = false;
      let killed = false;
      let killTimer: NodeJS.Timeout | undefined;

      const interrupt = () => {
        interrupted = true;
        // SIGINT lets the CLI stop gracefully and release the state lock.
        signalGroup('SIGINT');
        killTimer = setTimeout(() => {
          killed = true;
          signalGroup('SIGKILL');
        }, this.options.cancelGracePeriodMs);
      };
      signal?.addEventListener('abort', interrupt, { once: true });

      const stdout = readline.createInterface({ input: child.stdout });
      const stderr = readline.createInterface({ input: child.stderr });
      // A failing line handler must not become an uncaught exception in the backend.
      const guarded = (handler?: (line: string) => void) => (line: string) => {
        try {
          handler?.(line);
        } catch {
          // the line is lost, the run goes on
        }
      };
      stdout.on('line', guarded(onStdoutLine));
      stderr.on('line', guarded(onStderrLine));

      child.once('error', error => {
        // Only a failure to start ends the run here; once running, 'close' does.
        if (child.pid !== undefined) {
          return;
        }
        signal?.removeEventListener('abort', interrupt);
        clearTimeout(killTimer);
        reject(
          new Error(
            `could not run the Terraform CLI "${this.binary}": ${error.message}`,
          ),
        );
      });
      child.once('close', exitCode => {
        signal?.removeEventListener('abort', interrupt);
        clearTimeout(killTimer);
        resolve({ exitCode, interrupted, killed });
      });
    });
  }
}
