import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  CutoverRequest,
  CutoverResponse,
  CutoverRunCommand,
  CutoverRunCommandRequest,
  CutoverRunList,
  CutoverRunView,
  EksVersionsResponse,
  StagedCutoverRequest,
  StagedCutoverResponse,
  TrafficStatus,
  UpgradeInsightsResponse,
} from '@bluegreen/plugin-bluegreen-common';
import { BlueGreenApi } from './BlueGreenApi';

/**
 * BlueGreenApi over HTTP, with the user's Backstage token (fetchApi).
 * @public
 */
export class BlueGreenClient implements BlueGreenApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  private async entityUrl(entity: CompoundEntityRef, route: string) {
    const base = await this.options.discoveryApi.getBaseUrl('bluegreen');
    const parts = [entity.kind, entity.namespace, entity.name].map(part =>
      encodeURIComponent(part.toLocaleLowerCase('en-US')),
    );
    return `${base}/entity/${parts.join('/')}/${route}`;
  }

  async getTrafficStatus(
    entity: CompoundEntityRef,
    options: { refresh?: boolean } = {},
  ): Promise<TrafficStatus> {
    const url = await this.entityUrl(entity, 'traffic');
    return this.get(options.refresh ? `${url}?refresh=true` : url);
  }

  async getInsights(
    entity: CompoundEntityRef,
  ): Promise<UpgradeInsightsResponse> {
    return this.get(await this.entityUrl(entity, 'insights'));
  }

  async getEksVersions(): Promise<EksVersionsResponse> {
    const base = await this.options.discoveryApi.getBaseUrl('bluegreen');
    return this.get(`${base}/eks-versions`);
  }

  cutover(
    entity: CompoundEntityRef,
    request: CutoverRequest,
  ): Promise<CutoverResponse> {
    return this.post(this.entityUrl(entity, 'cutover'), request);
  }

  startStagedCutover(
    entity: CompoundEntityRef,
    request: StagedCutoverRequest,
  ): Promise<StagedCutoverResponse> {
    return this.post(this.entityUrl(entity, 'cutover'), request);
  }

  async listCutoverRuns(entity: CompoundEntityRef): Promise<CutoverRunList> {
    return this.get(await this.entityUrl(entity, 'cutover-runs'));
  }

  async getCutoverRun(
    runId: string,
    options: {
      after?: number;
      version?: number;
      waitMs?: number;
      signal?: AbortSignal;
    } = {},
  ): Promise<CutoverRunView> {
    const query = new URLSearchParams();
    if (options.after !== undefined) query.set('after', String(options.after));
    if (options.version !== undefined) {
      query.set('version', String(options.version));
    }
    if (options.waitMs !== undefined) {
      query.set('waitMs', String(options.waitMs));
    }
    return this.get(
      `${await this.runUrl(runId)}${query.size ? `?${query}` : ''}`,
      options.signal,
    );
  }

  async commandCutoverRun(
    runId: string,
    command: CutoverRunCommand,
    request: CutoverRunCommandRequest = {},
  ): Promise<CutoverRunView> {
    return this.post(
      Promise.resolve(
        `${await this.runUrl(runId)}/${encodeURIComponent(command)}`,
      ),
      request,
    );
  }

  private async runUrl(runId: string) {
    const base = await this.options.discoveryApi.getBaseUrl('bluegreen');
    return `${base}/cutover-runs/${encodeURIComponent(runId)}`;
  }

  private async get<T>(url: string, signal?: AbortSignal): Promise<T> {
    const response = await this.options.fetchApi.fetch(url, { signal });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }

  private async post<T>(url: Promise<string>, body: object): Promise<T> {
    const response = await this.options.fetchApi.fetch(await url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }
}
