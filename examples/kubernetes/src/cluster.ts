import { ChildProcess, execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { kubernetesBinaries } from './binaries';

/** Who a static token authenticates as (kube-apiserver --token-auth-file). */
export interface ClusterIdentity {
  user: string;
  groups?: string[];
}

export interface StartClusterOptions {
  /** The cluster's name, e.g. eks-blueprint-blue (in its log and folder names). */
  name: string;
  /** Tokens to issue besides `admin` (system:masters), by a name of your choice. */
  identities?: Record<string, ClusterIdentity>;
  /** Default 60 s. */
  readyTimeoutMs?: number;
}

/** One request from the API server's audit log. */
export interface AuditedRequest {
  user: string;
  /** get, list, watch, create, patch, delete, ... */
  verb: string;
  /** The path and query, e.g. /apis/argoproj.io/v1alpha1/namespaces/argocd/applications */
  uri: string;
  code: number;
}

export interface ClusterResponse {
  status: number;
  body: any;
}

/** A real Kubernetes API server on kine (SQLite); no nodes, no controllers. */
export interface KubernetesCluster {
  name: string;
  /** https://127.0.0.1:<port> */
  url: string;
  /** The serving certificate's CA, PEM; `caData` is its base64 (Backstage's config). */
  caPem: string;
  caData: string;
  /** `admin`, every identity asked for, and every service account given a token. */
  tokens: Record<string, string>;
  /**
   * A token of ServiceAccount `namespace/name` from the API server's TokenRequest API (as
   * `kubectl create token` gets one), kept in `tokens` under
   * `system:serviceaccount:<namespace>:<name>` so `as` can name it. The ServiceAccount
   * must exist.
   */
  serviceAccountToken(
    namespace: string,
    name: string,
    expirationSeconds?: number,
  ): Promise<string>;
  /**
   * The requests the API server has answered so far (its audit log), oldest first; with
   * `user`, only that user's (e.g. `system:serviceaccount:backstage:backstage`).
   */
  requests(user?: string): AuditedRequest[];
  /** One API request, as the identity `as` (default admin). */
  request(
    method: string,
    apiPath: string,
    body?: unknown,
    options?: { as?: string; contentType?: string },
  ): Promise<ClusterResponse>;
  /** Creates an object in a collection as admin; anything but 201 throws, naming why. */
  create(collectionPath: string, object: object): Promise<any>;
  /**
   * This cluster as an entry of the Kubernetes backend's `config` cluster locator: verified
   * TLS with its CA data, the identity `as`'s token, no metrics lookup (no metrics API).
   */
  backstageCluster(as: string, name?: string): Record<string, string | boolean>;
  /**
   * Runs the real kubectl against this cluster as the identity `as` (default admin), from
   * a kubeconfig file (the token never on a command line); its stdout.
   */
  kubectl(args: string[], options?: { as?: string }): Promise<string>;
  /** A kubeconfig file for the identity `as` (default admin), for clients run elsewhere. */
  kubeconfigFile(as?: string): string;
  stop(): Promise<void>;
}

const ADMIN: ClusterIdentity = {
  user: 'bluegreen-admin',
  groups: ['system:masters'],
};

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** A log's errors (klog's E and F lines, `Error:`) and its last lines. */
function tail(file: string, lines = 10): string {
  if (!fs.existsSync(file)) {
    return '(no log)';
  }
  const all = fs.readFileSync(file, 'utf8').trim().split('\n');
  const errors = all.filter(l =>
    /^[EF]\d{4}|^Error:|level=(error|fatal)/.test(l),
  );
  return [...errors.slice(-10), '...', ...all.slice(-lines)].join('\n');
}

/** The API servers and kines this process started and has not seen exit. */
const running = new Set<ChildProcess>();
/** The folders (tokens, keys, state) of clusters not stopped yet. */
const folders = new Set<string>();
let exitHookInstalled = false;

/**
 * However this process ends (process.exit, an uncaught error; only a SIGKILL of it
 * escapes), the clusters it has not stopped go with it: their processes killed, their
 * folders with the tokens removed.
 */
function installExitHook() {
  if (!exitHookInstalled) {
    process.once('exit', () => {
      running.forEach(child => child.kill('SIGKILL'));
      folders.forEach(dir => fs.rmSync(dir, { recursive: true, force: true }));
    });
    exitHookInstalled = true;
  }
}

/**
 * Spawns `binary` with its output in `log`; rejects `exited` if it stops on its own (or
 * cannot start).
 */
