/*
 * Route 53's request-rate limit: a token bucket per account (burst 50, refill 10/s since
 * AWS's change-based throttling, DeveloperGuide/throttling-api-requests). It runs on a
 * monotonic real clock, not the injectable sandbox clock, because it limits real request
 * rates: a frozen test clock must not freeze the refill.
 */
export interface ThrottleOptions {
  burst: number;
  refillPerSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly options: ThrottleOptions,
    private readonly clockMs: () => number = () => performance.now(),
  ) {
    this.tokens = options.burst;
    this.last = clockMs();
  }

  /** Takes one token; false means the request is throttled. */
  take(): boolean {
    const now = this.clockMs();
    const refill = ((now - this.last) / 1000) * this.options.refillPerSecond;
    this.tokens = Math.min(this.options.burst, this.tokens + refill);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
