/*
 * Smoke test of the example backend as users start it (`backstage-cli package start`
 * with examples/app-config.yaml): it must come up, sign a guest in, list the bluegreen
 * scaffolder actions, serve the example catalog, and cut traffic over end to end against
 * the AWS sandbox (a local stand-in for Route 53 and EKS) with the real permission
 * policy, scaffolder and auditor. It runs on free ports so that it does not collide with
 * a running example app.
 */

import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';

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

  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 500 });
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
          APP_CONFIG_bluegreen_aws_endpoint: sandbox.url,
          APP_CONFIG_bluegreen_traffic_cacheSeconds: '1',
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
    await sandbox?.close();
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
        'bluegreen:set-weight',
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

  async function api(token: string, route: string, body?: unknown) {
    const res = await fetch(`${baseUrl}/api/bluegreen/${route}`, {
      method: body ? 'POST' : 'GET',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  }

  async function catalogHas(token: string, ref: string) {
    await waitFor(
      `${ref} in the catalog`,
      async () => {
        const res = await fetch(
          `${baseUrl}/api/catalog/entities/by-name/${ref}`,
          { headers: { Authorization: `Bearer ${token}` } },
        );
        return res.ok ? true : undefined;
      },
      60_000,
      backend,
      output,
    );
  }

  it('refuses, audits and starts nothing when a non-owner asks for a cutover', async () => {
    const token = await guestToken();
    await catalogHas(token, 'component/default/checkout');
    const res = await api(token, 'entity/component/default/checkout/cutover', {
      weights: { blue: 0, green: 100 },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('bluegreen.cutover');
    // The auditor writes its events to the backend log.
    await waitFor(
      'the audit event of the refused cutover',
      async () =>
        log
          .replace(/\u001b\[[0-9;]*m/g, '') // the development log format is coloured
          .split('\n')
          .find(
            line =>
              line.includes('bluegreen.cutover') &&
              line.includes('isAuditEvent') &&
              line.includes('"actorId":"user:default/platform-engineer"') &&
              line.includes('"entityRef":"component:default/checkout"') &&
              line.includes('status="failed"'),
          ),
      10_000,
      backend,
      output,
    );
    expect(sandbox.changeLog()).toHaveLength(0);
  });

  it("cuts burnham's traffic over for its owner: status, cutover task, new status", async () => {
    const token = await guestToken();
    await catalogHas(token, 'component/default/burnham');
    await catalogHas(token, 'template/default/cut-over-traffic');

    const before = await api(token, 'entity/component/default/burnham/traffic');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      weights: { blue: 100, green: 0 },
      mode: 'route53',
      owner: { kind: 'none' },
    });

    const cutover = await api(
      token,
      'entity/component/default/burnham/cutover',
      { weights: { blue: 50, green: 50 }, expected: { blue: 100, green: 0 } },
    );
    expect(cutover.status).toBe(201);
    expect(cutover.body.mode).toBe('route53');

    const task = await waitFor(
      'the cutover task to finish',
      async () => {
        const res = await fetch(
          `${baseUrl}/api/scaffolder/v2/tasks/${cutover.body.taskId}`,
          { headers: { Authorization: `Bearer ${token}` } },
        );
        const body = await res.json();
        return ['completed', 'failed', 'cancelled'].includes(body.status)
          ? body
          : undefined;
      },
      60_000,
      backend,
      output,
    );
    expect(task.status).toBe('completed');
    expect(task.createdBy).toBe('user:default/platform-engineer');
    expect(sandbox.changeLog()).toHaveLength(1);

    const after = await waitFor(
      'the status to show the new weights',
      async () => {
        const res = await api(
          token,
          'entity/component/default/burnham/traffic',
        );
        return res.body.weights?.green === 50 ? res.body : undefined;
      },
      10_000,
      backend,
      output,
    );
    expect(after.weights).toEqual({ blue: 50, green: 50 });
  });

  it('refuses /api/bluegreen/health without credentials', async () => {
    const res = await fetch(`${baseUrl}/api/bluegreen/health`);
    expect(res.status).toBe(401);
  });
});
