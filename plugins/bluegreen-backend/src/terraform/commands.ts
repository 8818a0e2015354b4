import { JsonEventLog } from './JsonEventLog';
import { TerraformRunner, TerraformRunResult } from './TerraformCli';

/** The message of an action whose CLI was interrupted because the task was cancelled. */
export function cancelledError(options: {
  action: string;
  phase: string;
  stack: string;
  binary: string;
  killed: boolean;
  graceMs: number;
}): Error {
  const { action, phase, stack, binary, killed, graceMs } = options;
  return new Error(
    `${action} was cancelled during ${phase} of ${stack}: the CLI was interrupted (SIGINT)${
      killed
        ? ` and killed after ${
            graceMs / 1000
          } s; the state lock may still be held (release it with "${binary} force-unlock <lock id>" in ${stack})`
        : ' and exited, releasing the state lock'
    }`,
  );
}

/** Runs a command whose output is plain text; lines are logged and kept. */
export async function runText(options: {
  runner: TerraformRunner;
  args: string[];
  cwd: string;
  log?: (line: string) => void;
  signal?: AbortSignal;
}): Promise<TerraformRunResult & { stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const result = await options.runner.run({
    args: options.args,
    cwd: options.cwd,
    signal: options.signal,
    onStdoutLine: line => {
      stdout.push(line);
      if (line.trim()) {
        options.log?.(line);
      }
    },
    onStderrLine: line => {
      if (line.trim()) {
        stderr.push(line.trim());
        options.log?.(line);
      }
    },
  });
  return { ...result, stdout, stderr };
}

/**
 * Runs a plain-text command that must succeed; throws the cancellation error when the
 * task was cancelled and a message naming `what` when the command failed.
 */
export async function runTextChecked(options: {
  runner: TerraformRunner;
  args: string[];
  cwd: string;
  what: string;
  log?: (line: string) => void;
  signal?: AbortSignal;
  onCancelled: (phase: string, killed: boolean) => Error;
}): Promise<string[]> {
  const result = await runText(options);
  if (result.interrupted) {
    throw options.onCancelled(
      options.args.slice(0, 2).join(' '),
      result.killed,
    );
  }
  if (result.exitCode !== 0) {
    throw new Error(
      `${options.what}: ${options.args.slice(0, 2).join(' ')} failed (exit ${
        result.exitCode
      }): ${result.stderr.slice(-5).join(' ')}`,
    );
  }
  return result.stdout;
}

export interface JsonRun {
  result: TerraformRunResult;
  events: JsonEventLog;
  /** Set when a resource stayed in progress longer than the stall timeout. */
  stalledResource?: string;
  timedOut: boolean;
}

/**
 * Runs a `-json` command (plan, apply, destroy) with readable progress: every event as a
 * log line, and a heartbeat naming the resources still in progress when nothing was
 * logged for `heartbeatMs`. A stalled resource or the timeout interrupts the CLI.
 */
export async function runJson(options: {
  runner: TerraformRunner;
  args: string[];
  cwd: string;
  log: (line: string) => void;
  signal?: AbortSignal;
  heartbeatMs: number;
  stallMs?: number;
  timeoutMs?: number;
}): Promise<JsonRun> {
  const { heartbeatMs, stallMs, timeoutMs } = options;
  let lastLine = Date.now();
  const log = (line: string) => {
    lastLine = Date.now();
    options.log(line);
  };
  const events = new JsonEventLog(log);
  const stall = new AbortController();
  const deadline = new AbortController();
  let stalledResource: string | undefined;

  const timer = setInterval(() => {
    const now = Date.now();
    for (const [address, started] of events.inProgress) {
      if (
        stallMs !== undefined &&
        !stalledResource &&
        now - started >= stallMs
      ) {
        stalledResource = address;
        stall.abort();
      }
    }
    if (events.inProgress.size > 0 && now - lastLine >= heartbeatMs) {
      log(
        `still in progress: ${[...events.inProgress]
          .map(
            ([address, started]) =>
              `${address} (${Math.round((now - started) / 1000)}s)`,
          )
          .join(', ')}`,
      );
    }
  }, Math.min(1000, heartbeatMs));
  const timeout =
    timeoutMs !== undefined
      ? setTimeout(() => deadline.abort(), timeoutMs)
      : undefined;

  const signals = [stall.signal, deadline.signal];
  if (options.signal) {
    signals.push(options.signal);
  }
  try {
    const result = await options.runner.run({
      args: options.args,
      cwd: options.cwd,
      signal: AbortSignal.any(signals),
      onStdoutLine: line => events.handleLine(line),
      onStderrLine: line => {
        if (line.trim()) {
          log(line);
        }
      },
    });
    return {
      result,
      events,
      stalledResource,
      timedOut: deadline.signal.aborted,
    };
  } finally {
    clearInterval(timer);
    clearTimeout(timeout);
  }
}

/** The errors of a failed `-json` run, for the action's error message. */
export function describeFailure(run: JsonRun): string {
  const failed = run.events.failedResources.length
    ? ` [failed: ${run.events.failedResources.join(', ')}]`
    : '';
  return `(exit ${run.result.exitCode})${failed}: ${
    run.events.errors.join('; ') || 'see the log above'
  }`;
}
