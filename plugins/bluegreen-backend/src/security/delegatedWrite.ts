import { NotAllowedError } from '@backstage/errors';
import { DelegatedWrite } from '../cutover/CutoverRunsClient';

/**
 * Refuses a step task's input that differs from what its run waits for: the plugin's own
 * task makes that write, and nothing a template or a retried task says instead.
 */
export function requireDelegated(
  write: DelegatedWrite,
  field: string,
  given: unknown,
  wanted: unknown,
): void {
  if (canonical(given) !== canonical(wanted)) {
    throw new NotAllowedError(
      `${field}: ${JSON.stringify(given)} is not what cutover run ${
        write.runId
      } waits for (${JSON.stringify(
        wanted,
      )}); a step task makes exactly its run's pending write`,
    );
  }
}

/** JSON with sorted keys: values compare as the template and the run state say them. */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}
