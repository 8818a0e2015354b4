import { RunVerifier } from '../engine/CutoverEngine';

/**
 * Runs every verifier of a hold at once: it passes when all pass; a failure names each
 * failing check. Per-cluster probe results are merged for the card.
 */
export function combineVerifiers(...verifiers: RunVerifier[]): RunVerifier {
  return async run => {
    const results = (
      await Promise.all(
        verifiers.map(verify =>
          verify(run).catch(error => ({
            ok: false,
            reason: `a check could not run: ${(error as Error).message}`,
            clusters: undefined,
          })),
        ),
      )
    ).filter(<T>(r: T | undefined): r is T => r !== undefined);
    if (results.length === 0) {
      return undefined;
    }
    const failed = results.filter(r => !r.ok);
    return {
      ok: failed.length === 0,
      ...(failed.length > 0 && {
        reason: failed.map(r => r.reason ?? 'a check failed').join('; '),
      }),
      clusters: Object.assign({}, ...results.map(r => r.clusters ?? {})),
    };
  };
}
