/**
 * The environment override that points the example backend's Kubernetes plugin at the
 * sandbox's Kubernetes API stand-ins (LOCAL STAND-INS, not Kubernetes) started on free
 * ports. Backstage's env config loader parses JSON values; an array replaces the file's.
 */
export function kubernetesStandInEnv(
  clusters: Record<string, { url: string }>,
): Record<string, string> {
  return {
    APP_CONFIG_kubernetes_clusterLocatorMethods: JSON.stringify([
      {
        type: 'config',
        clusters: Object.entries(clusters).map(([name, { url }]) => ({
          name,
          url,
          authProvider: 'serviceAccount',
          serviceAccountToken: 'sandbox-stand-in-token',
          skipTLSVerify: true,
        })),
      },
    ]),
  };
}
