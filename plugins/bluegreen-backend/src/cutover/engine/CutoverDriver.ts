import { LoggerService } from '@backstage/backend-plugin-api';
import { CutoverRunStore } from '../../database/CutoverRunStore';
import { CutoverEngine } from './CutoverEngine';

/**
 * Ticks the engine on one replica: the scheduled task calls `tick` every probe interval,
 * and a tick arms a timer for the earliest hold that ends before the next interval, so
 * that a step follows its hold without waiting for the schedule. Ticks never overlap on
 * one replica; replicas ticking the same runs are kept apart by the store's
 * compare-and-swap.
 */
export class CutoverDriver {
  private running?: Promise<void>;
  private again = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly options: {
      engine: CutoverEngine;
      store: CutoverRunStore;
      intervalMs: number;
      logger: LoggerService;
      now?: () => number;
    },
  ) {}

  /** Advances every active run now (or right after the tick in progress). */
  tick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops arming timers (the backend is shutting down). */
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async loop() {
    do {
      this.again = false;
      await this.options.engine.advanceAll();
    } while (this.again && !this.stopped);
    await this.armForHoldEnds();
  }

  private async armForHoldEnds() {
    if (this.stopped) {
      return;
    }
    const now = (this.options.now ?? Date.now)();
    const ends = (await this.options.store.listActive())
      .map(run => this.options.engine.holdEndsAt(run))
      .filter((at): at is number => at !== undefined);
    const next = Math.min(...ends);
    clearTimeout(this.timer);
    this.timer = undefined;
    if (ends.length > 0 && next - now < this.options.intervalMs) {
      this.timer = setTimeout(() => {
        this.tick().catch(error =>
          this.options.logger.error(`cutover tick failed: ${error}`),
        );
      }, Math.max(0, next - now));
      this.timer.unref?.();
    }
  }
}
