import http from 'node:http';
import net from 'node:net';

/** A local stand-in for a load balancer in front of the replicas. */
export interface RoundRobinProxy {
  /** http://localhost:<port> */
  url: string;
  port: number;
  /** How many requests each upstream was sent (by its URL). */
  counts(): Record<string, number>;
  close(): Promise<void>;
}

/** Headers of one connection, not of the request (RFC 9110 §7.6.1): not forwarded. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = String(headers.connection ?? '')
    .split(',')
    .map(h => h.trim().toLowerCase());
  return Object.fromEntries(
    Object.entries(headers).filter(
      ([name]) => !HOP_BY_HOP.includes(name) && !named.includes(name),
    ),
  );
}

/** Errors that mean the request never reached the upstream: safe to send elsewhere. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENOTFOUND']);

/**
 * A round-robin HTTP reverse proxy over `upstreams` (http://host:port), as a cloud load
 * balancer would sit in front of Backstage replicas: each request goes to the next
 * upstream; one that refuses the connection (a dead replica) is skipped and the request
 * goes to the next, and a GET whose upstream dies mid-answer is sent again elsewhere
 * (before any byte of the answer was passed on). Bodies are buffered (the API's are small)
 * so that a refused request can be resent whole. Not for production: it is the example's
 * stand-in for one, named so everywhere.
 */
export async function startRoundRobinProxy(options: {
  upstreams: string[];
  port?: number;
  host?: string;
}): Promise<RoundRobinProxy> {
  const upstreams = options.upstreams.map(u => new URL(u));
  const counts: Record<string, number> = {};
  let next = 0;

  // No keep-alive upstream: a pooled socket the replica has since closed would fail a
  // request that never reached it.
  const agent = new http.Agent({ keepAlive: false });

  /** A request's turn: the next upstream, then (when resent) the ones after it. */
  const forward = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: Buffer,
    first: number,
    tried: number,
  ) => {
    const upstream = upstreams[(first + tried) % upstreams.length];
    counts[upstream.origin] = (counts[upstream.origin] ?? 0) + 1;
    const retry = (reason: string) => {
      if (tried + 1 < upstreams.length && !res.headersSent) {
        forward(req, res, body, first, tried + 1);
      } else if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`round-robin proxy: no replica answered (${reason})`);
      } else {
        res.destroy();
      }
    };
    const outgoing = http.request(
      {
        agent,
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: {
          ...endToEnd(req.headers),
          // Set, not appended: nothing in front of this stand-in is trusted.
          'x-forwarded-for': req.socket.remoteAddress ?? '',
          'x-forwarded-host': req.headers.host ?? '',
          'x-forwarded-proto': 'http',
        },
      },
      incoming => {
        res.writeHead(incoming.statusCode ?? 502, endToEnd(incoming.headers));
        incoming.pipe(res);
        incoming.once('error', () => res.destroy());
      },
    );
    outgoing.once('error', (error: NodeJS.ErrnoException) => {
      // Sent again only when the upstream never got it, or it was a GET/HEAD.
      const idempotent = req.method === 'GET' || req.method === 'HEAD';
      if (NOT_SENT.has(error.code ?? '') || idempotent) {
        retry(error.code ?? error.message);
      } else if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(
          `round-robin proxy: the replica failed mid-request (${error.code}); not resent, as it may have acted`,
        );
      } else {
        res.destroy();
      }
    });
    // A viewer that goes away ends its request upstream (a long-poll, say).
    res.once('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    outgoing.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () =>
      forward(req, res, Buffer.concat(chunks), next++ % upstreams.length, 0),
    );
  });
  // WebSocket and other upgrades: piped to the next upstream.
  server.on('upgrade', (req, socket, head) => {
    const upstream = upstreams[next++ % upstreams.length];
    const target = net.connect(Number(upstream.port), upstream.hostname, () => {
      target.write(
        `${req.method} ${req.url} HTTP/1.1\r\n${Object.entries(req.headers)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\r\n')}\r\n\r\n`,
      );
      target.write(head);
      socket.pipe(target).pipe(socket);
    });
    target.once('error', () => socket.destroy());
    socket.once('error', () => target.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://localhost:${port}`,
    port,
    counts: () => ({ ...counts }),
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
