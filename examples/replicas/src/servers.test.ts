import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { startPostgres } from './postgres';
import { startRedis } from './redis';
import { startRoundRobinProxy } from './roundRobinProxy';

describe('the real servers for the replicas', () => {
  it('PostgreSQL starts on a Unix socket in its own folder, answers SQL, and stops with its folder', async () => {
    const postgres = await startPostgres({ name: 'servers-test' });
    try {
      const client = postgres.client();
      const { rows } = await client.raw('select current_user, version()');
      expect(rows[0].current_user).toBe('postgres');
      expect(rows[0].version).toMatch(/^PostgreSQL \d+/);
      await client.raw('create database bluegreen_check');
    } finally {
      await postgres.stop();
    }
    expect(fs.existsSync(postgres.host)).toBe(false);
  });

  it('Redis starts on a free loopback port without persistence, and answers only with its password', async () => {
    const redis = await startRedis();
    try {
      expect(new URL(redis.url).password).toMatch(/^[0-9a-f]{32}$/);
      expect(await redis.command('PING')).toBe('+PONG\r\n');
      expect(await redis.unauthenticated('GET', 'k')).toMatch(/^-NOAUTH/);
      expect(await redis.command('SET', 'k', 'v')).toBe('+OK\r\n');
      expect(await redis.command('CONFIG', 'GET', 'appendonly')).toContain(
        'no',
      );
    } finally {
      await redis.stop();
    }
  });

  it('without the binaries, each fails saying what to install', async () => {
    const saved = { ...process.env };
    try {
      process.env.BLUEGREEN_POSTGRES_BIN = '/nonexistent';
      process.env.BLUEGREEN_REDIS_SERVER = '/nonexistent/redis-server';
      await expect(startPostgres()).rejects.toThrow(
        /initdb, postgres\) were not found in \/nonexistent: install Debian's PostgreSQL server \(apt-get install -y postgresql/,
      );
      await expect(startRedis()).rejects.toThrow(
        /redis-server could not start|apt-get install -y redis-server/,
      );
    } finally {
      process.env = saved;
    }
  });
});

describe('the round-robin proxy (a local stand-in for a load balancer)', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map(
        server =>
          new Promise(resolve => {
            server.closeAllConnections();
            server.close(resolve);
          }),
      ),
    );
  });

  async function upstream(
    name: string,
    handler?: http.RequestListener,
  ): Promise<string> {
    const server = http.createServer(
      handler ??
        ((req, res) => {
          let body = '';
          req.on('data', chunk => (body += chunk));
          req.on('end', () => res.end(`${name} ${req.method} ${body}`));
        }),
    );
    servers.push(server);
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  }

  async function deadUpstream(): Promise<string> {
    const url = await upstream('dead');
    const server = servers.pop()!;
    await new Promise(resolve => server.close(resolve));
    return url;
  }

  it('takes turns, and sends what a dead replica refuses (GET and POST alike) to the next', async () => {
    const [a, dead, b] = [
      await upstream('a'),
      await deadUpstream(),
      await upstream('b'),
    ];
    const proxy = await startRoundRobinProxy({ upstreams: [a, dead, b] });
    try {
      const answers: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await fetch(proxy.url, {
          method: i % 2 ? 'POST' : 'GET',
          body: i % 2 ? `body-${i}` : undefined,
        });
        answers.push(await res.text());
      }
      expect(answers.filter(t => t.startsWith('a '))).not.toHaveLength(0);
      expect(answers.filter(t => t.startsWith('b '))).not.toHaveLength(0);
      expect(answers.filter(t => t.startsWith('dead'))).toEqual([]);
      expect(answers.filter(t => t.includes('POST'))).toEqual([
        expect.stringMatching(/ POST body-1$/),
        expect.stringMatching(/ POST body-3$/),
        expect.stringMatching(/ POST body-5$/),
      ]);
    } finally {
      await proxy.close();
    }
  });

  it('resends a GET whose replica dies mid-request, but not a POST it may have acted on', async () => {
    const dying = await upstream('dying', req => req.socket.destroy());
    const b = await upstream('b');
    const proxy = await startRoundRobinProxy({ upstreams: [dying, b] });
    try {
      const get = await fetch(proxy.url);
      expect(await get.text()).toBe('b GET ');
      // A resend takes no turn of its own: b's turn is next, then the dying one's.
      expect(
        await (await fetch(proxy.url, { method: 'POST', body: 'x' })).text(),
      ).toBe('b POST x');
      const post = await fetch(proxy.url, { method: 'POST', body: 'y' });
      expect(post.status).toBe(502);
      expect(await post.text()).toMatch(/not resent, as it may have acted/);
    } finally {
      await proxy.close();
    }
  });
});
