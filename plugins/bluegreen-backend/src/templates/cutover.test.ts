/*
 * The "Cut over traffic" template (templates/eks-blue-green/cutover.yaml) in the real
 * scaffolder with the bluegreen backend installed: in route53 mode as a real task started
 * through POST /api/bluegreen/.../cutover, against the AWS sandbox (a local stand-in);
 * in gitops mode as a dry run over the fixture generation.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import githubModule from '@backstage/plugin-scaffolder-backend-module-github';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import type { ExampleClusters } from '@bluegreen/example-kubernetes';
import request from 'supertest';
import yaml from 'yaml';
import {
  blueGreenComponent,
  BURNHAM,
  CLUSTERS,
  sandboxRoute53,
  SANDBOX_CREDENTIALS,
  sandboxZoneId,
  weightsIn,
} from '../__testUtils__/sandbox';
import { startClusters } from '../__testUtils__/kubernetes';
import { waitForTask } from '../__testUtils__/scaffolderTasks';
import { tofuBinary } from '../__testUtils__/tofu';
import { fixtureRepositoryReader } from '../__testUtils__/fixtureRepository';
import { GENERATION_ENTITY, SECURITY_CONFIG } from '../__testUtils__/security';
import bluegreenBackend from '../index';

jest.setTimeout(120_000);

const TEMPLATE_FILE = path.resolve(
  __dirname,
  '../../../../templates/eks-blue-green/cutover.yaml',
);
const REPOSITORY = 'https://github.com/example/eks-blueprint-generation';

const template = yaml.parse(fs.readFileSync(TEMPLATE_FILE, 'utf8'));
const burnham = blueGreenComponent('burnham', BURNHAM);

describe('template: Cut over traffic', () => {
  let sandbox: Sandbox;
  // Every pod ready: the pre-flight passes (it is tested on its own).
  let kubernetes: ExampleClusters;
  beforeAll(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 300, throttle: false });
    kubernetes = await startClusters({ allReady: true });
  });
  afterAll(async () => {
    await sandbox.close();
    await kubernetes?.stop();
  });

  async function startBackend(
    options: { kubernetes?: ExampleClusters; denyForce?: boolean } = {},
  ) {
    return startTestBackend({
      features: [
        scaffolderPlugin,
        kubernetesPlugin,
        githubModule,
        bluegreenBackend,
        catalogServiceMock.factory({
          entities: [
            burnham,
            GENERATION_ENTITY,
            {
              ...template,
              metadata: { ...template.metadata, namespace: 'default' },
            },
          ],
        }),
        fixtureRepositoryReader(REPOSITORY, { dereference: true }),
        ...(options.denyForce
          ? [
              mockServices.permissions.mock({
                authorize: async requests =>
                  requests.map(r => ({
                    result:
                      r.permission.name === 'bluegreen.cutover.force'
                        ? AuthorizeResult.DENY
                        : AuthorizeResult.ALLOW,
                  })),
                authorizeConditional: async requests =>
                  requests.map(() => ({ result: AuthorizeResult.ALLOW })),
              }).factory,
            ]
          : []),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: (options.kubernetes ?? kubernetes).kubernetesConfig(),
            aws: { mainAccount: SANDBOX_CREDENTIALS },
            // The pull request step needs a token to be planned; a dry run sends nothing.
            integrations: {
              github: [{ host: 'github.com', token: 'not-a-real-token' }],
            },
            bluegreen: {
              ...SECURITY_CONFIG.bluegreen,
              aws: { endpoint: sandbox.url },
              terraform: { binary: tofuBinary() },
            },
          },
        }),
      ],
    });
  }

  it('route53 mode: the cutover API starts a real task that swaps the weights and waits for INSYNC', async () => {
    const { server } = await startBackend();
    const client = sandboxRoute53(sandbox.url);
    try {
      const res = await request(server)
        .post('/api/bluegreen/entity/component/default/burnham/cutover')
        .set('Authorization', mockCredentials.user.header())
        .send({
          weights: { blue: 50, green: 50 },
          expected: { blue: 100, green: 0 },
          mode: 'route53',
        });
      expect(res.status).toBe(201);

      const { status, log } = await waitForTask(server, res.body.taskId);
      expect(log).toContain('Route 53 accepted change');
      expect(log).toMatch(/INSYNC after \d+\.\d s/);
      expect(status).toBe('completed');
      const zone = await sandboxZoneId(client);
      expect(await weightsIn(client, zone, BURNHAM)).toEqual({
        [CLUSTERS.blue]: 50,
        [CLUSTERS.green]: 50,
      });
    } finally {
      client.destroy();
    }
  });

  it("pre-flight: the template started directly (POST /v2/tasks) is refused while green's burnham-worker is 1/2 ready; a user who holds bluegreen.cutover.force forces it; one who does not cannot", async () => {
    const notReady = await startClusters();
    const client = sandboxRoute53(sandbox.url);
    const zone = await sandboxZoneId(client);
    const run = async (server: any, force: boolean) => {
      const created = await request(server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', mockCredentials.user.header())
        .send({
          templateRef: 'template:default/cut-over-traffic',
          values: {
            entity: 'component:default/burnham',
            weights: { blue: 20, green: 80 },
            mode: 'route53',
            force,
          },
        });
      expect(created.status).toBe(201);
      return waitForTask(server, created.body.id);
    };
    const before = await weightsIn(client, zone, BURNHAM);
    try {
      const { server } = await startBackend({ kubernetes: notReady });
      const refused = await run(server, false);
      expect(refused.status).toBe('failed');
      expect(refused.log).toContain(
        'weights: the pre-flight checks failed (green workloads ready: eks-blueprint-green: burnham-worker 1/2 not ready',
      );
      expect(await weightsIn(client, zone, BURNHAM)).toEqual(before);

      const { server: noForce } = await startBackend({
        kubernetes: notReady,
        denyForce: true,
      });
      const denied = await run(noForce, true);
      expect(denied.status).toBe('failed');
      expect(denied.log).toContain('permission bluegreen.cutover.force');
      expect(await weightsIn(client, zone, BURNHAM)).toEqual(before);

      const forced = await run(server, true);
      expect(forced.log).toContain(
        'Pre-flight failed, overridden by force: green workloads ready: eks-blueprint-green: burnham-worker 1/2 not ready',
      );
      expect(forced.status).toBe('completed');
      expect(await weightsIn(client, zone, BURNHAM)).toEqual({
        [CLUSTERS.blue]: 20,
        [CLUSTERS.green]: 80,
      });
    } finally {
      // Back to the sandbox's 100/0 for the other tests.
      const { server } = await startBackend();
      const back = await request(server)
        .post('/api/bluegreen/entity/component/default/burnham/cutover')
        .set('Authorization', mockCredentials.user.header())
        .send({ weights: { blue: 100, green: 0 }, mode: 'route53' });
      if (back.status === 201) {
        await waitForTask(server, back.body.taskId);
      }
      client.destroy();
      await notReady.stop();
    }
  });

  it("gitops mode: a dry run fetches the generation, restores the links, plans the weight files and lists both stacks' commands without running the CLI", async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header())
      .send({
        template,
        values: {
          entity: 'component:default/burnham',
          weights: { blue: 0, green: 100 },
          mode: 'gitops',
        },
        secrets: {},
        directoryContents: [],
      });
    expect(res.body.error).toBeUndefined();
    expect(res.status).toBe(200);
    const log = (res.body.log as Array<{ body: { message?: string } }>)
      .map(entry => entry.body.message ?? '')
      .join('\n');
    expect(log).toContain(`Running fetch:plain in dry-run mode`);
    expect(log).toContain(REPOSITORY);
    expect(log).toContain('Running bluegreen:link-tfvars in dry-run mode');
    expect(log).toContain(
      'Dry run: would write blue=0 green=100 to eks-blue/traffic.auto.tfvars, eks-green/traffic.auto.tfvars',
    );
    expect(log).toContain('Running bluegreen:apply in dry-run mode');
    // A dry run executes nothing: the apply step lists its commands only.
    expect(log).toMatch(
      /Dry run: would run in eks-blue: \S*tofu\S* init -input=false -no-color/,
    );
    expect(log).toMatch(
      /Dry run: would run in eks-green: \S*tofu\S* apply -auto-approve -input=false -json/,
    );
    expect(log).toContain(
      'Running publish:github:pull-request in dry-run mode',
    );
    expect(log).not.toMatch(/Step .* has failed/);
  });
});
