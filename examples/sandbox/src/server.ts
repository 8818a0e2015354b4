/*
 * The HTTP server of the bluegreen AWS sandbox, a LOCAL STAND-IN for AWS (not AWS). One
 * port serves the Route 53 subset (`/2013-04-01/...`), the EKS subset (`/clusters/...`,
 * `/cluster-versions`), CloudWatch GetMetricData (JSON 1.0 by X-Amz-Target, from the load
 * balancer stand-ins' traffic) and the inspection endpoints (`/_sandbox/...`).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { EksError, InsightsFault, routeEks } from './eks';
import {
  CLOUDWATCH_TARGET_PREFIX,
  CloudWatchError,
  getMetricData,
} from './cloudwatch/getMetricData';
import { SandboxFixtures, loadFixtures } from './fixtures';
import { routeRoute53 } from './route53/handlers';
import { DnsStandIn, startDnsStandIn } from './dns/server';
import {
  LoadBalancerStandIns,
  startLoadBalancers,
} from './loadBalancers/server';
import { Route53Error, Route53Store, SandboxChange } from './route53/store';
import { errorXml } from './route53/xml';
import { TokenBucket, ThrottleOptions } from './throttle';

export interface SandboxOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: fixtures/aws.yaml. */
  fixtures?: SandboxFixtures;
  /** How long a change stays PENDING before GetChange says INSYNC. Default 2000. */
  insyncDelayMs?: number;
  /** Route 53 request-rate bucket per account; false disables it. Default burst 50, 10/s. */
  throttle?: ThrottleOptions | false;
  /** Answer PriorRequestNotComplete to a change this soon after the zone's last one. Default 0 (off). */
  priorRequestWindowMs?: number;
  /** The sandbox clock (SubmittedAt, INSYNC, EKS support status). Default: real time. */
  now?: () => Date;
  /**
   * Also answer DNS queries from the Route 53 store (UDP, the DNS stand-in), on `port`
   * (default 0: a free port). Off by default.
   */
  dns?: { port?: number; random?: () => number };
  /**
   * Also serve the clusters' load balancers (local stand-ins answering like the seed's
   * burnham page), with their faults switched through the inspection API.
   */
  loadBalancers?: { clusters: string[]; ports?: number[] };
}

/** Faults a test can switch on while the sandbox runs. */
export interface SandboxFaults {
  /**
   * Apply the next N ChangeResourceRecordSets batches, then close the connection without
   * a response: what a client sees when the response is lost after AWS applied the
   * change (the SDK then retries the same batch).
   */
  dropChangeResponses(count: number): void;
  /**
   * How long a change stays PENDING before GetChange says INSYNC, from now on: a slow
   * propagation that keeps a writer waiting mid-step.
   */
  insyncDelay(ms: number): void;
  /**
   * A cluster's EKS insights from now on: `none` lists none, `access-denied` refuses
   * ListInsights and DescribeInsight (AccessDeniedException, 403); undefined restores its
   * fixture insights.
   */
  insights(cluster: string, fault?: InsightsFault): void;
}

