/*
 * The example's two clusters as real kube-apiservers (kine/SQLite, no nodes, no
 * controllers), seeded from fixtures/clusters.yaml; scripts/start.sh runs it beside the
 * AWS sandbox:
 *   yarn workspace @bluegreen/example-kubernetes start
 * It writes into EXAMPLE_KUBERNETES_DIR (default <repository>/.cache/example), readable by
 * the owner only:
 *   kubernetes.app-config.yaml  the Kubernetes backend's clusters (CA data, the backstage
 *                               service account's token), for `--config`; written last,
 *                               once both clusters are ready
 *   kubeconfig                  contexts <cluster> (admin) and <cluster>-backstage
 * EXAMPLE_ALL_READY=1 seeds every pod ready (green's burnham-worker too, which is 1/2
 * otherwise), so that the cutover pre-flight passes both ways.
 * Two LOCAL STAND-INS play the GitOps Bridge chain in each cluster: Argo CD carrying the
 * cluster secret's route53_weight to the workloads' Ingresses, and external-dns writing
 * the Ingresses' aws-weight to Route 53 at EXAMPLE_AWS_ENDPOINT (default the sandbox,
 * http://127.0.0.1:4566) for the records it owns. EXAMPLE_GITOPS_STAND_INS=off leaves
 * them out.
 * Ctrl-C (SIGINT) or SIGTERM stops the API servers and removes both files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { Route53Client } from '@aws-sdk/client-route-53';
import { playArgoCdWeights } from './argoCdWeights';
import { REPOSITORY_ROOT } from './binaries';
import { playExternalDns } from './externalDns';
import {
  BACKSTAGE_SERVICE_ACCOUNT,
  ExampleClusters,
  startExampleClusters,
} from './exampleClusters';

function writePrivate(file: string, text: string) {
  // Written beside and renamed, so a reader never sees half a file; a leftover .tmp is
  // removed first, as writeFileSync's mode applies only to a file it creates.
  fs.rmSync(`${file}.tmp`, { force: true });
  fs.writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

/** A kubeconfig of every cluster, with their CA files (written into `dir`). */
function kubeconfig(
  example: ExampleClusters,
  dir: string,
): { text: string; caFiles: string[] } {
  const entries = Object.values(example.clusters).map(cluster => {
    const ca = path.join(dir, `${cluster.name}.ca.crt`);
    fs.writeFileSync(ca, cluster.caPem);
    return { cluster, ca };
  });
  const text = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: entries.map(({ cluster, ca }) => ({
      name: cluster.name,
      cluster: { server: cluster.url, 'certificate-authority': ca },
    })),
    users: entries.flatMap(({ cluster }) => [
      { name: `${cluster.name}-admin`, user: { token: cluster.tokens.admin } },
      {
        name: `${cluster.name}-backstage`,
        user: { token: cluster.tokens[BACKSTAGE_SERVICE_ACCOUNT.identity] },
      },
    ]),
    contexts: entries.flatMap(({ cluster }) => [
      {
        name: cluster.name,
        context: { cluster: cluster.name, user: `${cluster.name}-admin` },
      },
      {
        name: `${cluster.name}-backstage`,
        context: { cluster: cluster.name, user: `${cluster.name}-backstage` },
      },
    ]),
    'current-context': entries[0]?.cluster.name ?? '',
  });
  return { text, caFiles: entries.map(e => e.ca) };
}

async function main() {
  const dir = path.resolve(
    process.env.EXAMPLE_KUBERNETES_DIR ||
      path.join(REPOSITORY_ROOT, '.cache', 'example'),
  );
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o700); // also when it existed before
  const configFile = path.join(dir, 'kubernetes.app-config.yaml');
  const kubeconfigFile = path.join(dir, 'kubeconfig');
  let written: string[] = [configFile, kubeconfigFile];
  const removeFiles = () =>
    written.forEach(file => fs.rmSync(file, { force: true }));
  removeFiles();

  // Installed before the clusters start: a signal then exits, and the harness's exit hook
  // kills what had started and removes its folders.
  const started: { example?: ExampleClusters } = {};
  const stop = () => {
    removeFiles();
    (started.example?.stop() ?? Promise.resolve()).finally(() =>
      process.exit(0),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // The example runs for as long as one likes: tokens for a week.
  const example = await startExampleClusters({
    tokenExpirationSeconds: 7 * 86_400,
    allReady: process.env.EXAMPLE_ALL_READY === '1',
  });
  started.example = example;
  const { text, caFiles } = kubeconfig(example, dir);
  written = [...written, ...caFiles];
  writePrivate(kubeconfigFile, text);
  writePrivate(
    configFile,
    `# Written by examples/kubernetes (src/main.ts) for this run; contains tokens.\n${stringify(
      { kubernetes: example.kubernetesConfig() },
    )}`,
  );
  for (const cluster of Object.values(example.clusters)) {
    // eslint-disable-next-line no-console
    console.log(
      `cluster ${cluster.name}: a real kube-apiserver (kine/SQLite, Node objects but no kubelets) on ${cluster.url}; kubectl --kubeconfig ${kubeconfigFile} --context ${cluster.name} get deployments -A`,
    );
  }
  // eslint-disable-next-line no-console
  console.log(`Kubernetes backend configuration: ${configFile}`);
  if (process.env.EXAMPLE_GITOPS_STAND_INS !== 'off') {
    const route53 = new Route53Client({
      endpoint: process.env.EXAMPLE_AWS_ENDPOINT || 'http://127.0.0.1:4566',
      region: 'us-east-1',
      // The sandbox checks that a request is signed, not by whom.
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    });
    // eslint-disable-next-line no-console
    const log = (message: string) => console.log(message);
    for (const cluster of Object.values(example.clusters)) {
      playArgoCdWeights(cluster, { log });
      playExternalDns(cluster, route53, { log });
    }
    // eslint-disable-next-line no-console
    console.log(
      `GitOps Bridge stand-ins (not Argo CD, not external-dns) running in each cluster: kubectl --kubeconfig ${kubeconfigFile} --context eks-blueprint-green annotate secret -n argocd eks-blueprint-green route53_weight=100 --overwrite`,
    );
  }
}

main().catch(e => {
  // eslint-disable-next-line no-console
  console.error(e);
  process.exit(1);
});
