import fs from 'node:fs';
import path from 'node:path';

/** The executables scripts/ensure-kubernetes.sh builds. */
export interface KubernetesBinaries {
  kubeApiserver: string;
  kubectl: string;
  kine: string;
}

// The repository root: this package lives in examples/kubernetes.
export const REPOSITORY_ROOT = path.resolve(
  path.dirname(require.resolve('@bluegreen/example-kubernetes/package.json')),
  '../..',
);

/**
 * The built binaries: `BLUEGREEN_KUBERNETES_BIN` (a folder), else the newest build under
 * .cache/kubernetes/. Missing, it fails saying how to build them; nothing is skipped.
 */
export function kubernetesBinaries(): KubernetesBinaries {
  let dir = process.env.BLUEGREEN_KUBERNETES_BIN;
  if (!dir) {
    const cache = path.join(REPOSITORY_ROOT, '.cache', 'kubernetes');
    const builds = fs.existsSync(cache)
      ? fs.readdirSync(cache).filter(v => /^v\d/.test(v))
      : [];
    dir = builds.sort().map(v => path.join(cache, v))[builds.length - 1];
  }
  const binaries = {
    kubeApiserver: path.join(dir ?? '', 'kube-apiserver'),
    kubectl: path.join(dir ?? '', 'kubectl'),
    kine: path.join(dir ?? '', 'kine'),
  };
  const missing = Object.values(binaries).filter(f => !fs.existsSync(f));
  if (!dir || missing.length > 0) {
    throw new Error(
      `The real Kubernetes API servers are not built (${
        missing.join(', ') || 'no build found'
      }): run \`bash scripts/ensure-kubernetes.sh\` (needs Go; scripts/test.sh runs it), or set BLUEGREEN_KUBERNETES_BIN to a folder with kube-apiserver, kubectl and kine.`,
    );
  }
  return binaries;
}
