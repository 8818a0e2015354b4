/**
 * Tests that are steps of one sequence, each building on the last: once one fails, each
 * later one fails at once, naming it, instead of failing for a reason it did not cause.
 * Each step calls `passed()` as its last statement.
 */
export function stepsInOrder(): { passed(): void } {
  let running: string | undefined;
  let failed: string | undefined;
  beforeEach(() => {
    // The previous step did not reach passed().
    failed ??= running;
    running = expect.getState().currentTestName;
    if (failed) {
      throw new Error(`not run: the earlier step "${failed}" failed`);
    }
  });
  return {
    passed() {
      running = undefined;
    },
  };
}
