import type { ExampleBackend } from '@bluegreen/example-backend/launch';

/**
 * Which of `backends` sent a Route 53 change (its id, as the sandbox's change log has it):
 * the one whose log says it had the change accepted (bluegreen logs
 * "Route 53 accepted change <id>" from a task step and from the cutover engine alike).
 * -1 when none did.
 */
export function changeSender(
  backends: ExampleBackend[],
  changeId: string,
): number {
  const bare = changeId.replace(/^\/change\//, '');
  return backends.findIndex(backend =>
    backend
      .log()
      .split('\n')
      .some(
        line =>
          line.includes('Route 53 accepted change') && line.includes(bare),
      ),
  );
}
