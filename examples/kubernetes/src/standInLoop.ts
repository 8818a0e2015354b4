/**
 * Runs a stand-in's pass every `intervalMs` until stopped, each change and failure to
 * `log` (a failing pass — the API server stopping under it, say — is tried again next
 * time). `stop` waits for a pass in flight.
 */
export function playEvery(
  intervalMs: number,
  pass: () => Promise<string[]>,
  log: (message: string) => void = () => {},
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: () => void = () => {};
  const nap = () =>
    new Promise<void>(resolve => {
      wake = resolve;
      timer = setTimeout(resolve, intervalMs);
    });
  const loop = (async () => {
    while (!stopped) {
      try {
        (await pass()).forEach(log);
      } catch (error) {
        log((error as Error).message);
      }
      await nap();
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      wake();
      await loop;
    },
  };
}
