/**
 * The environment override that points the example backend's Kubernetes plugin at other
 * clusters, e.g. the example's real API servers started on free ports
 * (startExampleClusters().clusterLocatorMethods()). Backstage's env config loader parses
 * JSON values; an array replaces the file's.
 */
export function kubernetesClustersEnv(
  clusterLocatorMethods: object[],
): Record<string, string> {
  return {
    APP_CONFIG_kubernetes_clusterLocatorMethods: JSON.stringify(
      clusterLocatorMethods,
    ),
  };
}
