import { LoggerService } from '@backstage/backend-plugin-api';
import { Weights } from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { boundRecordGroup } from '../../security/resolveBoundZone';
import { TrafficTarget } from '../../security/TrafficTargets';
import { clusterWeights } from '../recordGroupWeights';
import { Route53WeightWriter } from '../Route53WeightWriter';
import { WeightWriterOptions } from '../WeightWriter';
import { RunWriter } from './RunWriter';
import { writeTimeoutMs } from './runState';

/**
 * route53-mode steps: each one compare-and-swap change batch of Route53WeightWriter (the
 * set-weight action's), waiting for INSYNC, with the run's progress in the plugin's log.
 */
export class Route53RunWriter implements RunWriter {
  private readonly writer: Route53WeightWriter;

  constructor(
    private readonly options: WeightWriterOptions & {
      /** The run's traffic, bound by configuration (TrafficTargets.forCutover). */
      targetOf(run: CutoverRunRecord): Promise<TrafficTarget>;
      logger: LoggerService;
      insyncTimeoutSeconds: number;
      /** Told once a step is INSYNC (the status cache forgets the group). */
      written?: (target: TrafficTarget) => Promise<void>;
    },
  ) {
    this.writer = new Route53WeightWriter(options);
  }

  async write(
    run: CutoverRunRecord,
    change: { weights: Weights; expected: Weights },
  ): Promise<void> {
    const logger = this.options.logger.child({ cutoverRun: run.id });
    const target = await this.options.targetOf(run);
    await this.writer.write(
      {
        log: logger,
        dryRun: false,
        workspacePath: '',
        output: () => {},
        // The engine's own pending write is its checkpoint: a replica taking over makes
        // it again as a compare-and-swap from the step before.
        checkpoint: (_key, fn) => fn(),
      },
      {
        target,
        weights: change.weights,
        expected: change.expected,
        force: false,
        // Given up before another replica would take the write for abandoned and make it
        // again; a change still PENDING then counts as written if Route 53 holds it.
        insyncTimeoutSeconds: Math.min(
          this.options.insyncTimeoutSeconds,
          writeTimeoutMs(run.floor) / 1000 - 30,
        ),
        // A twentieth of the expected INSYNC wait (3 s for Route 53's 60 s, within its
        // 5 requests/s), at least 25 ms: the hold counts from the INSYNC seen.
        insyncPollMs: Math.min(
          5000,
          Math.max(25, (run.floor.insyncSeconds * 1000) / 20),
        ),
        // The run's start had the pre-flight; its steps are verified during each hold.
        beforeWrite: async () => {},
      },
    );
    await this.options.written?.(target);
  }

  async read(run: CutoverRunRecord): Promise<Weights> {
    const target = await this.options.targetOf(run);
    const { read } = await boundRecordGroup(
      this.options.route53,
      this.options.bindings,
      target,
    );
    return clusterWeights(await read(), target.clusters);
  }
}
