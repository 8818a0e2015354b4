/*
 * Smoke test of the example backend as users start it (`backstage-cli package start`
 * with examples/app-config.yaml): it must come up, sign a guest in, list the bluegreen
 * scaffolder action and serve the example catalog. It runs on a free port so that it
 * does not collide with a running example app.
 */

import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const STARTUP_TIMEOUT_MS = 180_000;

jest.setTimeout(STARTUP_TIMEOUT_MS + 60_000);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  timeoutMs: number,
  backend: ChildProcess,
  output: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (backend.exitCode !== null) {
      throw new Error(
        `the example backend exited with code ${
          backend.exitCode
        } while waiting for ${what}:\n${output()}`,
      );
    }
    const value = await attempt().catch(() => undefined);
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}:\n${output()}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}

describe('example backend smoke test', () => {
  let backend: ChildProcess;
  let baseUrl: string;
  let log = '';
  const output = () => log.split('\n').slice(-40).join('\n');

  beforeAll(async () => {
    const port = await freePort();
    baseUrl = `http://localhost:${port}`;
    backend = spawn(
      process.execPath,
      [
        require.resolve('@backstage/cli/bin/backstage-cli'),
        'package',
        'start',
        '--config',
        '../app-config.yaml',
      ],
      {
        cwd: path.resolve(__dirname, '..'),
        env: {
          ...process.env,
          // As `yarn start` runs it; jest would pass on NODE_ENV=test.
          NODE_ENV: 'development',
          APP_CONFIG_backend_listen_port: String(port),
          APP_CONFIG_backend_baseUrl: baseUrl,
        },
        // Its own process group, so the CLI and the backend it forks stop together.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    backend.stdout!.on('data', chunk => (log += chunk));
    backend.stderr!.on('data', chunk => (log += chunk));

    await waitFor(
      'the readiness endpoint',
      async () => {
        const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
        return res.ok ? true : undefined;
      },
      STARTUP_TIMEOUT_MS,
      backend,
      output,
    );
  });

  afterAll(async () => {
    if (!backend || backend.exitCode !== null) {
      return;
    }
    const exited = new Promise(resolve => backend.once('exit', resolve));
    process.kill(-backend.pid!, 'SIGTERM');
    const timer = setTimeout(
      () => process.kill(-backend.pid!, 'SIGKILL'),
      10_000,
    );
    await exited;
    clearTimeout(timer);
  });

  async function guestToken(): Promise<string> {
    const res = await fetch(
      `${baseUrl}/api/auth/guest/refresh?env=development`,
      {
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      },
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/platform-engineer',
    );
    return body.backstageIdentity.token;
  }

  it('lists the bluegreen actions among the scaffolder actions', async () => {
    const token = await guestToken();
    const res = await fetch(`${baseUrl}/api/scaffolder/v2/actions`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const ids = ((await res.json()) as Array<{ id: string }>).map(a => a.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'bluegreen:link-tfvars',
        'bluegreen:apply',
        'bluegreen:destroy-ordered',
      ]),
    );
  });

  it('serves the burnham component from the example catalog', async () => {
    const token = await guestToken();
    // The catalog ingests the example files shortly after startup.
    const entity = await waitFor(
      'component:default/burnham in the catalog',
      async () => {
        const res = await fetch(
          `${baseUrl}/api/catalog/entities/by-name/component/default/burnham`,
          { headers: { Authorization: `Bearer ${token}` } },
        );
        return res.ok ? res.json() : undefined;
      },
      60_000,
      backend,
      output,
    );
    expect(entity.metadata.annotations['bluegreen/hostname']).toBe(
      'burnham.eks-blueprint.example.com',
    );
    expect(entity.spec.owner).toBe('group:default/team-burnham');
  });

  it('registers the bluegreen templates in the catalog', async () => {
    const token = await guestToken();
    const template = await waitFor(
      'template:default/retire-cluster-generation in the catalog',
      async () => {
        const res = await fetch(
          `${baseUrl}/api/catalog/entities/by-name/template/default/retire-cluster-generation`,
          { headers: { Authorization: `Bearer ${token}` } },
        );
        return res.ok ? res.json() : undefined;
      },
      60_000,
      backend,
      output,
    );
    expect(template.metadata.title).toBe('Retire cluster generation');
  });

  it('refuses /api/bluegreen/health without credentials', async () => {
    const res = await fetch(`${baseUrl}/api/bluegreen/health`);
    expect(res.status).toBe(401);
  });
});
