/*
 * The clusters' load balancers as LOCAL STAND-INS (not ELB, not Kubernetes): one HTTP
 * server per cluster answering like the seed's burnham page, which prints the cluster
 * that served it (CLUSTER_NAME), with the same in an `x-cluster-name` header. Faults are
 * switched on per cluster: a share of 5xx answers, or a delay.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';

export interface LoadBalancerFaults {
  /** The share of requests answered 503, 0 to 1. */
  errorRate?: number;
  /** Added to every answer. */
  delayMs?: number;
}

/** One request a load balancer stand-in served: when it ended, its status, how long it took. */
export interface ServedRequest {
  /** Epoch ms. */
  at: number;
  status: number;
  ms: number;
}

const TRAFFIC_KEPT = 100_000;

export interface LoadBalancerStandIns {
  /** By cluster name: http://127.0.0.1:<port> */
  urls: Record<string, string>;
  setFaults(cluster: string, faults: LoadBalancerFaults): void;
  /** Requests served per cluster, by status code. */
  served(): Record<string, Record<number, number>>;
  /** Every request a cluster's load balancer served (the newest 100 000), oldest first. */
  traffic(cluster: string): ServedRequest[];
  /** The Host headers each cluster's load balancer was sent, each once. */
  hostsSeen(): Record<string, string[]>;
  close(): Promise<void>;
}

/** The page, as the seed's burnham container renders it. */
export function clusterPage(cluster: string, host: string): string {
  return `<html><body><h1>${host}</h1><p>CLUSTER_NAME: ${cluster}</p></body></html>\n`;
}

export async function startLoadBalancers(options: {
  clusters: string[];
  host?: string;
  /** One port per cluster, in order; default free ports. */
  ports?: number[];
  random?: () => number;
}): Promise<LoadBalancerStandIns> {
  const host = options.host ?? '127.0.0.1';
  const random = options.random ?? Math.random;
  const faults: Record<string, LoadBalancerFaults> = {};
  const served: Record<string, Record<number, number>> = {};
  const hosts: Record<string, Set<string>> = {};
  const traffic: Record<string, ServedRequest[]> = {};
  const servers: http.Server[] = [];
  const urls: Record<string, string> = {};
  for (const [index, cluster] of options.clusters.entries()) {
    served[cluster] = {};
    hosts[cluster] = new Set();
    traffic[cluster] = [];
    const server = http.createServer((req, res) => {
      const started = Date.now();
      req.resume();
      hosts[cluster].add(String(req.headers.host ?? ''));
      const { errorRate = 0, delayMs = 0 } = faults[cluster] ?? {};
      const status = random() < errorRate ? 503 : 200;
      setTimeout(() => {
        served[cluster][status] = (served[cluster][status] ?? 0) + 1;
        const log = traffic[cluster];
        log.push({ at: Date.now(), status, ms: Date.now() - started });
        if (log.length > TRAFFIC_KEPT) log.splice(0, log.length - TRAFFIC_KEPT);
        res.writeHead(status, {
          'content-type': 'text/html; charset=utf-8',
          'x-cluster-name': cluster,
        });
        res.end(
          status === 200
            ? clusterPage(cluster, String(req.headers.host ?? ''))
            : 'Service Unavailable (a fault injected in the stand-in)\n',
        );
      }, delayMs);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.ports?.[index] ?? 0, host, () => resolve());
    });
    servers.push(server);
    urls[cluster] = `http://${host}:${(server.address() as AddressInfo).port}`;
  }
  return {
    urls,
    setFaults: (cluster, f) => {
      if (!Object.hasOwn(served, cluster)) {
        throw new Error(`no load balancer stand-in for cluster '${cluster}'`);
      }
      faults[cluster] = f;
    },
    served: () => JSON.parse(JSON.stringify(served)),
    traffic: cluster => [...(traffic[cluster] ?? [])],
    hostsSeen: () =>
      Object.fromEntries(
        Object.entries(hosts).map(([cluster, seen]) => [cluster, [...seen]]),
      ),
    close: () =>
      Promise.all(
        servers.map(
          s =>
            new Promise<void>(resolve => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      ).then(() => undefined),
  };
}
