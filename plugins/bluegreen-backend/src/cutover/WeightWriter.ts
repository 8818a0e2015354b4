import { JsonValue } from '@backstage/types';
import { Weights } from '@bluegreen/plugin-bluegreen-common';
import {
  Route53WeightedRecords,
  WeightedRecordGroup,
} from '../route53/Route53WeightedRecords';
import { TrafficBindings } from '../security/TrafficBindings';
import { TrafficTarget } from '../security/TrafficTargets';
import type { CutoverService } from './CutoverService';

/** What a weight change runs in: a scaffolder task's log, workspace and signal. */
export interface WeightWriteContext {
  log: { info(message: string): void; warn(message: string): void };
  /** Reads only, and says what it would write. */
  dryRun: boolean;
  signal?: AbortSignal;
  /** gitops: where the generation's stacks are checked out. */
  workspacePath: string;
  /** Records a step output as soon as it is known, so a later failure keeps it. */
  output(name: string, value: unknown): void;
  /**
   * The scaffolder's checkpoint: `fn` runs once per task, and a task recovered on another
   * replica (scaffolder.taskRecovery) gets the value it returned instead of running it
   * again.
   */
  checkpoint<T extends JsonValue>(
    key: string,
    fn: () => Promise<T>,
  ): Promise<T>;
}

/** One change of a record group's two weights. */
export interface WeightChange {
  target: TrafficTarget;
  weights: Weights;
  /** What the caller expects Route 53 to hold; anything else is a conflict. */
  expected?: Weights;
  force: boolean;
  /**
   * gitops: write and apply even when the checkout and Route 53 hold the weights: a
   * staged run's earlier steps were applied from pull requests not merged yet, so the
   * clusters' source may hold other weights than the checkout.
   */
  applyAlways?: boolean;
  insyncTimeoutSeconds: number;
  /** route53: a fixed GetChange interval (see WaitOptions.pollIntervalMs). */
  insyncPollMs?: number;
  /**
   * Called with what Route 53 holds once the writer knows the change is needed, before
   * anything is written (the pre-flight): throwing refuses the change.
   */
  beforeWrite(group: WeightedRecordGroup): Promise<void>;
}

/**
 * Moves a record group's weights, one way or another: Route 53 directly, or the cluster
 * stacks' weight files that Terraform carries to Route 53.
 */
export interface WeightWriter {
  write(context: WeightWriteContext, change: WeightChange): Promise<void>;
}

/** What both writers read Route 53 with, and the rules they apply. */
export interface WeightWriterOptions {
  /** Route 53 for a zone's configured account. */
  route53: (accountId?: string) => Promise<Route53WeightedRecords>;
  bindings: TrafficBindings;
  cutover: CutoverService;
}
