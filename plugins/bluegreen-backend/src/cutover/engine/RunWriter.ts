import { Weights } from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';

/**
 * Tells the engine that a write is still alive (so no other replica takes it for
 * abandoned), with what happened (`event`, for the run's history) and, in gitops mode, the
 * task that makes it. Throws when the run no longer waits for this write.
 */
export type WriteProgress = (update?: {
  event?: string;
  taskId?: string;
}) => Promise<void>;

/** How the engine moves a run's record group from one step's weights to the next. */
export interface RunWriter {
  /**
   * Writes `weights` if the group holds `expected` (a compare-and-swap) and returns once
   * the change is in effect (INSYNC); throws otherwise, a ConflictError when the group
   * held something else.
   */
  write(
    run: CutoverRunRecord,
    change: { weights: Weights; expected: Weights },
    progress: WriteProgress,
  ): Promise<void>;
  /** What the group holds now. */
  read(run: CutoverRunRecord): Promise<Weights>;
}
