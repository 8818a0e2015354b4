import { Weights } from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';

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
  ): Promise<void>;
  /** What the group holds now. */
  read(run: CutoverRunRecord): Promise<Weights>;
}
