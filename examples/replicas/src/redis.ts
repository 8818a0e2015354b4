import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '@bluegreen/example-backend/launch';
import {
  cacheDir,
  removeOnExit,
  spawnServer,
  stopServer,
  waitUntil,
} from './servers';

/** A real Redis (or Valkey) server started for the example or a test. */
export interface RedisServer {
  /**
   * redis://:<password>@127.0.0.1:<port>, backend.cache.connection as Backstage reads it
   * (a secret: it holds the password).
   */
  url: string;
  port: number;
  /** Sends one command (RESP) after AUTH and returns the raw reply, e.g. `:3\r\n`. */
  command(...args: string[]): Promise<string>;
  /** The same without AUTH: what anyone else on the machine gets. */
  unauthenticated(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  "install Debian's Redis (apt-get install -y redis-server, or bash scripts/install-system-deps.sh), or point BLUEGREEN_REDIS_SERVER at a redis-server or valkey-server binary";

/** BLUEGREEN_REDIS_SERVER, or redis-server / valkey-server on PATH. */
export function redisBinary(): string {
  if (process.env.BLUEGREEN_REDIS_SERVER) {
    return process.env.BLUEGREEN_REDIS_SERVER;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of ['redis-server', 'valkey-server']) {
      if (fs.existsSync(path.join(dir, name))) {
        return path.join(dir, name);
      }
    }
  }
  throw new Error(`redis-server was not found on PATH: ${INSTALL_HINT}`);
}

const resp = (args: string[]) =>
  `*${args.length}\r\n${args
    .map(arg => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`)
    .join('')}`;

/**
 * Commands in order over one fresh connection, each sent once the previous has answered;
 * resolves with the last reply (simple replies and one-line bulk strings only).
 */
function send(port: number, commands: string[][]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const pending = [...commands];
    let reply = '';
    socket.setTimeout(5000, () =>
      socket.destroy(new Error('Redis did not answer in 5 s')),
    );
    socket.once('error', reject);
    socket.once('connect', () => socket.write(resp(pending.shift()!)));
    socket.on('data', chunk => {
      reply += chunk;
      const complete = /^\$\d+\r\n/.test(reply)
        ? reply.split('\r\n').length > 2
        : reply.endsWith('\r\n');
      if (!complete) return;
      if (pending.length === 0) {
        socket.end();
        resolve(reply);
      } else {
        reply = '';
        socket.write(resp(pending.shift()!));
      }
    });
  });
}

/**
 * Starts a throw-away Redis on a free loopback port with a random password (anyone on the
 * machine can reach a loopback port): no persistence (--save '', --appendonly no), its
 * folder under .cache/redis (git-ignored), removed when it stops or this process exits.
 */
export async function startRedis(
  options: { readyTimeoutMs?: number } = {},
): Promise<RedisServer> {
  const binary = redisBinary();
  const dir = path.join(
    cacheDir('redis'),
    `redis-${crypto.randomBytes(4).toString('hex')}`,
  );
  fs.mkdirSync(dir, { mode: 0o700 });
  removeOnExit(dir);
  const log = path.join(dir, 'server.log');
  const password = crypto.randomBytes(16).toString('hex');
  // In a config file, not on the command line, where ps would show it.
  const conf = path.join(dir, 'redis.conf');
  fs.writeFileSync(conf, `requirepass ${password}\n`, { mode: 0o600 });
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const server = spawnServer(
      binary,
      [
        conf,
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      log,
    );
    try {
      await waitUntil(
        `Redis on 127.0.0.1:${port}`,
        async () =>
          (
            await send(port, [['AUTH', password], ['PING']])
          ).startsWith('+PONG'),
        options.readyTimeoutMs ?? 15_000,
        server,
      );
    } catch (error) {
      await stopServer(server);
      if (
        attempt < 2 &&
        /address already in use/i.test(fs.readFileSync(log, 'utf8'))
      ) {
        continue;
      }
      fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return {
      url: `redis://:${password}@127.0.0.1:${port}`,
      port,
      command: (...args) => send(port, [['AUTH', password], args]),
      unauthenticated: (...args) => send(port, [args]),
      async stop() {
        await stopServer(server);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw new Error('unreachable');
}
