import { ClusterProbeResult } from '@bluegreen/plugin-bluegreen-common';

const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10} %`;

/** One cluster's line of a verification: each check that saw it, in the order the card explains them. */
export function probeSummary(probe: ClusterProbeResult): string {
  const parts: string[] = [];
  if (probe.successRatio !== undefined && probe.requests !== undefined) {
    parts.push(
      `${percent(probe.successRatio)} of ${probe.requests} ok${
        probe.p95Ms !== undefined ? ` · p95 ${Math.round(probe.p95Ms)} ms` : ''
      }`,
    );
  }
  if (probe.observedShare !== undefined) {
    parts.push(
      `share ${percent(probe.observedShare)}${
        probe.expectedShare !== undefined
          ? ` (${percent(probe.expectedShare)} expected)`
          : ''
      }`,
    );
  }
  if (probe.dnsShare !== undefined) {
    parts.push(`DNS ${percent(probe.dnsShare)}`);
  }
  if (probe.cloudWatch) {
    const { requests, errorRatio, p95Ms } = probe.cloudWatch;
    parts.push(
      `CloudWatch ${percent(errorRatio)} 5xx of ${requests}${
        p95Ms !== undefined ? `, p95 ${Math.round(p95Ms)} ms` : ''
      }`,
    );
  }
  return parts.join(' · ');
}
