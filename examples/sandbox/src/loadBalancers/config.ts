import { loadBalancerDimension } from '../cloudwatch/getMetricData';
import { loadFixtures, SandboxFixtures } from '../fixtures';
import { LoadBalancerStandIns } from './server';

/**
 * `bluegreen.cutover.staged.loadBalancers` for a backend probing the load balancer
 * stand-ins: each fixture record's alias target (an ELB name that does not exist) mapped
 * to the stand-in of the cluster its set identifier names, with the CloudWatch dimension
 * the sandbox's GetMetricData stand-in knows it by.
 */
export function loadBalancerConfig(
  standIns: LoadBalancerStandIns,
  fixtures: SandboxFixtures = loadFixtures(),
): Array<{ dnsName: string; url: string; cloudWatchDimension: string }> {
  return (fixtures.route53?.hostedZones ?? [])
    .flatMap(zone => zone.records ?? [])
    .filter(
      r => r.aliasTarget && r.setIdentifier && standIns.urls[r.setIdentifier],
    )
    .map(r => ({
      dnsName: r.aliasTarget!.dnsName,
      url: standIns.urls[r.setIdentifier!],
      cloudWatchDimension: loadBalancerDimension(r.aliasTarget!.dnsName),
    }));
}
