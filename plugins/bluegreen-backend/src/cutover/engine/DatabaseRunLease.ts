import { ConflictError } from '@backstage/errors';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { LeaseStore } from '../../database/LeaseStore';
import { RunLease } from './CutoverEngine';

/** The lease holder id of a run, as set-weight's 409 names it. */
export const runLeaseHolder = (runId: string) => `cutover-run:${runId}`;

/**
 * A run's hold on its record group's lease, in the plugin's database: renewed at every
 * tick (any replica's), taken again if it lapsed while no replica ran, released at the end.
 */
export class DatabaseRunLease implements RunLease {
  constructor(
    private readonly leases: LeaseStore,
    private readonly ttlMs: number,
  ) {}

  async during<T>(run: CutoverRunRecord, work: () => Promise<T>): Promise<T> {
    await this.hold(run);
    // Renewed every third of its time while the tick runs: a failed renewal is tried
    // again at the next; the compare-and-swap still guards the write if all fail.
    const timer = setInterval(
      () => this.hold(run).catch(() => undefined),
      this.ttlMs / 3,
    );
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  private async hold(run: CutoverRunRecord): Promise<void> {
    const taskId = runLeaseHolder(run.id);
    if (await this.leases.renew(run.leaseKey, taskId, this.ttlMs)) {
      return;
    }
    const result = await this.leases.acquire(
      run.leaseKey,
      { taskId, user: run.startedBy },
      this.ttlMs,
    );
    if (!result.acquired) {
      throw new ConflictError(
        `the lease of ${run.leaseKey} lapsed and ${result.holder.taskId} (${result.holder.user}) holds it now; the run waits until it is free`,
      );
    }
  }

  async release(run: CutoverRunRecord): Promise<void> {
    await this.leases.release(run.leaseKey, runLeaseHolder(run.id));
  }
}
