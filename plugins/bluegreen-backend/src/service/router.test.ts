/*
 * The /api/bluegreen traffic and cutover routes on a test backend: the real plugin, its
 * real Route 53 and EKS clients against the AWS sandbox (a local stand-in), the catalog,
 * permissions, auditor and scaffolder as test doubles that record what they were asked.
 */
import {
  createServiceFactory,
  AuditorServiceEvent,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { scaffolderServiceRef } from '@backstage/plugin-scaffolder-node';
import { TrafficStatus } from '@bluegreen/plugin-bluegreen-common';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import type { ExampleClusters } from '@bluegreen/example-kubernetes';
import request from 'supertest';
import {
  BURNHAM,
  CHECKOUT,
  CLUSTERS,
  blueGreenComponent,
  SANDBOX_CREDENTIALS,
  sandboxRoute53,
  sandboxZoneId,
  upsertRecord,
  weightedRecords,
  ZONE_NAME,
} from '../__testUtils__/sandbox';
import { startClusters } from '../__testUtils__/kubernetes';
import { SECURITY_CONFIG } from '../__testUtils__/security';
import { bluegreenPlugin } from '../plugin';

jest.setTimeout(60_000);

describe('bluegreen API', () => {
  let sandbox: Sandbox;
  // The clusters behind the real Kubernetes backend: every pod ready, or green's
  // burnham-worker 1/2 ready as in the example.
  let ready: ExampleClusters;
  let notReady: ExampleClusters;
  beforeAll(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 0, throttle: false });
    ready = await startClusters({ allReady: true });
    notReady = await startClusters();
  });
  afterAll(async () => {
    await sandbox.close();
    await ready?.stop();
    await notReady?.stop();
  });
  beforeEach(() => sandbox.resetRequestCounts());

  async function startBackend(
    options: {
      authorize?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
      denied?: string[];
      extraEntities?: Entity[];
      kubernetes?: ExampleClusters;
    } = {},
  ) {
    const scaffold = jest.fn(async () => ({ taskId: 'task-1' }));
    const authorize = jest.fn(
      async (requests: Array<{ permission: { name: string } }>) =>
        requests.map(r => ({
          result: options.denied?.includes(r.permission.name)
            ? AuthorizeResult.DENY
            : options.authorize ?? AuthorizeResult.ALLOW,
        })),
    );
    const audit = {
      success: jest.fn(async () => {}),
      fail: jest.fn(async () => {}),
    };
    const createEvent = jest.fn(
      async () => audit as unknown as AuditorServiceEvent,
    );
    const { server } = await startTestBackend({
      features: [
        bluegreenPlugin,
        kubernetesPlugin,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: (options.kubernetes ?? ready).kubernetesConfig(),
            aws: { mainAccount: SANDBOX_CREDENTIALS },
            bluegreen: {
              aws: { endpoint: sandbox.url },
              traffic: {
                cacheSeconds: 30,
                hostedZones: SECURITY_CONFIG.bluegreen.traffic.hostedZones,
              },
              generations: SECURITY_CONFIG.bluegreen.generations,
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            blueGreenComponent('burnham', BURNHAM),
            blueGreenComponent('checkout', CHECKOUT),
            {
              ...blueGreenComponent('plain', BURNHAM),
              metadata: { name: 'plain' },
            },
            {
              ...blueGreenComponent('elsewhere', 'www.example.org'),
              metadata: {
                name: 'elsewhere',
                annotations: {
                  ...blueGreenComponent('x', 'www.example.org').metadata
                    .annotations,
                  'bluegreen/hosted-zone': 'example.org',
                },
              },
            },
            ...(options.extraEntities ?? []),
          ],
        }),
        mockServices.permissions.mock({ authorize: authorize as any }).factory,
        mockServices.auditor.mock({ createEvent }).factory,
        createServiceFactory({
          service: scaffolderServiceRef,
          deps: {},
          factory: () => ({ scaffold } as any),
        }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
      ],
    });
    return { server, scaffold, authorize, createEvent, audit };
  }

  const user = mockCredentials.user.header();

  describe('GET /entity/:kind/:namespace/:name/traffic', () => {
    it('reports the weighted records, TTL, owner, mode and cluster versions', async () => {
      const { server } = await startBackend();
      const res = await request(server)
        .get('/api/bluegreen/entity/component/default/burnham/traffic')
        .set('Authorization', user);

      expect(res.status).toBe(200);
      const status = res.body as TrafficStatus;
      expect(status).toMatchObject({
        entityRef: 'component:default/burnham',
        hostname: BURNHAM,
        hostedZone: { name: `${ZONE_NAME}.` },
        recordType: 'A',
        weights: { blue: 100, green: 0 },
        effectiveTtlSeconds: 60,
        ttlSource: 'elb-alias',
        owner: { kind: 'none' },
        mode: 'route53',
        problems: [],
      });
      expect(status.hostedZone.id).toMatch(/^Z/);
      expect(status.records).toEqual([
        expect.objectContaining({
          setIdentifier: CLUSTERS.blue,
          colour: 'blue',
          weight: 100,
          sharePercent: 100,
          alias: true,
          target: expect.stringMatching(/\.elb\.amazonaws\.com\.$/),
        }),
        expect.objectContaining({
          setIdentifier: CLUSTERS.green,
          colour: 'green',
          weight: 0,
          sharePercent: 0,
        }),
      ]);
      expect(status.clusters.blue).toMatchObject({
        name: CLUSTERS.blue,
        version: '1.33',
        endOfStandardSupport: '2026-07-29',
        endOfExtendedSupport: '2027-07-29',
        source: 'eks',
      });
      expect(status.clusters.green).toMatchObject({
        name: CLUSTERS.green,
        version: '1.34',
        source: 'eks',
      });
      expect(Date.parse(status.observedAt)).not.toBeNaN();
    });

    it('names external-dns as the owner of records it registered, and gitops as the mode', async () => {
      const { server } = await startBackend();
      const res = await request(server)
        .get('/api/bluegreen/entity/component/default/checkout/traffic')
        .set('Authorization', user);

      expect(res.status).toBe(200);
      expect(res.body.owner).toEqual({
        kind: 'external-dns',
        ownerIds: expect.arrayContaining([CLUSTERS.blue]),
      });
      expect(res.body.mode).toBe('gitops');
      expect(res.body.records[0].externalDnsOwner).toBe(CLUSTERS.blue);
    });

    it('answers 401 without credentials, 404 for unknown entities, 400 without the annotations', async () => {
      const { server } = await startBackend();
      const anonymous = await request(server).get(
        '/api/bluegreen/entity/component/default/burnham/traffic',
      );
      expect(anonymous.status).toBe(401);
      const missing = await request(server)
        .get('/api/bluegreen/entity/component/default/nothing/traffic')
        .set('Authorization', user);
      expect(missing.status).toBe(404);
      const plain = await request(server)
        .get('/api/bluegreen/entity/component/default/plain/traffic')
        .set('Authorization', user);
      expect(plain.status).toBe(400);
      expect(plain.body.error.message).toContain(
        'has no bluegreen/hostname annotation',
      );
    });

    it('serves 50 concurrent reads of one entity with the Route 53 requests of one read', async () => {
      const single = await startBackend();
      await request(single.server)
        .get('/api/bluegreen/entity/component/default/burnham/traffic')
        .set('Authorization', user)
        .expect(200);
      const oneRead = sandbox.requestCounts();
      sandbox.resetRequestCounts();

      const { server } = await startBackend();
      const responses = await Promise.all(
        Array.from({ length: 50 }, () =>
          request(server)
            .get('/api/bluegreen/entity/component/default/burnham/traffic')
            .set('Authorization', user),
        ),
      );
      expect(responses.every(r => r.status === 200)).toBe(true);
      expect(oneRead.ListResourceRecordSets).toBeGreaterThan(0);
      expect(sandbox.requestCounts()).toEqual(oneRead);
    });

    it('an uncached status read costs at most 2 Route 53 requests (the zone lookup, then one listing of the group and its registry)', async () => {
      const { server } = await startBackend();
      await request(server)
        .get('/api/bluegreen/entity/component/default/burnham/traffic')
        .set('Authorization', user)
        .expect(200);
      const counts = sandbox.requestCounts();
      const route53 =
        (counts.ListHostedZonesByName ?? 0) +
        (counts.GetHostedZone ?? 0) +
        (counts.ListResourceRecordSets ?? 0);
      expect(route53).toBeLessThanOrEqual(2);
      expect(counts.ListResourceRecordSets).toBe(1);
    });
    it('serves cached weights until asked to refresh', async () => {
      const { server } = await startBackend();
      const read = (query = '') =>
        request(server)
          .get(
            `/api/bluegreen/entity/component/default/burnham/traffic${query}`,
          )
          .set('Authorization', user);
      expect((await read()).body.weights).toEqual({ blue: 100, green: 0 });
      const client = sandboxRoute53(sandbox.url);
      const zone = await sandboxZoneId(client);
      const green = (await weightedRecords(client, zone, BURNHAM)).find(
        r => r.SetIdentifier === CLUSTERS.green,
      )!;
      await upsertRecord(client, zone, { ...green, Weight: 7 });
      try {
        expect((await read()).body.weights).toEqual({ blue: 100, green: 0 });
        expect((await read('?refresh=true')).body.weights).toEqual({
          blue: 100,
          green: 7,
        });
        expect((await read('?refresh=maybe')).status).toBe(400);
      } finally {
        await upsertRecord(client, zone, green);
        client.destroy();
      }
    });
  });

  describe('GET /eks-versions', () => {
    it('lists the versions EKS supports today, from EKS when it answers', async () => {
      const { server } = await startBackend();
      const res = await request(server)
        .get('/api/bluegreen/eks-versions')
        .set('Authorization', user);
      expect(res.status).toBe(200);
      expect(res.body.source).toBe('eks');
      expect(res.body.versions.length).toBeGreaterThan(0);
      for (const v of res.body.versions) {
        expect(v.supportStatus).not.toBe('unsupported');
        expect(v.version).toMatch(/^1\.\d+$/);
      }
      const anonymous = await request(server).get(
        '/api/bluegreen/eks-versions',
      );
      expect(anonymous.status).toBe(401);
    });
  });

  describe('POST /entity/:kind/:namespace/:name/cutover', () => {
    const plan = {
      weights: { blue: 0, green: 100 },
      expected: { blue: 100, green: 0 },
    };

    it('authorises the entity, starts the cutover template for the user and audits it', async () => {
      const { server, scaffold, authorize, createEvent, audit } =
        await startBackend();
      const res = await request(server)
        .post('/api/bluegreen/entity/component/default/burnham/cutover')
        .set('Authorization', user)
        .send(plan);

      expect(res.status).toBe(201);
      expect(res.body).toEqual({ taskId: 'task-1', mode: 'route53' });
      expect(authorize).toHaveBeenCalledWith(
        [
          {
            permission: expect.objectContaining({ name: 'bluegreen.cutover' }),
            resourceRef: 'component:default/burnham',
          },
        ],
        expect.objectContaining({
          credentials: expect.objectContaining({
            principal: expect.objectContaining({ type: 'user' }),
          }),
        }),
      );
      expect(scaffold).toHaveBeenCalledWith(
        {
          templateRef: 'template:default/cut-over-traffic',
          values: {
            entity: 'component:default/burnham',
            weights: { blue: 0, green: 100 },
            expected: { blue: 100, green: 0 },
            mode: 'route53',
            force: false,
          },
        },
        expect.objectContaining({ credentials: expect.anything() }),
      );
      expect(createEvent).toHaveBeenCalledWith(
        expect.objectContaining({
          eventId: 'cutover',
          meta: { entityRef: 'component:default/burnham' },
        }),
      );
      // The validated plan, not the raw body.
      expect(audit.success).toHaveBeenCalledWith({
        meta: { plan, taskId: 'task-1', mode: 'route53' },
      });
      expect(audit.fail).not.toHaveBeenCalled();
    });

    it('answers 403 to a caller the policy denies, audits it and starts nothing', async () => {
      const { server, scaffold, audit } = await startBackend({
        authorize: AuthorizeResult.DENY,
      });
      const res = await request(server)
        .post('/api/bluegreen/entity/component/default/burnham/cutover')
        .set('Authorization', user)
        .send(plan);

      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('bluegreen.cutover');
      expect(scaffold).not.toHaveBeenCalled();
      expect(audit.fail).toHaveBeenCalledWith({
        error: expect.objectContaining({ name: 'NotAllowedError' }),
        meta: { plan: expect.any(Object) },
      });
    });

    it.each([
      [
        { weights: { blue: 0, green: 0 } },
        'weights: blue and green must not both be 0',
      ],
      [
        { weights: { blue: 0, green: 300 } },
        'weights.green: must be between 0 and 255',
      ],
      [
        { weights: { blue: 0, green: 100 }, colour: 'x' },
        "Unrecognized key(s) in object: 'colour'",
      ],
    ])(
      'refuses the plan %j with 400 naming the field, starting nothing',
      async (body, message) => {
        const { server, scaffold, audit } = await startBackend();
        const res = await request(server)
          .post('/api/bluegreen/entity/component/default/burnham/cutover')
          .set('Authorization', user)
          .send(body);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(message);
        expect(scaffold).not.toHaveBeenCalled();
        expect(audit.fail).toHaveBeenCalled();
      },
    );

    it('uses gitops for records external-dns owns and refuses route53 there without force', async () => {
      const { server, scaffold } = await startBackend();
      const direct = await request(server)
        .post('/api/bluegreen/entity/component/default/checkout/cutover')
        .set('Authorization', user)
        .send({ weights: { blue: 0, green: 100 }, mode: 'route53' });
      expect(direct.status).toBe(400);
      expect(direct.body.error.message).toContain('owned by external-dns');
      expect(scaffold).not.toHaveBeenCalled();

      const gitops = await request(server)
        .post('/api/bluegreen/entity/component/default/checkout/cutover')
        .set('Authorization', user)
        .send({ weights: { blue: 0, green: 100 } });
      expect(gitops.status).toBe(201);
      expect(gitops.body.mode).toBe('gitops');
    });

    it("pre-flight: refuses a cutover to green while green's burnham-worker is 1/2 ready (real Kubernetes backend), naming the check, starting nothing", async () => {
      const { server, scaffold, audit } = await startBackend({
        kubernetes: notReady,
      });
      const res = await request(server)
        .post('/api/bluegreen/entity/component/default/burnham/cutover')
        .set('Authorization', user)
        .send({ weights: { blue: 50, green: 50 } });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        'weights: the pre-flight checks failed (green workloads ready: eks-blueprint-green: burnham-worker 1/2 not ready; green runs what blue runs: eks-blueprint-green: not ready burnham-worker 1/2)',
      );
      expect(res.body.error.message).toContain(
        'or set force (needs bluegreen.cutover.force)',
      );
      expect(scaffold).not.toHaveBeenCalled();
      expect(audit.fail).toHaveBeenCalled();
    });

    it('pre-flight: a user who holds bluegreen.cutover.force may force it; the task gets force', async () => {
      const { server, scaffold, authorize } = await startBackend({
        kubernetes: notReady,
      });
      const res = await request(server)
        .post('/api/bluegreen/entity/component/default/burnham/cutover')
        .set('Authorization', user)
        .send({ weights: { blue: 50, green: 50 }, force: true });
      expect(res.status).toBe(201);
      expect(authorize).toHaveBeenCalledWith(
        expect.arrayContaining([
          expect.objectContaining({
            permission: expect.objectContaining({
              name: 'bluegreen.cutover.force',
            }),
          }),
        ]),
        expect.anything(),
      );
      expect(scaffold).toHaveBeenCalledWith(
        expect.objectContaining({
          values: expect.objectContaining({ force: true }),
        }),
        expect.anything(),
      );
    });

    it('pre-flight: force is refused (403) to a user without bluegreen.cutover.force', async () => {
      const { server, scaffold } = await startBackend({
        kubernetes: notReady,
        denied: ['bluegreen.cutover.force'],
      });
      const res = await request(server)
        .post('/api/bluegreen/entity/component/default/burnham/cutover')
        .set('Authorization', user)
        .send({ weights: { blue: 50, green: 50 }, force: true });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('bluegreen.cutover.force');
      expect(scaffold).not.toHaveBeenCalled();
    });

    it('answers 401 without credentials', async () => {
      const { server, scaffold } = await startBackend();
      const res = await request(server)
        .post('/api/bluegreen/entity/component/default/burnham/cutover')
        .send(plan);
      expect(res.status).toBe(401);
      expect(scaffold).not.toHaveBeenCalled();
    });
  });

  describe('trust boundaries', () => {
    it('refuses a status read of a zone outside bluegreen.traffic.hostedZones (403) without asking Route 53', async () => {
      const { server } = await startBackend();
      const res = await request(server)
        .get('/api/bluegreen/entity/component/default/elsewhere/traffic')
        .set('Authorization', user);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        'bluegreen/hosted-zone: zone "example.org" is not one of the zones in bluegreen.traffic.hostedZones',
      );
      expect(sandbox.requestCounts().ListResourceRecordSets ?? 0).toBe(0);
    });

    it("refuses a cutover of a user's own Component naming burnham's hostname (ambiguous), starting nothing", async () => {
      const { server, scaffold, audit } = await startBackend({
        extraEntities: [
          {
            ...blueGreenComponent('my-burnham', BURNHAM),
            spec: { type: 'service', owner: 'user:default/mallory' },
          },
        ],
      });
      const res = await request(server)
        .post('/api/bluegreen/entity/component/default/my-burnham/cutover')
        .set('Authorization', user)
        .send({ weights: { blue: 0, green: 100 }, mode: 'route53' });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain(
        'is claimed by other catalog entities too (component:default/burnham)',
      );
      expect(scaffold).not.toHaveBeenCalled();
      expect(audit.fail).toHaveBeenCalledTimes(1);
    });

    it('refuses force without bluegreen.cutover.force (403), starting nothing', async () => {
      const { server, scaffold } = await startBackend({
        denied: ['bluegreen.cutover.force'],
      });
      const res = await request(server)
        .post('/api/bluegreen/entity/component/default/checkout/cutover')
        .set('Authorization', user)
        .send({
          weights: { blue: 0, green: 100 },
          mode: 'route53',
          force: true,
        });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('bluegreen.cutover.force');
      expect(scaffold).not.toHaveBeenCalled();
    });

    it('serves ?refresh=true from the cache inside the per-user window', async () => {
      const { server } = await startBackend();
      const get = () =>
        request(server)
          .get(
            '/api/bluegreen/entity/component/default/burnham/traffic?refresh=true',
          )
          .set('Authorization', user);
      for (let i = 0; i < 5; i++) {
        expect((await get()).status).toBe(200);
      }
      // The first refresh reads Route 53 (one list of the record group and one of each
      // TXT registry name); the next four inside the window are served from the cache.
      const lists = sandbox.requestCounts().ListResourceRecordSets;
      sandbox.resetRequestCounts();
      await get();
      expect(sandbox.requestCounts().ListResourceRecordSets ?? 0).toBe(0);
      expect(lists).toBeGreaterThan(0);
      expect(lists).toBeLessThanOrEqual(3);
    });
  });
});
