import { ConflictError, InputError } from '@backstage/errors';
import {
  CLUSTER_COLOURS,
  CLUSTER_STACKS,
  formatWeights,
  Weights,
  WEIGHT_FILE,
} from '@bluegreen/plugin-bluegreen-common';
import { redactAwsMessage } from '../aws/redactAwsError';
import { readStackWeight, writeStackWeight } from '../lib/generationFiles';
import { resolveStackDirectory } from '../lib/resolveStackDirectory';
import { WeightedRecordGroup } from '../route53/Route53WeightedRecords';
import { boundRecordGroup } from '../security/resolveBoundZone';
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

/**
 * gitops mode: writes both cluster stacks' weight files in the task workspace (all or
 * nothing) and says in which order to apply them: the stack that gains weight first,
 * decided from what Route 53 serves, so no moment between the applies is all-zero.
 */
export class GitopsWeightWriter implements WeightWriter {
  constructor(private readonly options: WeightWriterOptions) {}

  async write(ctx: WeightWriteContext, change: WeightChange): Promise<void> {
    const { target, weights } = change;
    this.options.cutover.assertMode('gitops', target, {}, change.force);
    // Every stack is checked before any file is written: all or nothing.
    const inFiles: Partial<Weights> = {};
    for (const colour of CLUSTER_COLOURS) {
      const stack = CLUSTER_STACKS[colour];
      await resolveStackDirectory(ctx.workspacePath, stack, 'mode');
      const found = await readStackWeight(ctx.workspacePath, stack);
      if ('problem' in found) {
        throw new InputError(
          `mode: gitops needs the weight files: ${found.problem}`,
        );
      }
      inFiles[colour] = found.weight;
    }
    const previous = inFiles as Weights;
    // What Route 53 serves decides, not the files of a fresh checkout: a pull request may
    // not be merged, and a route53-mode cutover writes no file.
    let served: { group: WeightedRecordGroup; weights: Weights };
    try {
      const { read } = await boundRecordGroup(
        this.options.route53,
        this.options.bindings,
        target,
      );
      const group = await read();
      served = { group, weights: clusterWeights(group, target.clusters) };
    } catch (error) {
      throw new Error(
        `mode: gitops needs to know what Route 53 serves, to apply the stack gaining weight first, and cannot read it (${redactAwsMessage(
          (error as Error).message,
        )}); nothing was written`,
      );
    }
    ctx.log.info(`Route 53 before: ${describeWeights(served.weights)}`);
    if (change.expected && !sameWeights(change.expected, served.weights)) {
      throw new ConflictError(
        `changed by someone else: expected ${formatWeights(
          change.expected,
        )}, Route 53 serves ${formatWeights(
          served.weights,
        )}; nothing was written`,
      );
    }
    // The stack that gains weight is applied first, so that no moment between the two
    // applies has both clusters at 0 (Route 53 would then split traffic equally).
    const gainsFirst = weights.green > served.weights.green ? 'green' : 'blue';
    const applyOrder = [
      CLUSTER_STACKS[gainsFirst],
      CLUSTER_STACKS[gainsFirst === 'green' ? 'blue' : 'green'],
    ];
    ctx.output('applyOrder', applyOrder);
    ctx.output('previousWeights', served.weights);
    const files = CLUSTER_COLOURS.map(
      colour => `${CLUSTER_STACKS[colour]}/${WEIGHT_FILE}`,
    );
    if (
      !change.applyAlways &&
      sameWeights(previous, weights) &&
      sameWeights(served.weights, weights)
    ) {
      ctx.log.info(
        `The weight files and Route 53 already hold ${formatWeights(weights)}`,
      );
      ctx.output('changed', false);
      return;
    }
    await change.beforeWrite(served.group);
    if (ctx.dryRun) {
      ctx.log.info(
        `Dry run: would write ${formatWeights(weights)} to ${files.join(', ')}`,
      );
      ctx.output('changed', true);
      return;
    }
    for (const colour of CLUSTER_COLOURS) {
      await writeStackWeight(
        ctx.workspacePath,
        CLUSTER_STACKS[colour],
        weights[colour],
      );
    }
    // Changed when Route 53 differs too: files that already hold the target (an unmerged
    // pull request rolled back) still need the applies.
    ctx.output('changed', true);
    ctx.output('files', files);
    ctx.log.info(
      `Wrote ${files.join(', ')} (they held ${formatWeights(
        previous,
      )}): Route 53 serves ${formatWeights(
        served.weights,
      )} -> ${describeWeights(weights)}. Apply ${applyOrder.join(
        ' then ',
      )} (the one gaining weight first) and publish the change to carry it to Route 53.`,
    );
  }
}
