/*
 * The "Staged cutover" template (templates/eks-blue-green/staged-cutover.yaml) and its
 * bluegreen:cutover action in the real scaffolder, with the bluegreen backend (its engine
 * on the real scheduler), the real Kubernetes backend against real API servers, the AWS
 * sandbox (a local stand-in for Route 53) and the sandbox's load balancer stand-ins.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import {
  changeSplits,
  loadBalancerConfig,
  LoadBalancerStandIns,
  Sandbox,
  startLoadBalancers,
  startSandbox,
} from '@bluegreen/example-sandbox';
import type { ExampleClusters } from '@bluegreen/example-kubernetes';
import request from 'supertest';
import yaml from 'yaml';
import {
  blueGreenComponent,
  BURNHAM,
  CLUSTERS,
  SANDBOX_CREDENTIALS,
} from '../__testUtils__/sandbox';
import { startClusters } from '../__testUtils__/kubernetes';
import { waitForTask } from '../__testUtils__/scaffolderTasks';
import { SECURITY_CONFIG } from '../__testUtils__/security';
import bluegreenBackend from '../index';

jest.setTimeout(120_000);

const template = yaml.parse(
  fs.readFileSync(
    path.resolve(
      __dirname,
      '../../../../templates/eks-blue-green/staged-cutover.yaml',
    ),
    'utf8',
  ),
);
const user = mockCredentials.user.header();

describe('template: Staged cutover (bluegreen:cutover)', () => {
  let sandbox: Sandbox;
  let lbs: LoadBalancerStandIns;
  let kubernetes: ExampleClusters;
  beforeAll(async () => {
    kubernetes = await startClusters({ allReady: true });
  });
  afterAll(async () => {
    await kubernetes?.stop();
  });
  beforeEach(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 100, throttle: false });
    lbs = await startLoadBalancers({
      clusters: [CLUSTERS.blue, CLUSTERS.green],
    });
  });
  afterEach(async () => {
    await sandbox.close();
    await lbs.close();
  });

  async function startBackend(options: { denyCutover?: boolean } = {}) {
    return startTestBackend({
      features: [
        scaffolderPlugin,
        kubernetesPlugin,
        bluegreenBackend,
        schedulerServiceFactory,
        catalogServiceMock.factory({
          entities: [
            blueGreenComponent('burnham', BURNHAM),
            {
              ...template,
              metadata: { ...template.metadata, namespace: 'default' },
            },
          ],
        }),
        ...(options.denyCutover
          ? [
              mockServices.permissions.mock({
                authorize: async requests =>
                  requests.map(r => ({
                    result:
                      r.permission.name === 'bluegreen.cutover'
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
            kubernetes: kubernetes.kubernetesConfig(),
            aws: { mainAccount: SANDBOX_CREDENTIALS },
            bluegreen: {
              ...SECURITY_CONFIG.bluegreen,
              aws: { endpoint: sandbox.url },
              cutover: {
                staged: {
                  probeIntervalSeconds: 0.25,
                  ttlSeconds: 1,
                  insyncSeconds: 0.5,
                  probe: { requests: 10 },
                  loadBalancers: loadBalancerConfig(lbs),
                },
              },
            },
          },
        }),
      ],
    });
  }

  async function runTask(server: any, values: object) {
    const res = await request(server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', user)
      .send({ templateRef: 'template:default/staged-cutover', values });
    expect(res.status).toBe(201);
    return waitForTask(server, res.body.id);
  }
  const batches = () => changeSplits(sandbox.changeLog(), CLUSTERS);

  it("runs the staged preset to green from a task and streams the run's events to the task log", async () => {
    const { server } = await startBackend();
    const { status, log } = await runTask(server, {
      entity: 'component:default/burnham',
      toward: 'green',
      preset: 'staged',
      soakSeconds: 0,
    });
    expect(log).toContain(
      'Plan for burnham.eks-blueprint.example.com: 100/0 → 90/10 → 50/50 → 0/100',
    );
    expect(log).toContain('step 90/10 in effect; holding 1.5 s');
    expect(log).toContain('step 50/50 held and verified');
    expect(log).toContain('completed at 0/100');
    expect(status).toBe('completed');
    expect(batches()).toEqual(['90/10', '50/50', '0/100']);
  });

  it('fails the task, naming the reason, when the run rolls back in stages (green 5xx)', async () => {
    lbs.setFaults(CLUSTERS.green, { errorRate: 0.5 });
    const { server } = await startBackend();
    const { status, log } = await runTask(server, {
      entity: 'component:default/burnham',
      preset: 'staged',
    });
    expect(status).toBe('failed');
    expect(log).toMatch(
      /cutover run \S+ rolled-back at 100\/0: step 1 \(90\/10\) failed verification: green: /,
    );
    expect(batches()).toEqual(['90/10', '100/0']);
  });

  it('refuses an initiator without bluegreen.cutover before anything is read or written', async () => {
    const { server } = await startBackend({ denyCutover: true });
    const { status, log } = await runTask(server, {
      entity: 'component:default/burnham',
    });
    expect(status).toBe('failed');
    expect(log).toContain(
      'is not allowed to cutover: permission bluegreen.cutover on component:default/burnham',
    );
    expect(batches()).toEqual([]);
  });

  it('a dry run plans the steps and starts no run', async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', user)
      .send({
        template,
        values: { entity: 'component:default/burnham', preset: 'canary' },
        secrets: {},
        directoryContents: [],
      });
    expect(res.status).toBe(200);
    const log = (res.body.log as Array<{ body: { message?: string } }>)
      .map(entry => entry.body.message ?? '')
      .join('\n');
    expect(log).toContain('100/0 → 99/1 → 90/10 → 50/50 → 0/100');
    expect(log).toContain('Dry run: no run started');
    expect(batches()).toEqual([]);
    const runs = await request(server)
      .get('/api/bluegreen/entity/component/default/burnham/cutover-runs')
      .set('Authorization', user);
    expect(runs.body.runs).toEqual([]);
  });
});
