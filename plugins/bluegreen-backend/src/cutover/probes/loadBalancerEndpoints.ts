import { InputError } from '@backstage/errors';
import {
  CLUSTER_COLOURS,
  ClusterColour,
  getBlueGreenAnnotations,
  probeThresholdOverrides,
} from '@bluegreen/plugin-bluegreen-common';
import { Entity } from '@backstage/catalog-model';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { WeightedRecordGroup } from '../../route53/Route53WeightedRecords';
import { TrafficTarget } from '../../security/TrafficTargets';
import { normalizeDnsName } from './dnsAnswers';
import { ProbeEndpoints } from './ProbeVerifier';

/** What a cluster's record answers: its alias target, or its values. */
function answersOf(group: WeightedRecordGroup, setIdentifier: string) {
  const record = group.records.find(r => r.SetIdentifier === setIdentifier);
  const aliasTarget = record?.AliasTarget?.DNSName;
  const values = (record?.ResourceRecords ?? []).flatMap(r =>
    r.Value ? [normalizeDnsName(r.Value)] : [],
  );
  if (!aliasTarget && values.length === 0) {
    throw new InputError(
      `the ${group.name} record of ${setIdentifier} has no alias target or value to probe`,
    );
  }
  return aliasTarget
    ? { aliasTarget: normalizeDnsName(aliasTarget), values }
    : { values };
}

/**
 * Where a run's probes go: the record group's load balancers (alias targets, or values),
 * as `https://<name>` unless configuration maps the name to another URL (the example's
 * local stand-ins, or an internal address), with the service's hostname as Host/SNI and
 * the entity's probe path and threshold annotations; with what each cluster's record
 * answers, for the DNS checks.
 */
export function loadBalancerEndpoints(options: {
  /** The run's entity and its bound traffic. */
  targetOf(
    run: CutoverRunRecord,
  ): Promise<{ entity: Entity; target: TrafficTarget }>;
  readGroup(target: TrafficTarget): Promise<WeightedRecordGroup>;
  /** bluegreen.cutover.staged.loadBalancers: load balancer DNS name → URL. */
  urls: Record<string, string>;
}): (run: CutoverRunRecord) => Promise<ProbeEndpoints> {
  // A run's load balancers are read once, not at every verification: a throttled Route 53
  // read must not fail a hold. Forgotten when the process ends.
  const byRun = new Map<string, Promise<ProbeEndpoints>>();
  return run => {
    let endpoints = byRun.get(run.id);
    if (!endpoints) {
      endpoints = read(run);
      byRun.set(run.id, endpoints);
      endpoints.catch(() => byRun.delete(run.id));
    }
    return endpoints;
  };

  async function read(run: CutoverRunRecord): Promise<ProbeEndpoints> {
    const { entity, target } = await options.targetOf(run);
    const group = await options.readGroup(target);
    const thresholds = probeThresholdOverrides(entity);
    if ('problem' in thresholds) {
      throw new InputError(thresholds.problem);
    }
    const loadBalancers = {} as Record<ClusterColour, string>;
    const answers = {} as ProbeEndpoints['answers'];
    for (const colour of CLUSTER_COLOURS) {
      answers[colour] = answersOf(group, target.clusters[colour]);
      // A record's load balancer: its alias target, or its first value.
      const name = answers[colour].aliasTarget ?? answers[colour].values[0];
      loadBalancers[colour] = options.urls[name] ?? `https://${name}`;
    }
    return {
      host: target.hostname,
      path: getBlueGreenAnnotations(entity).probePath,
      clusters: target.clusters,
      recordType: target.recordType,
      loadBalancers,
      answers,
      overrides: thresholds.overrides,
    };
  }
}
