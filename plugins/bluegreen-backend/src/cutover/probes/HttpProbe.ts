import http from 'node:http';
import https from 'node:https';
import { inBatches } from './inBatches';

/** What N requests to one endpoint saw. */
export interface HttpProbeResult {
  requests: number;
  /** Answers with a 2xx status. */
  succeeded: number;
  /** succeeded / requests. */
  successRatio: number;
  /** Of the answered requests, in ms; undefined when none was answered. */
  p95Ms?: number;
  /** Answers by the cluster they name (CLUSTER_NAME in the page, or x-cluster-name). */
  clusters: Record<string, number>;
  /** The first few failures, for the run's history. */
  failures: string[];
}

export interface HttpProbeOptions {
  /** Where to connect: a load balancer's URL (scheme, host, port), e.g. https://k8s-...elb.amazonaws.com */
  url: string;
  /** The service's hostname: the Host header, and the TLS server name. */
  host: string;
  /** Starts with '/'. */
  path: string;
  count: number;
  timeoutMs: number;
}

/**
 * A probe's success: a 2xx answer. A redirect is not one (an http→https or login
 * redirect would pass without the service answering): set the probe path to a page.
 */
export const answeredOk = (status?: number) =>
  status !== undefined && status >= 200 && status < 300;

const redirect = (status?: number) =>
  status !== undefined && status >= 300 && status < 400;

const CLUSTER_NAME = /CLUSTER_NAME:\s*([A-Za-z0-9._-]+)/;

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

/** One GET: its status, the cluster that answered (from the page or a header), its time. */
export function probeOnce(options: Omit<HttpProbeOptions, 'count'>) {
  const base = new URL(options.url);
  const client = base.protocol === 'https:' ? https : http;
  const started = process.hrtime.bigint();
  return new Promise<{
    status?: number;
    cluster?: string;
    ms: number;
    error?: string;
  }>(resolve => {
    const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
    let settled = false;
    const timer: { deadline?: NodeJS.Timeout } = {};
    const settle = (result: {
      status?: number;
      cluster?: string;
      error?: string;
    }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer.deadline);
      resolve({ ...result, ms: ms() });
    };
    const req = client.request(
      {
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port || undefined,
        path: options.path,
        method: 'GET',
        headers: { host: options.host, 'user-agent': 'bluegreen-probe' },
        servername: options.host,
        agent: false,
      },
      res => {
        let body = '';
        res.setEncoding('utf8');
        const done = () => {
          const header = res.headers['x-cluster-name'];
          settle({
            status: res.statusCode,
            cluster:
              (Array.isArray(header) ? header[0] : header) ??
              CLUSTER_NAME.exec(body)?.[1],
          });
        };
        res.on('data', chunk => {
          body += chunk;
          // The cluster's name is near the top of the page; the rest is not read.
          if (body.length >= 65_536) {
            done();
            res.destroy();
          }
        });
        res.on('error', error => settle({ error: error.message }));
        res.on('end', done);
      },
    );
    // The whole answer within the timeout, not only each silence: a page that trickles
    // in byte by byte must not hold the verification (and the run) up.
    timer.deadline = setTimeout(() => {
      const error = new Error(`no answer within ${options.timeoutMs} ms`);
      settle({ error: error.message });
      req.destroy(error);
    }, options.timeoutMs);
    req.on('error', error => settle({ error: error.message }));
    req.end();
  });
}

/** The entity's probe path goes into a request line: nothing but a path. */
export function assertProbePath(path: string) {
  if (!path.startsWith('/') || /[\r\n\s]/.test(path)) {
    throw new Error(
      `probe path must start with / and contain no whitespace: ${JSON.stringify(
        path,
      )}`,
    );
  }
}

/**
 * Sends `count` GETs of `path` to one load balancer, with the service's Host header and
 * TLS server name (so the ingress routes them as it routes users), five at a time.
 */
export async function probeHttp(
  options: HttpProbeOptions,
): Promise<HttpProbeResult> {
  assertProbePath(options.path);
  const results = await inBatches(options.count, 5, () => probeOnce(options));
  const clusters: Record<string, number> = {};
  for (const r of results) {
    if (answeredOk(r.status) && r.cluster)
      clusters[r.cluster] = (clusters[r.cluster] ?? 0) + 1;
  }
  const succeeded = results.filter(r => answeredOk(r.status)).length;
  return {
    requests: results.length,
    succeeded,
    successRatio: results.length ? succeeded / results.length : 0,
    // Answers, and requests cut at the deadline (at about timeoutMs): a trickling page
    // must show in the latency too.
    p95Ms: percentile(
      results
        .filter(
          r =>
            r.status !== undefined || r.error?.startsWith('no answer within'),
        )
        .map(r => r.ms),
      95,
    ),
    clusters,
    failures: results
      .filter(r => !answeredOk(r.status))
      .slice(0, 3)
      .map(
        r =>
          r.error ??
          `HTTP ${r.status}${redirect(r.status) ? ' (a redirect)' : ''}`,
      ),
  };
}
