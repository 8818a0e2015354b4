import { InputError } from '@backstage/errors';
import {
  CLUSTER_COLOURS,
  ClusterColour,
  formatWeights,
  trafficShares,
  Weights,
} from '@bluegreen/plugin-bluegreen-common';
import { WeightedRecordGroup } from '../route53/Route53WeightedRecords';

/** The weights of the clusters' records in a group, as far as it has them. */
export function clusterWeightsOf(
  group: WeightedRecordGroup,
  clusters: Record<ClusterColour, string>,
): Partial<Weights> {
  const weights: Partial<Weights> = {};
  for (const colour of CLUSTER_COLOURS) {
    const record = group.records.find(
      r => r.SetIdentifier === clusters[colour],
    );
    if (record) {
      weights[colour] = record.Weight!;
    }
  }
  return weights;
}

/**
 * The two clusters' weights in a record group, refused unless the group holds exactly the
 * two clusters' records: a cutover never moves traffic of set identifiers it does not know.
 */
export function clusterWeights(
  group: WeightedRecordGroup,
  clusters: Record<ClusterColour, string>,
): Weights {
  const where = `${group.type} ${group.name} in zone ${group.zone.name} (${group.zone.id})`;
  if (group.records.length === 0) {
    throw new InputError(
      `hostname: there are no weighted ${where} records; create them (external-dns or Terraform) before a cutover`,
    );
  }
  const identifiers = group.records.map(r => r.SetIdentifier!);
  const wanted = CLUSTER_COLOURS.map(colour => clusters[colour]);
  const unexpected = identifiers.filter(id => !wanted.includes(id));
  const missing = wanted.filter(id => !identifiers.includes(id));
  if (unexpected.length > 0 || missing.length > 0) {
    throw new InputError(
      `clusters: the weighted ${where} records have set identifiers [${identifiers.join(
        ', ',
      )}], expected exactly the generation's clusters [${wanted.join(', ')}]`,
    );
  }
  return clusterWeightsOf(group, clusters) as Weights;
}

export function sameWeights(a: Weights, b: Weights) {
  return a.blue === b.blue && a.green === b.green;
}

/** Weights with the traffic shares they give: `blue 0 / green 100 (blue 0.0%, ...)`. */
export function describeWeights(weights: Weights) {
  const shares = trafficShares(weights);
  return `${formatWeights(weights)} (blue ${shares.blue.toFixed(
    1,
  )}%, green ${shares.green.toFixed(1)}%)`;
}
