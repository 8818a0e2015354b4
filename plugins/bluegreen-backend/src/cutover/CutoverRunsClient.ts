import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  CutoverPlan,
  CutoverRunView,
  StagedCutoverResponse,
  TrafficStatus,
  Weights,
} from '@bluegreen/plugin-bluegreen-common';

/**
 * The write a gitops-mode run waits for, which its step task (started by the plugin with
 * its own credentials) may make, and nothing else.
 */
export interface DelegatedWrite {
  runId: string;
  /** The run's service. */
  entityRef: string;
  /** The service's generation (its System), whose cluster stacks the step applies. */
  generation?: string;
  /** Who started the run (authorised then for the cutover and the applies). */
  startedBy: string;
  leaseKey: string;
  weights: Weights;
  expected: Weights;
}

/**
 * The bluegreen plugin's staged cutover API as the scaffolder module reaches it: a call
 * that acts (start, abort) carries the task initiator's identity (an on-behalf-of
 * token), so the plugin authorises and audits the person, not the scaffolder. Following
 * a run, and asking for a run's pending write, only read, with the module's own
 * credentials: a run outlives the initiator's
 * token (about an hour), and a task following its run must not fail when that expires.
 */
export class CutoverRunsClient {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
    },
  ) {}

  private async call<T>(
    credentials: BackstageCredentials,
    path: string,
    init: { method?: string; body?: object; signal?: AbortSignal } = {},
  ): Promise<T> {
    const { auth, discovery } = this.options;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'bluegreen',
    });
    const res = await fetch(
      `${await discovery.getBaseUrl('bluegreen')}${path}`,
      {
        method: init.method ?? 'GET',
        signal: init.signal ?? AbortSignal.timeout(60_000),
        headers: {
          Authorization: `Bearer ${token}`,
          ...(init.body && { 'Content-Type': 'application/json' }),
        },
        ...(init.body && { body: JSON.stringify(init.body) }),
      },
    );
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return (await res.json()) as T;
  }

  private entityPath(entityRef: string, route: string) {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    return `/entity/${[kind, namespace, name]
      .map(part => encodeURIComponent(part.toLocaleLowerCase('en-US')))
      .join('/')}/${route}`;
  }

  /** What Route 53 holds now (fresh, not the status cache). */
  traffic(credentials: BackstageCredentials, entityRef: string) {
    return this.call<TrafficStatus>(
      credentials,
      `${this.entityPath(entityRef, 'traffic')}?refresh=true`,
    );
  }

  start(
    credentials: BackstageCredentials,
    entityRef: string,
    plan: CutoverPlan,
  ) {
    return this.call<StagedCutoverResponse>(
      credentials,
      this.entityPath(entityRef, 'cutover'),
      { method: 'POST', body: { plan } },
    );
  }

  /** The run, once it has events after `after` (or after a 20 s wait). */
  async follow(runId: string, after: number) {
    return this.call<CutoverRunView>(
      await this.options.auth.getOwnServiceCredentials(),
      `/cutover-runs/${encodeURIComponent(runId)}?after=${after}&waitMs=20000`,
    );
  }

  /** The write a gitops run's step task may make now; refused when there is none. */
  async pendingWrite(runId: string) {
    return this.call<DelegatedWrite>(
      await this.options.auth.getOwnServiceCredentials(),
      `/cutover-runs/${encodeURIComponent(runId)}/pending-write`,
    );
  }

  abort(credentials: BackstageCredentials, runId: string, reason: string) {
    return this.call<CutoverRunView>(
      credentials,
      `/cutover-runs/${encodeURIComponent(runId)}/abort`,
      { method: 'POST', body: { reason } },
    );
  }
}
