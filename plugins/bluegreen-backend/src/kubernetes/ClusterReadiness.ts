import { KubernetesApi } from '../teardown/KubernetesProxyClient';

/** What keeps a cluster from being ready; empty when it is. */
export interface ReadinessReport {
  /** One phrase per thing not ready yet, e.g. "Application burnham: OutOfSync/Degraded". */
  notReady: string[];
  nodes: number;
  applications: number;
}

interface NodeObject {
  metadata: { name: string };
  status?: {
    conditions?: Array<{ type: string; status: string; reason?: string }>;
  };
}

interface ApplicationObject {
  metadata: { name: string };
  status?: { sync?: { status?: string }; health?: { status?: string } };
}

const applicationsPath = (namespace: string) =>
  `/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(
    namespace,
  )}/applications`;

/**
 * A new cluster is ready for traffic when it has nodes, every node is Ready, and Argo CD
 * (the GitOps Bridge's) has at least one Application and every Application is Synced and
 * Healthy: the workloads are deployed as Git says and running.
 */
export async function readClusterReadiness(
  api: KubernetesApi,
  argocdNamespace: string,
): Promise<ReadinessReport> {
  const notReady: string[] = [];
  const nodes = (await api.list('/api/v1/nodes')) as NodeObject[] | undefined;
  if (!nodes || nodes.length === 0) {
    notReady.push('no nodes yet');
  }
  for (const node of nodes ?? []) {
    const ready = node.status?.conditions?.find(c => c.type === 'Ready');
    if (ready?.status !== 'True') {
      notReady.push(
        `node ${node.metadata.name}: ${
          ready
            ? `Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ''}`
            : 'no Ready condition yet'
        }`,
      );
    }
  }
  const applications = (await api.list(applicationsPath(argocdNamespace))) as
    | ApplicationObject[]
    | undefined;
  if (!applications) {
    notReady.push(
      `Argo CD: the Application kind is not served yet (namespace ${argocdNamespace})`,
    );
  } else if (applications.length === 0) {
    notReady.push(`Argo CD: no Applications in ${argocdNamespace} yet`);
  }
  for (const app of applications ?? []) {
    const sync = app.status?.sync?.status ?? 'Unknown';
    const health = app.status?.health?.status ?? 'Unknown';
    if (sync !== 'Synced' || health !== 'Healthy') {
      notReady.push(`Application ${app.metadata.name}: ${sync}/${health}`);
    }
  }
  return {
    notReady,
    nodes: nodes?.length ?? 0,
    applications: applications?.length ?? 0,
  };
}