function start(binary: string, args: string[], log: string) {
  const out = fs.openSync(log, 'a');
  const child = spawn(binary, args, { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  running.add(child);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', error => {
      running.delete(child);
      reject(new Error(`${binary} could not start: ${error.message}`));
    });
    child.once('exit', code => {
      running.delete(child);
      reject(
        new Error(
          `${path.basename(binary)} exited (${code}); its log:\n${tail(log)}`,
        ),
      );
    });
  });
  exited.catch(() => undefined);
  return { child, exited };
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise(resolve => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts kine (an etcd API over SQLite) and a real kube-apiserver on free loopback ports,
 * with RBAC, static tokens and a self-signed serving certificate, and waits for /readyz.
 * Nothing runs besides the API server: no scheduler, no controller-manager, no nodes, so
 * objects keep the status a test gives them. The ServiceAccount admission plugin is off
 * (no controller creates the default service accounts).
 */
export async function startKubernetesCluster(
  options: StartClusterOptions,
): Promise<KubernetesCluster> {
  const binaries = kubernetesBinaries();
  const dir = fs.mkdtempSync(
    path.join(os.tmpdir(), `bluegreen-kubernetes-${options.name}-`),
  );
  installExitHook();
  folders.add(dir);
  const identities = { admin: ADMIN, ...options.identities };
  const tokens = Object.fromEntries(
    Object.keys(identities).map(key => [
      key,
      crypto.randomBytes(24).toString('hex'),
    ]),
  );
  fs.writeFileSync(
    path.join(dir, 'tokens.csv'),
    Object.entries(identities)
      .map(
        ([key, id], i) =>
          `${tokens[key]},${id.user},uid-${i},"${(id.groups ?? []).join(',')}"`,
      )
      .join('\n'),
  );
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  fs.writeFileSync(path.join(dir, 'sa.key'), privateKey);
  fs.writeFileSync(path.join(dir, 'sa.pub'), publicKey);

  const certDir = path.join(dir, 'certs');
  const auditLog = path.join(dir, 'audit.log');
  const auditPolicy = path.join(dir, 'audit-policy.json');
  fs.writeFileSync(
    auditPolicy,
    JSON.stringify({
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      omitStages: ['RequestReceived'],
      rules: [{ level: 'Metadata' }],
    }),
  );
  // The ports are free when chosen; another process may take one before the server binds
  // it, so a start that meets "address already in use" is tried again on new ports.
  let kine!: ReturnType<typeof start>;
  let apiserver!: ReturnType<typeof start>;
  let url = '';
  const launch = async () => {
    const [kinePort, apiPort] = [await freePort(), await freePort()];
    kine = start(
      binaries.kine,
      [
        '--endpoint',
        `sqlite://${path.join(dir, 'state.db')}?_journal=WAL&cache=shared`,
        '--listen-address',
        `127.0.0.1:${kinePort}`,
        // Its metrics would listen on :8080 of every interface, one kine at a time.
        '--metrics-bind-address',
        '0',
      ],
      path.join(dir, 'kine.log'),
    );
    apiserver = start(
      binaries.kubeApiserver,
      [
        `--etcd-servers=http://127.0.0.1:${kinePort}`,
        `--secure-port=${apiPort}`,
        '--bind-address=127.0.0.1',
        // No kubernetes Service endpoints: nothing in the cluster calls the API server.
        '--endpoint-reconciler-type=none',
        `--cert-dir=${certDir}`,
        '--service-account-issuer=https://kubernetes.default.svc',
        `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
        `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        '--service-cluster-ip-range=10.96.0.0/16',
        '--disable-admission-plugins=ServiceAccount',
        // Every request, who made it and its answer: what a test asserts was (not) asked.
        `--audit-policy-file=${auditPolicy}`,
        `--audit-log-path=${auditLog}`,
        '--audit-log-format=json',
      ],
      path.join(dir, 'kube-apiserver.log'),
    );
    url = `https://127.0.0.1:${apiPort}`;
  };
  await launch();
  const stop = async () => {
    await stopProcess(apiserver.child);
    await stopProcess(kine.child);
    fs.rmSync(dir, { recursive: true, force: true });
    folders.delete(dir);
  };

  let caPem = '';
  const request: KubernetesCluster['request'] = (
    method,
    apiPath,
    body,
    requestOptions = {},
  ) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        `${url}${apiPath}`,
        {
          method,
          ca: caPem,
          headers: {
            Authorization: `Bearer ${tokens[requestOptions.as ?? 'admin']}`,
            Accept: 'application/json',
            ...(payload && {
              'Content-Type': requestOptions.contentType ?? 'application/json',
            }),
          },
          timeout: 30_000,
        },
        res => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', chunk => (text += chunk));
          res.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // /readyz and friends answer plain text.
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(payload);
    });

  try {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
    const certFile = path.join(certDir, 'apiserver.crt');
    let attempts = 0;
    for (;;) {
      if (Date.now() > deadline) {
        throw new Error(
          `kube-apiserver of ${options.name} not ready after ${
            options.readyTimeoutMs ?? 60_000
          } ms; its log:\n${tail(path.join(dir, 'kube-apiserver.log'))}`,
        );
      }
      if (!caPem && fs.existsSync(certFile)) {
        caPem = fs.readFileSync(certFile, 'utf8');
      }
      const ready = caPem
        ? await request('GET', '/readyz').catch(() => undefined)
        : undefined;
      if (ready?.status === 200) {
        break;
      }
      try {
        await Promise.race([
          new Promise(resolve => setTimeout(resolve, 250)),
          kine.exited,
          apiserver.exited,
        ]);
      } catch (exited) {
        if (
          !/address already in use/.test((exited as Error).message) ||
          ++attempts >= 3
        ) {
          throw exited;
        }
        await stopProcess(apiserver.child);
        await stopProcess(kine.child);
        await launch();
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const tokenOf = (as: string) => {
    if (!tokens[as]) {
      throw new Error(`no identity "${as}" on cluster ${options.name}`);
    }
    return tokens[as];
  };
  const caFile = path.join(dir, 'ca.crt');
  fs.writeFileSync(caFile, caPem);
  const kubeconfig = (as: string) => {
    const file = path.join(
      dir,
      `kubeconfig-${as.replace(/[^\w-]/g, '_')}.json`,
    );
    // Rewritten every time: a service account may have been given a new token.
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: options.name,
          cluster: { server: url, 'certificate-authority': caFile },
        },
      ],
      users: [{ name: as, user: { token: tokenOf(as) } }],
      contexts: [{ name: as, context: { cluster: options.name, user: as } }],
      'current-context': as,
    };
    fs.writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
    return file;
  };
  return {
    name: options.name,
    url,
    caPem,
    caData: Buffer.from(caPem).toString('base64'),
    tokens,
    request,
    requests(user) {
      if (!fs.existsSync(auditLog)) {
        return [];
      }
      return fs
        .readFileSync(auditLog, 'utf8')
        .split('\n')
        .filter(line => line.trim())
        .map(line => JSON.parse(line))
        .filter(event => event.stage === 'ResponseComplete')
        .map(event => ({
          user: event.user?.username ?? '',
          verb: event.verb,
          uri: event.requestURI,
          code: event.responseStatus?.code ?? 0,
        }))
        .filter(event => user === undefined || event.user === user);
    },
    async create(collectionPath, object) {
      const res = await request('POST', collectionPath, object);
      if (res.status !== 201) {
        throw new Error(
          `POST ${collectionPath}: ${res.status} ${JSON.stringify(
            res.body?.message ?? res.body,
          )}`,
        );
      }
      return res.body;
    },
    async serviceAccountToken(namespace, name, expirationSeconds = 86_400) {
      const res = await request(
        'POST',
        `/api/v1/namespaces/${encodeURIComponent(
          namespace,
        )}/serviceaccounts/${encodeURIComponent(name)}/token`,
        {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { expirationSeconds },
        },
      );
      if (res.status !== 201 || !res.body?.status?.token) {
        throw new Error(
          `token of service account ${namespace}/${name}: ${
            res.status
          } ${JSON.stringify(res.body?.message ?? res.body)}`,
        );
      }
      tokens[`system:serviceaccount:${namespace}:${name}`] =
        res.body.status.token;
      return res.body.status.token;
    },
    backstageCluster(as, name = options.name) {
      return {
        name,
        url,
        caData: Buffer.from(caPem).toString('base64'),
        authProvider: 'serviceAccount',
        serviceAccountToken: tokenOf(as),
        skipMetricsLookup: true,
      };
    },
    kubeconfigFile: (as = 'admin') => kubeconfig(as),
    async kubectl(args, kubectlOptions = {}) {
      const { stdout } = await promisify(execFile)(
        binaries.kubectl,
        [`--kubeconfig=${kubeconfig(kubectlOptions.as ?? 'admin')}`, ...args],
        { env: { PATH: process.env.PATH, HOME: dir } },
      );
      return stdout;
    },
    stop,
  };
}
