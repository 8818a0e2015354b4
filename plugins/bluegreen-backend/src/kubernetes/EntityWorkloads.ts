import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import {
  CLUSTER_COLOURS,
  ClusterColour,
  ClusterWorkloads,
  clusterWorkloads,
} from '@bluegreen/plugin-bluegreen-common';

const REQUEST_TIMEOUT_MS = 30_000;

/** The entity's workloads in each of its two clusters. */
export interface EntityWorkloads {
  read(
    entity: Entity,
    clusters: Record<ClusterColour, string>,
    credentials: BackstageCredentials,
  ): Promise<Record<ClusterColour, ClusterWorkloads>>;
}

/**
 * Reads the entity's workloads through the Kubernetes backend, on behalf of the user: the
 * same objects the card shows, with the Kubernetes plugin's cluster locator,
 * authentication and kubernetes.resources.read permission. A Kubernetes backend that
 * cannot be reached makes both clusters unreachable (the pre-flight then fails).
 */
export class KubernetesBackendWorkloads implements EntityWorkloads {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
    },
  ) {}

  async read(
    entity: Entity,
    clusters: Record<ClusterColour, string>,
    credentials: BackstageCredentials,
  ): Promise<Record<ClusterColour, ClusterWorkloads>> {
    let response: ObjectsByEntityResponse | undefined;
    let error: string | undefined;
    try {
      response = await this.query(entity, credentials);
    } catch (e) {
      error = `the Kubernetes backend: ${(e as Error).message}`;
    }
    const result = {} as Record<ClusterColour, ClusterWorkloads>;
    for (const colour of CLUSTER_COLOURS) {
      result[colour] = clusterWorkloads(response, clusters[colour], error);
    }
    return result;
  }

  private async query(
    entity: Entity,
    credentials: BackstageCredentials,
  ): Promise<ObjectsByEntityResponse> {
    const { token } = await this.options.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'kubernetes',
    });
    const baseUrl = await this.options.discovery.getBaseUrl('kubernetes');
    const res = await fetch(`${baseUrl}/resources/workloads/query`, {
      method: 'POST',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        entityRef: stringifyEntityRef(entity),
        auth: {},
      }),
    });
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return (await res.json()) as ObjectsByEntityResponse;
  }
}
