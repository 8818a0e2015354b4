import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

const REQUEST_TIMEOUT_MS = 60_000;

/** The few Kubernetes API calls the teardown needs, against one cluster. */
export interface KubernetesApi {
  /** The items of a list path, or undefined when the API answers 404 (no such kind). */
  list(
    path: string,
  ): Promise<Array<{ metadata: { name: string } }> | undefined>;
  delete(path: string, query?: Record<string, string>): Promise<void>;
  mergePatch(path: string, body: unknown): Promise<void>;
}

/**
 * Calls a cluster's API through the Kubernetes backend's proxy, on behalf of the task's
 * initiator: the cluster, its authentication (EKS included) and the kubernetes.proxy
 * permission are the Kubernetes plugin's, so bluegreen needs no Kubernetes client of its
 * own.
 */
export class KubernetesProxyClient implements KubernetesApi {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      credentials: BackstageCredentials;
      clusterName: string;
    },
  ) {}

  async list(path: string) {
    const res = await this.request('GET', path, { allowNotFound: true });
    const text = await res.text();
    // A real API server answers a path of an API group it does not serve (Argo CD not
    // installed) with this plain-text 404, and a missing object with a Status; any
    // other 404 (no Kubernetes backend, say) is an error the user must see.
    if (res.status === 404 && text.trim() === '404 page not found') {
      return undefined;
    }
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(
        `Kubernetes proxy for ${this.options.clusterName} answered ${
          res.status
        } for ${path} with a body that is not JSON: ${text.slice(0, 200)}`,
      );
    }
    if (res.status === 404) {
      if (body?.kind === 'Status') {
        return undefined;
      }
      throw new Error(
        `Kubernetes proxy for ${
          this.options.clusterName
        } answered 404 for ${path}: ${JSON.stringify(body)}`,
      );
    }
    return body.items ?? [];
  }

  async delete(path: string, query: Record<string, string> = {}) {
    const search = new URLSearchParams(query).toString();
    await this.request('DELETE', search ? `${path}?${search}` : path, {
      allowNotFound: true,
    });
  }

  async mergePatch(path: string, body: unknown) {
    await this.request('PATCH', path, {
      body: JSON.stringify(body),
      contentType: 'application/merge-patch+json',
      allowNotFound: true,
    });
  }

  private async request(
    method: string,
    path: string,
    extra: {
      body?: string;
      contentType?: string;
      allowNotFound?: boolean;
    } = {},
  ): Promise<Response> {
    const { discovery, auth, credentials, clusterName } = this.options;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'kubernetes',
    });
    const baseUrl = await discovery.getBaseUrl('kubernetes');
    const res = await fetch(`${baseUrl}/proxy${path}`, {
      method,
      // A hung API server must not hold the task forever.
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      headers: {
        Authorization: `Bearer ${token}`,
        'Backstage-Kubernetes-Cluster': clusterName,
        ...(extra.contentType ? { 'Content-Type': extra.contentType } : {}),
      },
      body: extra.body,
    });
    if (!res.ok && !(res.status === 404 && extra.allowNotFound)) {
      // The cluster's own Status says why (RBAC names the user, the verb and the
      // resource); anything else is the Kubernetes backend's answer.
      const text = await res.clone().text();
      let status: { kind?: string; message?: string } | undefined;
      try {
        status = JSON.parse(text);
      } catch {
        status = undefined;
      }
      if (status?.kind === 'Status' && status.message) {
        throw new Error(
          `the Kubernetes API of ${clusterName} refused ${method} ${path} (${res.status}): ${status.message}`,
        );
      }
      throw await ResponseError.fromResponse(res);
    }
    return res;
  }
}
