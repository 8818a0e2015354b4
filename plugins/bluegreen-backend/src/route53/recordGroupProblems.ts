import { CLUSTER_COLOURS } from '@bluegreen/plugin-bluegreen-common';
import type { TrafficTarget } from '../security/TrafficTargets';
import { WeightedRecordGroup } from './Route53WeightedRecords';

/**
 * What is wrong with a record group for its entity: missing records, records of other set
 * identifiers, an all-zero split, both clusters' external-dns under one owner id. The
 * card shows them; the pre-flight of a cutover fails on them.
 */
export function recordGroupProblems(
  group: WeightedRecordGroup,
  target: Pick<TrafficTarget, 'hostname' | 'recordType' | 'clusters'>,
): string[] {
  const problems: string[] = [];
  const identifiers = group.records.map(r => r.SetIdentifier!);
  if (group.records.length === 0) {
    problems.push(
      `no weighted ${target.recordType} records for ${target.hostname} in ${group.zone.name}`,
    );
  }
  for (const colour of CLUSTER_COLOURS) {
    if (
      group.records.length > 0 &&
      !identifiers.includes(target.clusters[colour])
    ) {
      problems.push(
        `no record with set identifier ${target.clusters[colour]} (the ${colour} cluster)`,
      );
    }
  }
  const ours = CLUSTER_COLOURS.map(colour => target.clusters[colour]);
  const strangers = identifiers.filter(id => !ours.includes(id));
  if (strangers.length > 0) {
    problems.push(
      `records of other set identifiers share the traffic: ${strangers.join(
        ', ',
      )}`,
    );
  }
  if (group.records.length > 0 && group.records.every(r => r.Weight === 0)) {
    problems.push(
      'every weight is 0: Route 53 splits traffic equally between the records',
    );
  }
  const blueOwner = group.owners[target.clusters.blue];
  if (blueOwner && blueOwner === group.owners[target.clusters.green]) {
    problems.push(
      `both clusters' external-dns use owner id "${blueOwner}": under policy sync they delete each other's records; give each cluster its own --txt-owner-id`,
    );
  }
  return problems;
}
