import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  CutoverRequest,
  CutoverResponse,
  EksVersionsResponse,
  TrafficStatus,
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
    const response = await this.options.fetchApi.fetch(
      options.refresh ? `${url}?refresh=true` : url,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }

  async getEksVersions(): Promise<EksVersionsResponse> {
    const base = await this.options.discoveryApi.getBaseUrl('bluegreen');
    const response = await this.options.fetchApi.fetch(`${base}/eks-versions`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }

  async cutover(
    entity: CompoundEntityRef,
    request: CutoverRequest,
  ): Promise<CutoverResponse> {
    const response = await this.options.fetchApi.fetch(
      await this.entityUrl(entity, 'cutover'),
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request),
      },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }
}
