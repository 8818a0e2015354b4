/*
 * "Upgrade the idle cluster" (templates/eks-blue-green/upgrade.yaml) as real scaffolder
 * tasks: the fixture generation (terraform_data stacks) in a repository on a local git
 * server, fetched and proposed back through GitHub stand-ins (gitRepositories.ts); the
 * real OpenTofu CLI; Route 53 and EKS from the AWS sandbox (a local stand-in); the
 * readiness wait through the real Kubernetes backend in front of the example's two real
 * kube-apiservers. The catalog is a test double holding the generation and the template.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { ExampleClusters } from '@bluegreen/example-kubernetes';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import request from 'supertest';
import yaml from 'yaml';
import {
  GitHttpServer,
  startGitHttpServer,
} from '../__testUtils__/gitHttpServer';
import {
  gitHubStandInModule,
  gitServerUrlReaderService,
  OpenedPullRequest,
  pullRequestFiles,
  pushDirectory,
} from '../__testUtils__/gitRepositories';
import { startClusters } from '../__testUtils__/kubernetes';
import {
  BURNHAM,
  CLUSTERS,
  sandboxRoute53,
  SANDBOX_CREDENTIALS,
  sandboxZoneId,
  upsertRecord,
  weightedRecords,
  ZONE_NAME,
} from '../__testUtils__/sandbox';
import {
  GENERATION_WITH_RECORDS,
  SECURITY_CONFIG,
} from '../__testUtils__/security';
import { tofuBinary } from '../__testUtils__/tofu';
import { waitForTask } from '../__testUtils__/scaffolderTasks';
import bluegreenBackend from '../index';

jest.setTimeout(300_000);

const TEMPLATE = path.resolve(
  __dirname,
  '../../../../templates/eks-blue-green/upgrade.yaml',
);
const FIXTURE = path.resolve(__dirname, '../__fixtures__/generation');
const REPO = 'example/eks-blueprint-generation';

const generation = GENERATION_WITH_RECORDS;

describe('template: Upgrade the idle cluster (real tasks, real OpenTofu, the fixture generation)', () => {
  // Route 53 (sandbox): burnham blue 100 / green 0; EKS: blue 1.33, green 1.34.
  let sandbox: Sandbox;
  let gitServer: GitHttpServer;
  let kubernetes: ExampleClusters;
  let server: Parameters<typeof request>[0];
  const pullRequests: OpenedPullRequest[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 0, throttle: false });
    gitServer = await startGitHttpServer();
    await pushDirectory(gitServer, REPO, FIXTURE);
    kubernetes = await startClusters();
    const template = yaml.parse(fs.readFileSync(TEMPLATE, 'utf8'));
    ({ server } = await startTestBackend({
      features: [
        scaffolderPlugin,
        bluegreenBackend,
        kubernetesPlugin,
        gitHubStandInModule(gitServer, pullRequests),
        gitServerUrlReaderService(gitServer),
        catalogServiceMock.factory({
          entities: [
            generation,
            {
              ...template,
              metadata: { ...template.metadata, namespace: 'default' },
            },
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: kubernetes.kubernetesConfig(),
            aws: { mainAccount: SANDBOX_CREDENTIALS },
            bluegreen: {
              ...SECURITY_CONFIG.bluegreen,
              aws: { endpoint: sandbox.url, maxAttempts: 1 },
              terraform: { binary: tofuBinary() },
            },
          },
        }),
      ],
    }));
  });
  afterAll(async () => {
    await sandbox?.close();
    await gitServer?.close();
    await kubernetes?.stop();
  });

  async function upgrade(values: Record<string, unknown>) {
    const created = await request(server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', mockCredentials.user.header())
      .send({
        templateRef: 'template:default/upgrade-idle-cluster',
        values: { generation: 'system:default/eks-blueprint', ...values },
      });
    expect(created.status).toBe(201);
    return waitForTask(server, created.body.id);
  }

  /** Sets green's weight of burnham in Route 53 (blue's to the rest of 100). */
  async function setRoute53Weights(green: number) {
    const client = sandboxRoute53(sandbox.url);
    const zone = await sandboxZoneId(client);
    for (const record of await weightedRecords(client, zone, BURNHAM)) {
      await upsertRecord(client, zone, {
        ...record,
        Weight: record.SetIdentifier === CLUSTERS.green ? green : 100 - green,
      });
    }
    client.destroy();
  }

  it('in a dry run: checks the colour and the version, shows the new version line, and runs no CLI and opens no pull request', async () => {
    const template = yaml.parse(fs.readFileSync(TEMPLATE, 'utf8'));
    const res = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header())
      .send({
        template,
        values: {
          generation: 'system:default/eks-blueprint',
          colour: 'green',
          kubernetes_version: '1.35',
        },
        secrets: {},
        directoryContents: [],
      });
    expect(res.body.error).toBeUndefined();
    expect(res.status).toBe(200);
    const log = (res.body.log as Array<{ body: { message?: string } }>)
      .map(entry => entry.body.message ?? '')
      .join('\n');
    expect(log).toContain(
      '[eks-green] kubernetes_version 1.34 → 1.35 in eks-green/main.tf',
    );
    expect(log).toMatch(
      /Dry run: would run in eks-green: \S+ apply -auto-approve/,
    );
    expect(log).toContain(
      'Dry run: would wait up to 30 min for eks-blueprint-green',
    );
    const main = (
      res.body.directoryContents as Array<{
        path: string;
        base64Content: string;
      }>
    ).find(file => file.path === 'eks-green/main.tf')!;
    expect(Buffer.from(main.base64Content, 'base64').toString()).toContain(
      'kubernetes_version = "1.35"',
    );
    expect(pullRequests).toEqual([]);
  });

  it('refuses a colour whose weight file is above 0, before any CLI runs', async () => {
    const { status, log } = await upgrade({
      colour: 'blue',
      kubernetes_version: '1.35',
    });
    expect(status).toBe('failed');
    expect(log).toContain(
      'colour: eks-blueprint-blue still has route53_weight = 100 in eks-blue/traffic.auto.tfvars; shift its traffic away (weight 0) and apply before rebuilding it',
    );
    expect(log).not.toMatch(/\[eks-blue\] \S+ init/);
    expect(pullRequests).toEqual([]);
  });

  it('refuses a colour whose weight file is 0 while Route 53 sends it traffic', async () => {
    await setRoute53Weights(10);
    try {
      const { status, log } = await upgrade({
        colour: 'green',
        kubernetes_version: '1.35',
      });
      expect(status).toBe('failed');
      expect(log).toContain(
        `colour: Route 53 still sends 10% of ${BURNHAM} to eks-blueprint-green (weight 10 in zone ${ZONE_NAME}); cut traffic over before rebuilding it`,
      );
      expect(log).not.toMatch(/\[eks-green\] \S+ init/);
    } finally {
      await setRoute53Weights(0);
    }
  });

  it("refuses a version not newer than the serving cluster's, and one EKS does not support", async () => {
    const same = await upgrade({ colour: 'green', kubernetes_version: '1.33' });
    expect(same.status).toBe('failed');
    expect(same.log).toContain(
      "kubernetesVersion: 1.33 is not newer than blue's 1.33, the cluster that serves",
    );
    const gone = await upgrade({ colour: 'green', kubernetes_version: '1.99' });
    expect(gone.status).toBe('failed');
    expect(gone.log).toContain(
      'kubernetesVersion: EKS does not support 1.99 today',
    );
    expect(pullRequests).toEqual([]);
  });

  it('rebuilds the idle green at 1.35: the version line, the apply, the readiness wait, the catalog annotations, and a pull request with exactly those two files', async () => {
    const { status, log } = await upgrade({
      colour: 'green',
      kubernetes_version: '1.35',
    });
    expect({ status, log }).toMatchObject({ status: 'completed' });
    expect(log).toContain(
      'route53_weight = 0 in eks-green/traffic.auto.tfvars: the weight file sends no traffic to eks-blueprint-green',
    );
    expect(log).toContain(
      `Route 53: eks-blueprint-green has weight 0 for A ${BURNHAM} in zone ${ZONE_NAME}`,
    );
    expect(log).toContain(
      '[eks-green] kubernetes_version 1.34 → 1.35 in eks-green/main.tf',
    );
    expect(log).toContain(
      '[eks-green] kubernetes_version 1.34 → 1.35: the cluster carries no traffic, so it may be rebuilt',
    );
    expect(log).toMatch(/\[eks-green\] Apply complete! Resources: \d+ added/);
    expect(log).not.toMatch(/\[eks-blue\] \S+ apply/);
    expect(log).toMatch(/eks-blueprint-green is ready: 2 node\(s\) Ready/);
    // The pull request records the applied stack before the wait starts.
    expect(log.indexOf('Beginning step Propose the new version')).toBeLessThan(
      log.indexOf('Beginning step Wait until it is ready'),
    );

    expect(pullRequests).toEqual([
      expect.objectContaining({
        repo: REPO,
        branch: 'bluegreen/upgrade-green-1.35',
        title: 'Rebuild green at Kubernetes 1.35',
      }),
    ]);
    const { files, diff } = await pullRequestFiles(gitServer, pullRequests[0]);
    expect(files).toEqual(['catalog-info.yaml', 'eks-green/main.tf']);
    expect(diff).toContain('-  kubernetes_version = "1.34"');
    expect(diff).toContain('+  kubernetes_version = "1.35"');
    expect(diff).toContain(
      '+    kubernetes.io/api-server: https://eks-blueprint-green.gr7.us-west-2.eks.amazonaws.com',
    );
    expect(diff).toContain('+  title: eks-blueprint-green (Kubernetes 1.35)');
    expect(diff).toContain("-    bluegreen/cluster-pending: 'true'");
  });
  it('times out naming the Application that is not Synced and Healthy; the pull request, opened once the apply succeeded, still records what was applied', async () => {
    const green = kubernetes.clusters[CLUSTERS.green];
    const app =
      '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/team-burnham';
    const patch = (sync: string, health: string) =>
      green.request(
        'PATCH',
        app,
        { status: { sync: { status: sync }, health: { status: health } } },
        { contentType: 'application/merge-patch+json' },
      );
    await patch('OutOfSync', 'Degraded');
    try {
      const { status, log } = await upgrade({
        colour: 'green',
        kubernetes_version: '1.36',
        timeoutMinutes: 0.1,
      });
      expect(status).toBe('failed');
      expect(log).toContain(
        'eks-blueprint-green: waiting for Application team-burnham: OutOfSync/Degraded',
      );
      expect(log).toContain(
        'eks-blueprint-green is not ready after 0.1 min (timeoutMinutes): Application team-burnham: OutOfSync/Degraded',
      );
      expect(pullRequests[1]).toMatchObject({
        branch: 'bluegreen/upgrade-green-1.36',
      });
      const { files } = await pullRequestFiles(gitServer, pullRequests[1]);
      expect(files).toEqual(['catalog-info.yaml', 'eks-green/main.tf']);
    } finally {
      await patch('Synced', 'Healthy');
    }
  });
});
