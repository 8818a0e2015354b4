/*
 * Smoke test of the example backend as users start it (`backstage-cli package start`
 * with examples/app-config.yaml): it must come up, sign a guest in, list the bluegreen
 * scaffolder actions, serve the example catalog, and cut traffic over end to end against
 * the AWS sandbox (a local stand-in for Route 53 and EKS) and the example's two clusters
 * (real kube-apiservers) with the real permission policy, scaffolder and auditor. It runs on free ports so that it does not collide with
 * a running example app.
 */

import { stripVTControlCharacters } from 'node:util';
import {
  ExampleClusters,
  startExampleClusters,
} from '@bluegreen/example-kubernetes';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import {
  ExampleBackend,
  kubernetesClustersEnv,
  startExampleBackend,
} from './launch';

const STARTUP_TIMEOUT_MS = 180_000;

jest.setTimeout(STARTUP_TIMEOUT_MS + 60_000);

describe('example backend smoke test', () => {
  let backend: ExampleBackend;
  let baseUrl: string;
  let sandbox: Sandbox;
  // The example's fixtures: green's burnham-worker is 1/2 ready until a test heals it.
  let kubernetes: ExampleClusters;

  beforeAll(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 500 });
    kubernetes = await startExampleClusters();
    backend = await startExampleBackend({
      env: {
        APP_CONFIG_bluegreen_aws_endpoint: sandbox.url,
        APP_CONFIG_bluegreen_traffic_cacheSeconds: '1',
        ...kubernetesClustersEnv(kubernetes.clusterLocatorMethods()),
      },
      startupTimeoutMs: STARTUP_TIMEOUT_MS,
    });
    baseUrl = backend.baseUrl;
  });

  afterAll(async () => {
    await sandbox?.close();
    await kubernetes?.stop();
    await backend?.stop();
  });

  async function guestToken(): Promise<string> {
    const { status, body } = await backend.guestRefresh();
    expect(status).toBe(200);
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
    const entity = await backend.waitFor(
      'component:default/burnham in the catalog',
      async () => {
        const res = await fetch(
          `${baseUrl}/api/catalog/entities/by-name/component/default/burnham`,
          { headers: { Authorization: `Bearer ${token}` } },
        );
        return res.ok ? res.json() : undefined;
      },
      60_000,
    );
    expect(entity.metadata.annotations['bluegreen/hostname']).toBe(
      'burnham.eks-blueprint.example.com',
    );
    expect(entity.spec.owner).toBe('group:default/team-burnham');
  });

  it('registers the bluegreen templates in the catalog', async () => {
    const token = await guestToken();
    const titles: Record<string, string> = {
      'create-cluster-generation': 'Create new cluster generation',
      'cut-over-traffic': 'Cut over traffic',
      'retire-cluster-generation': 'Retire cluster generation',
    };
    const found = await Promise.all(
      Object.keys(titles).map(name =>
        backend.waitFor(
          `template:default/${name} in the catalog`,
          async () => {
            const res = await fetch(
              `${baseUrl}/api/catalog/entities/by-name/template/default/${name}`,
              { headers: { Authorization: `Bearer ${token}` } },
            );
            return res.ok ? res.json() : undefined;
          },
          60_000,
        ),
      ),
    );
    expect(
      Object.fromEntries(found.map(t => [t.metadata.name, t.metadata.title])),
    ).toEqual(titles);
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
    await backend.waitFor(
      `${ref} in the catalog`,
      async () => {
        const res = await fetch(
          `${baseUrl}/api/catalog/entities/by-name/${ref}`,
          { headers: { Authorization: `Bearer ${token}` } },
        );
        return res.ok ? true : undefined;
      },
      60_000,
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
    await backend.waitFor(
      'the audit event of the refused cutover',
      async () =>
        // The development log format is coloured.
        stripVTControlCharacters(backend.log())
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
    );
    expect(sandbox.changeLog()).toHaveLength(0);
  });

  /** Starts the cutover template directly (POST /v2/tasks); how it ended, its events. */
  async function runCutoverTemplate(token: string, values: object) {
    const headers = { Authorization: `Bearer ${token}` };
    const created = await fetch(`${baseUrl}/api/scaffolder/v2/tasks`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        templateRef: 'template:default/cut-over-traffic',
        values,
      }),
    });
    expect(created.status).toBe(201);
    const { id } = await created.json();
    const task = await backend.waitFor(
      `task ${id} to end`,
      async () => {
        const res = await fetch(`${baseUrl}/api/scaffolder/v2/tasks/${id}`, {
          headers,
        });
        const body = await res.json();
        return ['completed', 'failed', 'cancelled'].includes(body.status)
          ? body
          : undefined;
      },
      60_000,
    );
    const events = await (
      await fetch(`${baseUrl}/api/scaffolder/v2/tasks/${id}/events`, {
        headers,
      })
    ).json();
    return { status: task.status as string, events };
  }

  it('refuses the cutover template for checkout started directly (POST /v2/tasks, route53, force): set-weight fails with NotAllowedError, Route 53 unchanged, audited', async () => {
    const token = await guestToken();
    await catalogHas(token, 'template/default/cut-over-traffic');
    const { status, events } = await runCutoverTemplate(token, {
      entity: 'component:default/checkout',
      weights: { blue: 0, green: 100 },
      mode: 'route53',
      force: true,
    });
    expect(status).toBe('failed');
    expect(JSON.stringify(events)).toContain(
      'NotAllowedError: user:default/platform-engineer is not allowed to set-weight: permission bluegreen.cutover on component:default/checkout, permission bluegreen.cutover.force on component:default/checkout',
    );
    expect(sandbox.changeLog()).toHaveLength(0);
    await backend.waitFor(
      'the audit event of the refused action',
      async () =>
        stripVTControlCharacters(backend.log())
          .split('\n')
          .find(
            line =>
              line.includes('bluegreen-action') &&
              line.includes('"initiator":"user:default/platform-engineer"') &&
              line.includes('bluegreen.cutover.force') &&
              line.includes('status="failed"'),
          ),
      10_000,
    );
  });

  it("pre-flight: refuses burnham's cutover while green's burnham-worker is 1/2 ready, through the route and through the template; force needs bluegreen.cutover.force", async () => {
    const token = await guestToken();
    await catalogHas(token, 'component/default/burnham');
    await catalogHas(token, 'template/default/cut-over-traffic');
    const reason =
      'green workloads ready: eks-blueprint-green: burnham-worker 1/2 not ready';

    const route = await api(token, 'entity/component/default/burnham/cutover', {
      weights: { blue: 50, green: 50 },
    });
    expect(route.status).toBe(400);
    expect(route.body.error.message).toContain(
      `weights: the pre-flight checks failed (${reason}`,
    );

    // The example user is not in group:default/platform-admins.
    const forced = await api(
      token,
      'entity/component/default/burnham/cutover',
      { weights: { blue: 50, green: 50 }, force: true },
    );
    expect(forced.status).toBe(403);
    expect(forced.body.error.message).toContain('bluegreen.cutover.force');

    const { status, events } = await runCutoverTemplate(token, {
      entity: 'component:default/burnham',
      weights: { blue: 50, green: 50 },
      mode: 'route53',
    });
    expect(status).toBe('failed');
    expect(JSON.stringify(events)).toContain(
      `InputError: weights: the pre-flight checks failed (${reason}`,
    );
    expect(sandbox.changeLog()).toHaveLength(0);
  });

  it("cuts burnham's traffic over for its owner once green is ready: status, cutover task, new status", async () => {
    const token = await guestToken();
    await catalogHas(token, 'component/default/burnham');
    await catalogHas(token, 'template/default/cut-over-traffic');
    // Green's burnham-worker becomes ready (the harness plays its kubelet).
    await kubernetes.makeDeploymentReady(
      'eks-blueprint-green',
      'team-burnham',
      'burnham-worker',
    );

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

    const task = await backend.waitFor(
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
    );
    expect(task.status).toBe('completed');
    expect(task.createdBy).toBe('user:default/platform-engineer');
    expect(sandbox.changeLog()).toHaveLength(1);

    const after = await backend.waitFor(
      'the status to show the new weights',
      async () => {
        const res = await api(
          token,
          'entity/component/default/burnham/traffic',
        );
        return res.body.weights?.green === 50 ? res.body : undefined;
      },
      10_000,
    );
    expect(after.weights).toEqual({ blue: 50, green: 50 });
  });

  it('refuses /api/bluegreen/health without credentials', async () => {
    const res = await fetch(`${baseUrl}/api/bluegreen/health`);
    expect(res.status).toBe(401);
  });
});
