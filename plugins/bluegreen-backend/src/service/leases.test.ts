/*
 * One cutover per record group at a time across replicas: two test backends (each the
 * real scaffolder with the bluegreen plugin and its actions) share the bluegreen plugin's
 * database, a SQLite file, as two replicas share PostgreSQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import type { ExampleClusters } from '@bluegreen/example-kubernetes';
import request from 'supertest';
import yaml from 'yaml';
import {
  blueGreenComponent,
  BURNHAM,
  SANDBOX_CREDENTIALS,
  ZONE_NAME,
} from '../__testUtils__/sandbox';
import { startClusters } from '../__testUtils__/kubernetes';
import {
  GENERATION_ENTITY,
  SECURITY_CONFIG,
  sqliteDatabase,
} from '../__testUtils__/security';
import { DatabaseLeaseStore } from '../database/DatabaseLeaseStore';
import { leaseKey } from '../database/LeaseStore';
import bluegreenBackend from '../index';

jest.setTimeout(120_000);

const template = yaml.parse(
  fs.readFileSync(
    path.resolve(
      __dirname,
      '../../../../templates/eks-blue-green/cutover.yaml',
    ),
    'utf8',
  ),
);

describe('the cutover lease across two backends on one database', () => {
  let sandbox: Sandbox;
  // Every pod ready: the pre-flight passes (it is tested on its own).
  let kubernetes: ExampleClusters;
  const dir = createMockDirectory();
  const databaseFile = () => path.join(dir.path, 'bluegreen.sqlite');

  beforeAll(async () => {
    // Slow INSYNC: the first cutover holds the lease for a while.
    sandbox = await startSandbox({ insyncDelayMs: 2500, throttle: false });
    kubernetes = await startClusters({ allReady: true });
  });
  afterAll(async () => {
    await sandbox.close();
    await kubernetes?.stop();
  });

  async function replica() {
    const { server } = await startTestBackend({
      features: [
        scaffolderPlugin,
        kubernetesPlugin,
        bluegreenBackend,
        catalogServiceMock.factory({
          entities: [
            blueGreenComponent('burnham', BURNHAM),
            GENERATION_ENTITY,
            {
              ...template,
              metadata: { ...template.metadata, namespace: 'default' },
            },
          ],
        }),
        // Only the bluegreen plugin's database is shared, in one file; every other
        // plugin of each replica has its own.
        createServiceFactory({
          service: coreServices.database,
          deps: { plugin: coreServices.pluginMetadata },
          factory: ({ plugin }) =>
            sqliteDatabase(
              plugin.getId() === 'bluegreen' ? databaseFile() : ':memory:',
            ),
        }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: kubernetes.kubernetesConfig(),
            aws: { mainAccount: SANDBOX_CREDENTIALS },
            bluegreen: {
              ...SECURITY_CONFIG.bluegreen,
              aws: { endpoint: sandbox.url },
              cutover: { leaseSeconds: 30 },
            },
          },
        }),
      ],
    });
    return server;
  }

  const user = mockCredentials.user.header();
  const cutover = (server: any, weights: { blue: number; green: number }) =>
    request(server)
      .post('/api/bluegreen/entity/component/default/burnham/cutover')
      .set('Authorization', user)
      .send({ weights, mode: 'route53' });

  async function waitForTask(server: any, taskId: string) {
    for (;;) {
      const task = await request(server)
        .get(`/api/scaffolder/v2/tasks/${taskId}`)
        .set('Authorization', user);
      if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
        return task.body.status as string;
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }

  it('a cutover on replica B while replica A holds the record group: 409 naming the holder; once A is done, B proceeds', async () => {
    const [a, b] = [await replica(), await replica()];
    const logBefore = sandbox.changeLog().length;

    const first = await cutover(a, { blue: 50, green: 50 });
    expect(first.status).toBe(201);
    // A's set-weight has written its batch and waits for INSYNC, under the lease.
    while (sandbox.changeLog().length === logBefore) {
      await new Promise(resolve => setTimeout(resolve, 50));
    }

    const second = await cutover(b, { blue: 0, green: 100 });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toMatch(
      new RegExp(
        `another cutover of ${BURNHAM.replace(
          /\./g,
          '\\.',
        )} is in progress: task ${
          first.body.taskId
        } by user:default/mock since \\S+`,
      ),
    );

    expect(await waitForTask(a, first.body.taskId)).toBe('completed');
    const third = await cutover(b, { blue: 0, green: 100 });
    expect(third.status).toBe(201);
    expect(await waitForTask(b, third.body.taskId)).toBe('completed');
    expect(sandbox.changeLog().length - logBefore).toBe(2);
  });

  it("a crashed holder's lease lapses and the next cutover proceeds", async () => {
    const b = await replica();
    // A replica that took the lease and died: nobody renews or releases it.
    const store = await DatabaseLeaseStore.create({
      database: sqliteDatabase(databaseFile()),
    });
    const key = leaseKey(ZONE_NAME, BURNHAM, 'A');
    await store.acquire(
      key,
      { taskId: 'crashed-task', user: 'user:default/alice' },
      1500,
    );

    const refused = await cutover(b, { blue: 100, green: 0 });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(
      'task crashed-task by user:default/alice',
    );

    await new Promise(resolve => setTimeout(resolve, 1600));
    const next = await cutover(b, { blue: 100, green: 0 });
    expect(next.status).toBe(201);
    expect(await waitForTask(b, next.body.taskId)).toBe('completed');
  });
});
