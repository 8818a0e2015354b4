import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  WEIGHT_FILE,
  WEIGHT_VARIABLE,
} from '@bluegreen/plugin-bluegreen-common';
import { readStackWeight } from '../lib/generationFiles';
import { IdlePurpose, RETIRING, RouteWeightCheck } from './RouteWeightCheck';

/**
 * The guard before a cluster stack is destroyed or rebuilt: its weight file must say 0,
 * and Route 53 itself must send it none of the generation's hostnames (a route53-mode
 * cutover never writes the weight file). A read, so it runs in dry runs too.
 */
export async function assertClusterIdle(options: {
  workspacePath: string;
  stack: string;
  clusterName: string;
  generation: Entity;
  routeWeightCheck: RouteWeightCheck;
  offline?: boolean;
  purpose?: IdlePurpose;
  log: { info(line: string): void; warn(line: string): void };
}): Promise<void> {
  const { stack, clusterName, log } = options;
  const purpose = options.purpose ?? RETIRING;
  const found = await readStackWeight(options.workspacePath, stack);
  if ('problem' in found) {
    throw new InputError(
      `${purpose.field}: cannot tell that ${clusterName} receives no traffic (${found.problem}), so it is not ${purpose.done}`,
    );
  }
  if (found.weight > 0) {
    throw new InputError(
      `${purpose.field}: ${clusterName} still has ${WEIGHT_VARIABLE} = ${found.weight} in ${stack}/${WEIGHT_FILE}; shift its traffic away (weight 0) and apply before ${purpose.doing} it`,
    );
  }
  log.info(
    `${WEIGHT_VARIABLE} = 0 in ${stack}/${WEIGHT_FILE}: the weight file sends no traffic to ${clusterName}`,
  );
  await options.routeWeightCheck.assertNoTraffic({
    generation: options.generation,
    clusterName,
    offline: options.offline ?? false,
    purpose,
    log,
  });
}
