import { SandboxChange } from './store';

/**
 * Each change batch as the split it wrote, "blue/green" by the two clusters' set
 * identifiers (e.g. "90/10"): what a staged cutover's tests compare with its steps.
 */
export function changeSplits(
  changes: SandboxChange[],
  clusters: { blue: string; green: string },
): string[] {
  return changes.map(change => {
    const created = Object.fromEntries(
      change.changes
        .filter(c => c.action === 'CREATE')
        .map(c => [c.record.setIdentifier, c.record.weight]),
    );
    return `${created[clusters.blue]}/${created[clusters.green]}`;
  });
}
