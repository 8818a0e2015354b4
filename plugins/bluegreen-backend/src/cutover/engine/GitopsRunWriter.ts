import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ScaffolderService } from '@backstage/plugin-scaffolder-node';
import {
  formatWeights,
  sameWeights,
  Weights,
} from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { TrafficTarget } from '../../security/TrafficTargets';
import { RunWriter, WriteProgress } from './RunWriter';
import { HopReading, WeightHop } from './weightHops';

/** How long a GitOps step may take, and how often it is looked at. */
export interface GitopsStepSettings {
  /** The template each step runs (the "Cut over traffic" template). */
  templateRef: string;
  /** The step's task: cancelled and failed after this long. */
  taskTimeoutMs: number;
  /** Each hop after the task: failed, naming the hop, when its weights do not arrive. */
  hopTimeoutMs: number;
  pollMs: number;
}

const DONE = ['completed', 'failed', 'cancelled', 'skipped'];
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
/** How often a waiting step tells the run it is alive: well within a write's timeout (60 s at least). */
const HEARTBEAT_MS = 15_000;

/**
 * gitops-mode steps: each one a task of the "Cut over traffic" template (the weight
 * files, the applies gaining-first, the pull request), started by the engine with the
 * plugin's own credentials for this run's pending write alone (set-weight and apply check
 * that against the run), followed to its end; then the step waits for the weights to
 * pass each hop it can read, and counts as written once Route 53 holds them.
 */
export class GitopsRunWriter implements RunWriter {
  constructor(
    private readonly options: {
      scaffolder: Pick<
        ScaffolderService,
        'scaffold' | 'getTask' | 'getLogs' | 'cancelTask'
      >;
      credentials: () => Promise<BackstageCredentials>;
      targetOf(
        run: CutoverRunRecord,
      ): Promise<{ entity: Entity; target: TrafficTarget }>;
      /** In order; the last one is Route 53, which `read` reads too. */
      hops: WeightHop[];
      settings: GitopsStepSettings;
      /** Told once Route 53 holds the step (the status cache forgets the group). */
      written?: (target: TrafficTarget) => Promise<void>;
      logger: LoggerService;
      now?: () => number;
    },
  ) {}

  private now() {
    return (this.options.now ?? Date.now)();
  }

  async write(
    run: CutoverRunRecord,
    change: { weights: Weights; expected: Weights },
    write: WriteProgress,
  ): Promise<void> {
    const { entity, target } = await this.options.targetOf(run);
    // Events are saved at once; a bare heartbeat at most every HEARTBEAT_MS.
    let beat = this.now();
    const progress: WriteProgress = async update => {
      if (!update && this.now() - beat < HEARTBEAT_MS) return;
      beat = this.now();
      await write(update);
    };
    const taskId = await this.taskOf(run, change, progress);
    await this.follow(taskId, progress);
    for (const hop of this.options.hops) {
      await this.waitFor(hop, entity, target, change.weights, progress);
    }
    await this.options.written?.(target);
  }

  async read(run: CutoverRunRecord): Promise<Weights> {
    const { entity, target } = await this.options.targetOf(run);
    const route53 = this.options.hops[this.options.hops.length - 1];
    const reading = await route53.read(entity, target);
    if ('unreadable' in reading) throw new Error(reading.unreadable);
    return reading.weights as Weights;
  }

  /** The step's task: the one a replica that died started for it, or a new one. */
  private async taskOf(
    run: CutoverRunRecord,
    change: { weights: Weights; expected: Weights },
    progress: WriteProgress,
  ): Promise<string> {
    const { writeTask } = run.state;
    if (
      writeTask &&
      writeTask.phase === run.state.phase &&
      writeTask.stepIndex === run.state.stepIndex
    ) {
      await progress({ event: `following step task ${writeTask.id}` });
      return writeTask.id;
    }
    const { taskId } = await this.options.scaffolder.scaffold(
      {
        templateRef: this.options.settings.templateRef,
        values: {
          entity: run.entityRef,
          weights: change.weights,
          expected: change.expected,
          mode: 'gitops',
          runId: run.id,
        },
      },
      { credentials: await this.options.credentials() },
    );
    await progress({
      taskId,
      event: `step task ${taskId} started: the weight files, the applies and the pull request of ${formatWeights(
        change.weights,
      )}`,
    });
    return taskId;
  }

  private async follow(taskId: string, progress: WriteProgress) {
    const { settings } = this.options;
    const credentials = await this.options.credentials();
    const deadline = this.now() + settings.taskTimeoutMs;
    for (;;) {
      const task = await this.options.scaffolder.getTask(
        { taskId },
        { credentials },
      );
      if (DONE.includes(task.status)) {
        if (task.status !== 'completed') {
          throw new Error(
            `step task ${taskId} ${task.status}: ${await this.lastError(
              taskId,
              credentials,
            )}`,
          );
        }
        await progress({ event: `step task ${taskId} completed` });
        return;
      }
      if (this.now() >= deadline) {
        await this.options.scaffolder
          .cancelTask({ taskId }, { credentials })
          .catch(error =>
            this.options.logger.warn(`cancelling task ${taskId}: ${error}`),
          );
        throw new Error(
          `step task ${taskId} did not finish within ${
            settings.taskTimeoutMs / 1000
          } s; cancelled`,
        );
      }
      await progress();
      await sleep(settings.pollMs);
    }
  }

  /** The message of the task's failed step, as its log says it. */
  private async lastError(taskId: string, credentials: BackstageCredentials) {
    const events = await this.options.scaffolder
      .getLogs({ taskId }, { credentials })
      .catch(() => []);
    const failed = [...events]
      .reverse()
      .find(e => e.body.status === 'failed' && e.body.stepId);
    const text =
      failed?.body.message ??
      [...events].reverse().find(e => e.body.message)?.body.message ??
      'no log';
    // The step's error as the log has it, without its stack.
    return text.split(/\n\s+at /)[0].slice(0, 500);
  }

  private async waitFor(
    hop: WeightHop,
    entity: Entity,
    target: TrafficTarget,
    weights: Weights,
    progress: WriteProgress,
  ) {
    const { settings } = this.options;
    const started = this.now();
    for (;;) {
      let reading: HopReading | { weights: Partial<Weights>; error: string };
      try {
        reading = await hop.read(entity, target);
      } catch (error) {
        // A read that fails now (a cluster restarting) is tried again until the timeout.
        reading = { weights: {}, error: String(error) };
      }
      if ('unreadable' in reading) {
        await progress({
          event: `${hop.name}: cannot be read (${reading.unreadable}); not waited for`,
        });
        return;
      }
      const held = reading.weights;
      if (
        held.blue !== undefined &&
        held.green !== undefined &&
        sameWeights(held as Weights, weights)
      ) {
        await progress({
          event: `${hop.name} holds ${formatWeights(weights)} (after ${(
            (this.now() - started) /
            1000
          ).toFixed(1)} s)`,
        });
        return;
      }
      if (this.now() - started >= settings.hopTimeoutMs) {
        throw new Error(
          `the weights did not reach ${hop.name} within ${
            settings.hopTimeoutMs / 1000
          } s: it holds blue=${held.blue ?? 'unknown'} green=${
            held.green ?? 'unknown'
          }, not ${formatWeights(weights)}${
            'error' in reading ? ` (${reading.error})` : ''
          }`,
        );
      }
      await progress();
      await sleep(settings.pollMs);
    }
  }
}
