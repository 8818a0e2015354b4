import crypto from 'node:crypto';
import { ConflictError } from '@backstage/errors';
import { formatWeights, Weights } from '@bluegreen/plugin-bluegreen-common';
import {
  WeightedRecordGroup,
  WeightsChangedError,
} from '../route53/Route53WeightedRecords';
import {
  boundRecordGroup,
  BoundRecordGroup,
} from '../security/resolveBoundZone';
import {
  clusterWeights,
  describeWeights,
  sameWeights,
} from './recordGroupWeights';
import {
  WeightChange,
  WeightWriteContext,
  WeightWriter,
  WeightWriterOptions,
} from './WeightWriter';

/** What a sent change batch leaves for the INSYNC wait (a checkpoint's JSON). */
type Submitted = {
  previousWeights: Weights;
  changed: boolean;
  changeId?: string;
};

/** Saved by an attempt just before it sends the batch: what it changed the group from. */
type Sending = { previous: Weights };

/** Thrown to read a checkpoint without saving one. */
class NotSaved extends Error {}

/**
 * The checkpoint keys of one change: its record group, weights and expected weights. A
 * step's checkpoints are the step's (not its `each` iteration's), so each change of a
 * step that makes several keeps its own.
 */
function checkpointKeys(change: WeightChange, zoneId: string) {
  const id = crypto
    .createHash('sha256')
    .update(
      JSON.stringify([
        zoneId,
        change.target.hostname,
        change.target.recordType,
        change.weights,
        change.expected ?? null,
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  return { change: `route53-change-${id}`, sending: `route53-sending-${id}` };
}

/**
 * The sending marker an earlier attempt of this task saved, if one got as far as sending
 * (its replica died, or a user retried the task). Asked with a function that fails, the
 * checkpoint returns a saved marker, or else records the failure (which a later success
 * replaces) and saves nothing: a read.
 */
async function earlierSending(
  ctx: WeightWriteContext,
  key: string,
): Promise<Sending | undefined> {
  try {
    return await ctx.checkpoint<Sending>(key, async () => {
      throw new NotSaved();
    });
  } catch (error) {
    if (error instanceof NotSaved) return undefined;
    throw error;
  }
}

async function weightsOf(
  bound: BoundRecordGroup,
  target: WeightChange['target'],
): Promise<{ group: WeightedRecordGroup; weights: Weights }> {
  const group = await bound.read();
  return { group, weights: clusterWeights(group, target.clusters) };
}

/**
 * route53 mode: one compare-and-swap change batch over the whole record group (every
 * record deleted and re-created, unchanged ones too), then INSYNC. After a failure it
 * re-reads and says what Route 53 holds, never "nothing changed" when it did.
 */
export class Route53WeightWriter implements WeightWriter {
  constructor(private readonly options: WeightWriterOptions) {}

  async write(ctx: WeightWriteContext, change: WeightChange): Promise<void> {
    const bound = await boundRecordGroup(
      this.options.route53,
      this.options.bindings,
      change.target,
    );
    if (ctx.dryRun) {
      await this.submit(ctx, change, bound);
      return;
    }
    // Checkpointed: a task resumed after its replica died mid-step (scaffolder task
    // recovery, or a retry) waits for the change it sent rather than sending another,
    // and takes its own applied change for its own, not for someone else's.
    const keys = checkpointKeys(change, bound.zone.id);
    const submitted = await ctx.checkpoint(keys.change, () =>
      this.submit(ctx, change, bound, keys.sending),
    );
    // Again here: a resumed task's step outputs start empty.
    ctx.output('previousWeights', submitted.previousWeights);
    ctx.output('changed', submitted.changed);
    if (submitted.changeId) {
      ctx.output('changeId', submitted.changeId);
      await this.insync(ctx, change, submitted.changeId, bound);
    }
  }

  /**
   * Reads, checks and sends the change batch, marking the send at `sendingKey` first (or
   * says what a dry run would send, without one).
   */
  private async submit(
    ctx: WeightWriteContext,
    change: WeightChange,
    bound: BoundRecordGroup,
    sendingKey?: string,
  ): Promise<Submitted> {
    const { target, weights } = change;
    const { records, zone } = bound;
    const readWeights = () => weightsOf(bound, target);
    const earlier = sendingKey
      ? await earlierSending(ctx, sendingKey)
      : undefined;
    const { group, weights: current } = await readWeights();
    ctx.log.info(
      `Route 53 ${target.recordType} ${group.name} in ${
        zone.name
      }: ${describeWeights(current)}`,
    );
    this.options.cutover.assertMode(
      'route53',
      target,
      group.owners,
      change.force,
    );
    if (
      earlier &&
      change.expected &&
      !sameWeights(change.expected, earlier.previous)
    ) {
      // It marked only after its compare-and-swap check passed: not this task's marker.
      throw new Error(
        `an earlier attempt of this task marked a change from ${formatWeights(
          earlier.previous,
        )}, not from the expected ${formatWeights(
          change.expected,
        )}; check the records`,
      );
    }
    if (earlier) {
      // An earlier attempt of this task sent a batch from earlier.previous (and held the
      // record's lease while it did): Route 53 says whether it was applied.
      if (sameWeights(current, weights)) {
        ctx.log.warn(
          `An earlier attempt of this task (its replica stopped mid-step) sent the change from ${formatWeights(
            earlier.previous,
          )}, and Route 53 holds the requested weights: that change was applied and is not sent again. Its change id was lost, so INSYNC was not confirmed.`,
        );
        return { previousWeights: earlier.previous, changed: true };
      }
      if (!sameWeights(current, earlier.previous)) {
        throw new ConflictError(
          `changed by someone else: an earlier attempt of this task sent its change from ${formatWeights(
            earlier.previous,
          )}, and Route 53 now holds ${formatWeights(
            current,
          )}; nothing was sent again`,
        );
      }
      ctx.log.warn(
        `An earlier attempt of this task stopped before Route 53 applied its change; sending it again from ${formatWeights(
          current,
        )}`,
      );
    } else if (change.expected && !sameWeights(change.expected, current)) {
      throw new ConflictError(
        `changed by someone else: expected ${formatWeights(
          change.expected,
        )}, found ${formatWeights(current)}`,
      );
    }
    ctx.output('previousWeights', current);
    if (sameWeights(current, weights)) {
      ctx.log.info('The records already hold these weights; nothing to do');
      ctx.output('changed', false);
      return { previousWeights: current, changed: false };
    }
    await change.beforeWrite(group);
    if (ctx.dryRun) {
      ctx.log.info(
        `Dry run: would change ${formatWeights(current)} to ${formatWeights(
          weights,
        )} in one compare-and-swap change batch`,
      );
      ctx.output('changed', true);
      return { previousWeights: current, changed: true };
    }
    if (sendingKey) {
      await ctx.checkpoint<Sending>(sendingKey, async () => ({
        previous: current,
      }));
    }
    let changeId: string;
    try {
      changeId = await records.swapWeights(group, {
        [target.clusters.blue]: weights.blue,
        [target.clusters.green]: weights.green,
      });
    } catch (error) {
      // The batch may have been applied although the call failed: the SDK retries a
      // request whose response was lost, and the retry then fails as a conflict with
      // our own first attempt. Route 53 itself says what happened.
      const { weights: found } = await readWeights().catch(() => ({
        weights: undefined,
      }));
      if (found && sameWeights(found, weights)) {
        ctx.log.warn(
          `Route 53 answered ${
            (error as Error).name
          } but holds exactly the requested weights: the change was applied (a retried request whose first attempt succeeded, or an identical change); ${describeWeights(
            found,
          )}. Its change id was lost, so INSYNC was not confirmed: resolvers may keep the old answer a little longer than the TTL.`,
        );
        return { previousWeights: current, changed: true };
      }
      if (found && !sameWeights(found, current)) {
        throw new ConflictError(
          `changed by someone else: expected ${formatWeights(
            current,
          )}, found ${formatWeights(found)}; this change was not applied`,
        );
      }
      if (found && error instanceof WeightsChangedError) {
        throw new ConflictError(
          `Route 53 refused the change batch (${
            error.message
          }) and still holds ${formatWeights(found)}: nothing was changed`,
        );
      }
      // Route 53 still shows the old weights after an error other than a conflict (a
      // timeout, say): a request it received may still be applied.
      throw found
        ? new Error(
            `${(error as Error).message}; Route 53 still holds ${formatWeights(
              found,
            )}, but a change it received may still be applied: check the records before retrying`,
          )
        : new Error(
            `${
              (error as Error).message
            }; Route 53 could not be read afterwards, so whether the change was applied is unknown: check the records before retrying`,
          );
    }
    ctx.log.info(
      `Route 53 accepted change ${changeId}: ${formatWeights(
        current,
      )} -> ${formatWeights(weights)}; waiting for INSYNC`,
    );
    return { previousWeights: current, changeId, changed: true };
  }

  /** Waits for the change to be INSYNC, then checks Route 53 holds its weights. */
  private async insync(
    ctx: WeightWriteContext,
    change: WeightChange,
    changeId: string,
    bound: BoundRecordGroup,
  ): Promise<void> {
    const { target, weights } = change;
    const { records } = bound;
    const readWeights = () => weightsOf(bound, target);
    const elapsed = await records
      .waitInsync(changeId, {
        timeoutMs: change.insyncTimeoutSeconds * 1000,
        pollIntervalMs: change.insyncPollMs,
        signal: ctx.signal,
        onPoll: (status, ms) =>
          ctx.log.info(
            `change ${changeId}: ${status} after ${(ms / 1000).toFixed(1)} s`,
          ),
      })
      .catch(error => {
        if (ctx.signal?.aborted) {
          // A change batch cannot be withdrawn: say what will still happen.
          throw new Error(
            `cancelled while waiting for change ${changeId}; Route 53 had already accepted it and applies it regardless (${formatWeights(
              weights,
            )})`,
          );
        }
        throw error;
      });
    const { weights: observed } = await readWeights();
    if (!sameWeights(observed, weights)) {
      throw new ConflictError(
        `changed by someone else after change ${changeId} was applied: expected ${formatWeights(
          weights,
        )}, found ${formatWeights(observed)}`,
      );
    }
    ctx.log.info(
      `INSYNC after ${(elapsed / 1000).toFixed(
        1,
      )} s; Route 53 now holds ${describeWeights(
        observed,
      )}. Resolvers may keep the old answer for the record's TTL.`,
    );
  }
}
