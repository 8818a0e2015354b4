import { loadBalancerConfig } from './loadBalancers/config';
import { Sandbox } from './server';

/**
 * `bluegreen.cutover.staged` for a backend whose staged cutovers verify against this
 * sandbox, every part a LOCAL STAND-IN: the load balancers probed at their stand-ins
 * (with their CloudWatch dimensions), the DNS and share checks asking the DNS stand-in,
 * the CloudWatch check reading the GetMetricData stand-in per second (scaled down from
 * ALB metrics' 60 s).
 */
export function stagedChecksConfig(sandbox: Sandbox) {
  const dns = sandbox.dns && [`${sandbox.dns.host}:${sandbox.dns.port}`];
  return {
    ...(sandbox.loadBalancers && {
      loadBalancers: loadBalancerConfig(sandbox.loadBalancers),
      cloudWatch: { periodSeconds: 1 },
    }),
    ...(dns && { dns: { servers: dns }, share: { servers: dns } }),
  };
}

/** The same as APP_CONFIG_ environment variables, for an example backend started as a process. */
export function stagedChecksEnv(sandbox: Sandbox): Record<string, string> {
  return Object.fromEntries(
    Object.entries(stagedChecksConfig(sandbox)).map(([key, value]) => [
      `APP_CONFIG_bluegreen_cutover_staged_${key}`,
      JSON.stringify(value),
    ]),
  );
}