export interface Sandbox {
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
  /**
   * Requests by operation name (e.g. ListResourceRecordSets). A throttled request counts
   * only as 'Throttled' (and 'Throttled:<operation>'), not under its operation.
   */
  requestCounts(): Record<string, number>;
  resetRequestCounts(): void;
  /** Every accepted change batch in the order applied. */
  changeLog(): SandboxChange[];
  faults: SandboxFaults;
  /** The DNS stand-in, when `dns` was asked for. */
  dns?: DnsStandIn;
  /** The load balancer stand-ins, when `loadBalancers` was asked for. */
  loadBalancers?: LoadBalancerStandIns;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startSandbox(
  options: SandboxOptions = {},
): Promise<Sandbox> {
  const fixtures = options.fixtures ?? loadFixtures();
  const now = options.now ?? (() => new Date());
  const store = new Route53Store(fixtures.route53?.hostedZones ?? [], {
    insyncDelayMs: options.insyncDelayMs ?? 2000,
    now,
  });
  const throttle =
    options.throttle === false
      ? undefined
      : new TokenBucket(options.throttle ?? { burst: 50, refillPerSecond: 10 });
  const route53Ctx = {
    store,
    priorRequestWindowMs: options.priorRequestWindowMs ?? 0,
    now,
  };
  const eksCtx = {
    fixtures,
    now,
    insightFaults: new Map<string, InsightsFault>(),
  };
  let counts: Record<string, number> = {};
  const loadBalancers = options.loadBalancers
    ? await startLoadBalancers({
        host: options.host ?? '127.0.0.1',
        ...options.loadBalancers,
      })
    : undefined;
  let dropChangeResponses = 0;
  const count = (key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };

  const send = (
    res: http.ServerResponse,
    status: number,
    contentType: string,
    body: string,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      ...headers,
    });
    res.end(body);
  };

  const handleRoute53 = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    body: string,
    requestId: string,
  ) => {
    const fail = (err: Route53Error) =>
      send(res, err.status, 'text/xml', errorXml(err, requestId), {
        'x-amzn-requestid': requestId,
      });
    // A stand-in: the SigV4 signature is NOT verified, only its presence, as AWS refuses
    // unsigned requests before anything else.
    if (!req.headers.authorization) {
      count('Unauthenticated');
      fail(
        new Route53Error(
          'MissingAuthenticationToken',
          'Missing Authentication Token',
          403,
        ),
      );
      return;
    }
    const op = routeRoute53(route53Ctx, {
      method: req.method ?? 'GET',
      pathname: url.pathname,
      query: url.searchParams,
      body,
    });
    if (!op) {
      count('Unsupported');
      fail(
        new Route53Error(
          'InvalidAction',
          `${req.method} ${url.pathname} is not implemented by the bluegreen AWS sandbox (a local stand-in)`,
          400,
        ),
      );
      return;
    }
    // Every Route 53 request takes a token, reads included, as AWS's account bucket does.
    if (throttle && !throttle.take()) {
      count('Throttled');
      count(`Throttled:${op.name}`);
      fail(new Route53Error('Throttling', 'Rate exceeded', 400));
      return;
    }
    count(op.name);
    try {
      const answer = op.run();
      if (op.name === 'ChangeResourceRecordSets' && dropChangeResponses > 0) {
        dropChangeResponses--;
        count('DroppedResponse');
        req.socket.destroy();
        return;
      }
      send(res, 200, 'text/xml', answer, { 'x-amzn-requestid': requestId });
    } catch (e) {
      if (!(e instanceof Route53Error)) throw e;
      if (e.code === 'PriorRequestNotComplete')
        count('PriorRequestNotComplete');
      fail(e);
    }
  };

  const handleEks = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    body: string,
    requestId: string,
  ) => {
    const fail = (err: EksError) =>
      send(
        res,
        err.status,
        'application/json',
        JSON.stringify({ ...err.extra, message: err.message }),
        {
          'x-amzn-requestid': requestId,
          'x-amzn-errortype': err.code,
        },
      );
    if (!req.headers.authorization) {
      count('Unauthenticated');
      fail(
        new EksError(
          'MissingAuthenticationTokenException',
          'Missing Authentication Token',
          403,
        ),
      );
      return;
    }
    const op = routeEks(eksCtx, {
      method: req.method ?? 'GET',
      pathname: url.pathname,
      query: url.searchParams,
      body,
    });
    if (!op) {
      count('Unsupported');
      fail(
        new EksError(
          'UnknownOperationException',
          `${req.method} ${url.pathname} is not implemented by the bluegreen AWS sandbox (a local stand-in)`,
          404,
        ),
      );
      return;
    }
    count(op.name);
    try {
      send(res, 200, 'application/json', JSON.stringify(op.run()), {
        'x-amzn-requestid': requestId,
      });
    } catch (e) {
      if (!(e instanceof EksError)) throw e;
      fail(e);
    }
  };

  const handleCloudWatch = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    target: string,
    body: string,
    requestId: string,
  ) => {
    const reply = (status: number, value: unknown, headers = {}) =>
      send(res, status, 'application/x-amz-json-1.0', JSON.stringify(value), {
        'x-amzn-requestid': requestId,
        ...headers,
      });
    const operation = target.slice(CLOUDWATCH_TARGET_PREFIX.length);
    try {
      if (!req.headers.authorization) {
        throw new CloudWatchError(
          'MissingAuthenticationToken',
          'Missing Authentication Token',
          403,
        );
      }
      if (operation !== 'GetMetricData') {
        throw new CloudWatchError(
          'InvalidAction',
          `CloudWatch ${operation} is not implemented by the bluegreen AWS sandbox (a local stand-in)`,
        );
      }
      count('GetMetricData');
      reply(200, getMetricData(body, { fixtures, loadBalancers }));
    } catch (e) {
      if (!(e instanceof CloudWatchError)) throw e;
      reply(
        e.status,
        { __type: e.code, message: e.message },
        { 'x-amzn-query-error': `${e.code};Sender` },
      );
    }
  };

  const handleInspection = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    body: string,
  ) => {
    const json = (status: number, value: unknown) =>
      send(res, status, 'application/json', JSON.stringify(value, null, 2));
    const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
    if (route === 'GET /_sandbox/requests') return json(200, { ...counts });
    if (route === 'GET /_sandbox/changes') return json(200, store.changeLog());
    if (route === 'POST /_sandbox/reset-requests') {
      counts = {};
      return json(200, {});
    }
    if (loadBalancers && route === 'GET /_sandbox/load-balancers') {
      return json(200, {
        urls: loadBalancers.urls,
        served: loadBalancers.served(),
      });
    }
    if (loadBalancers && route === 'POST /_sandbox/load-balancers/faults') {
      // {"cluster": "eks-blueprint-green", "errorRate": 0.5, "delayMs": 0}, as JSON only:
      // a web page cannot send that content type to 127.0.0.1 without a CORS preflight.
      if (!String(req.headers['content-type']).startsWith('application/json')) {
        return json(415, { message: 'send the faults as application/json' });
      }
      let faults: { cluster?: unknown; errorRate?: unknown; delayMs?: unknown };
      try {
        faults = JSON.parse(body || '{}');
      } catch {
        return json(400, { message: 'the body must be JSON' });
      }
      const rate = faults.errorRate ?? 0;
      const delay = faults.delayMs ?? 0;
      if (typeof rate !== 'number' || rate < 0 || rate > 1) {
        return json(400, { message: 'errorRate must be a number from 0 to 1' });
      }
      if (typeof delay !== 'number' || delay < 0 || delay > 60_000) {
        return json(400, { message: 'delayMs must be 0 to 60000' });
      }
      try {
        loadBalancers.setFaults(String(faults.cluster), {
          errorRate: rate,
          delayMs: delay,
        });
      } catch (e) {
        return json(400, { message: (e as Error).message });
      }
      return json(200, {
        cluster: faults.cluster,
        errorRate: rate,
        delayMs: delay,
      });
    }
    return json(404, { message: `no inspection endpoint ${route}` });
  };

  const server = http.createServer((req, res) => {
    const requestId = crypto.randomUUID();
    readBody(req)
      .then(body => {
        const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
        if (url.pathname.startsWith('/_sandbox/'))
          return handleInspection(req, res, url, body);
        if (url.pathname.startsWith('/2013-04-01/')) {
          return handleRoute53(req, res, url, body, requestId);
        }
        const target = String(req.headers['x-amz-target'] ?? '');
        if (target.startsWith(CLOUDWATCH_TARGET_PREFIX)) {
          return handleCloudWatch(req, res, target, body, requestId);
        }
        return handleEks(req, res, url, body, requestId);
      })
      .catch(e => {
        send(
          res,
          500,
          'application/json',
          JSON.stringify({
            message: `sandbox failure: ${(e as Error).message}`,
          }),
          { 'x-amzn-errortype': 'InternalFailure' },
        );
      });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const dns = options.dns
    ? await startDnsStandIn({ store, host, ...options.dns })
    : undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    dns,
    loadBalancers,
    close: async () => {
      await dns?.close();
      await loadBalancers?.close();
      await new Promise<void>((resolve, reject) => {
        server.close(err => (err ? reject(err) : resolve()));
        // The SDK keeps connections alive; without this close() waits for them to idle out.
        server.closeAllConnections();
      });
    },
    requestCounts: () => ({ ...counts }),
    resetRequestCounts: () => {
      counts = {};
    },
    changeLog: () => store.changeLog(),
    faults: {
      insyncDelay: ms => store.setInsyncDelayMs(ms),
      dropChangeResponses: n => {
        dropChangeResponses = n;
      },
      insights: (cluster, fault) => {
        if (fault) eksCtx.insightFaults.set(cluster, fault);
        else eksCtx.insightFaults.delete(cluster);
      },
    },
  };
}
