import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { LeaseResult } from '../database/LeaseStore';

/** The cutover leases, as the scaffolder actions reach them. */
export interface CutoverLeases {
  acquire(
    key: string,
    holder: { taskId: string; user: string },
    ttlSeconds: number,
  ): Promise<LeaseResult>;
  renew(key: string, taskId: string, ttlSeconds: number): Promise<boolean>;
  release(key: string, taskId: string): Promise<void>;
}

/**
 * The leases live in the bluegreen plugin's database, which the scaffolder module cannot
 * open itself: it asks the plugin over its API with the scaffolder's own service token.
 */
export class CutoverLeaseClient implements CutoverLeases {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
    },
  ) {}

  private async post<T>(path: string, body: object): Promise<T> {
    const { auth, discovery } = this.options;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'bluegreen',
    });
    const res = await fetch(
      `${await discovery.getBaseUrl('bluegreen')}${path}`,
      {
        method: 'POST',
        signal: AbortSignal.timeout(30_000),
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(body),
      },
    );
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return (await res.json()) as T;
  }

  acquire(
    key: string,
    holder: { taskId: string; user: string },
    ttlSeconds: number,
  ): Promise<LeaseResult> {
    return this.post('/leases/acquire', { key, ...holder, ttlSeconds });
  }

  async renew(key: string, taskId: string, ttlSeconds: number) {
    const { renewed } = await this.post<{ renewed: boolean }>('/leases/renew', {
      key,
      taskId,
      ttlSeconds,
    });
    return renewed;
  }

  async release(key: string, taskId: string) {
    await this.post('/leases/release', { key, taskId });
  }
}
