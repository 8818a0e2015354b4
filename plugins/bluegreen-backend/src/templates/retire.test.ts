/*
 * The "Retire cluster generation" template (templates/eks-blue-green/retire.yaml) in the
 * real scaffolder with the bluegreen actions installed: as dry runs, and as real tasks on
 * the real OpenTofu CLI with the module's own application teardown going through the real
 * Kubernetes backend's proxy to the example's clusters, real kube-apiservers where the
 * harness plays Argo CD (playArgoCd). The catalog and the URL reader are test doubles: the generation's
 * repository is the fixture generation (with local state where a task destroys it).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  BACKSTAGE_SERVICE_ACCOUNT,
  ExampleClusters,
  KubernetesCluster,
  playArgoCd,
} from '@bluegreen/example-kubernetes';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import request from 'supertest';
import yaml from 'yaml';
import {
  fixtureRepositoryReader,
  fixtureUrlReader,
  fixtureWithLocalState,
} from '../__testUtils__/fixtureRepository';
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
import { GENERATION_URL, SECURITY_CONFIG } from '../__testUtils__/security';
import { applyStack, copyGeneration, tofuBinary } from '../__testUtils__/tofu';
import bluegreenBackend from '../index';

const TEMPLATE = path.resolve(
  __dirname,
  '../../../../templates/eks-blue-green/retire.yaml',
);
const REPOSITORY =
  'https://github.com/example/eks-blueprint-generation/tree/main/';

const generation = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: {
    name: 'eks-blueprint',
    annotations: {
      'backstage.io/source-location': `url:${REPOSITORY}`,
      'bluegreen/hostname': BURNHAM,
      'bluegreen/hosted-zone': ZONE_NAME,
      'bluegreen/blue-cluster': CLUSTERS.blue,
      'bluegreen/green-cluster': CLUSTERS.green,
    },
  },
  spec: { owner: 'group:default/team-burnham' },
};

jest.setTimeout(180_000);

describe('template: Retire cluster generation', () => {
  // The AWS sandbox stand-in: burnham is blue 100 / green 0 in Route 53.
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 0, throttle: false });
  });
  afterEach(() => sandbox.close());

  async function dryRun(
    values: Record<string, unknown>,
    status = 200,
    route53Endpoint = sandbox.url,
  ) {
    const { server } = await startTestBackend({
      features: [
        scaffolderPlugin,
        bluegreenBackend,
        catalogServiceMock.factory({ entities: [generation] }),
        fixtureRepositoryReader(REPOSITORY),
        mockServices.rootConfig.factory({
          data: {
            aws: { mainAccount: SANDBOX_CREDENTIALS },
            bluegreen: {
              ...SECURITY_CONFIG.bluegreen,
              aws: { endpoint: route53Endpoint, maxAttempts: 1 },
              terraform: { binary: tofuBinary() },
            },
          },
        }),
      ],
    });
    const res = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header())
      .send({
        template: yaml.parse(fs.readFileSync(TEMPLATE, 'utf8')),
        values,
        secrets: {},
        directoryContents: [],
      });
    expect(res.status).toBe(status);
    const log = ((res.body.log ?? []) as Array<{ body: { message?: string } }>)
      .map(entry => entry.body.message ?? '')
      .join('\n');
    return { body: res.body, log };
  }

  /** Sets burnham's green weight in the sandbox, as a route53-mode cutover would. */
  async function setGreenWeight(weight: number) {
    const client = sandboxRoute53(sandbox.url);
    const zone = await sandboxZoneId(client);
    const records = await weightedRecords(client, zone, BURNHAM);
    for (const record of records) {
      await upsertRecord(client, zone, {
        ...record,
        Weight: record.SetIdentifier === CLUSTERS.green ? weight : 0,
      });
    }
    client.destroy();
  }

  /** An endpoint nothing listens on. */
  async function closedPort() {
    const server = net.createServer();
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise(resolve => server.close(resolve));
    return `http://127.0.0.1:${port}`;
  }

  const destroyInput = (stack: string, confirmation: string, offline = '') =>
    new RegExp(
      `Running bluegreen:destroy-ordered in dry-run mode with inputs \\(secrets redacted\\): \\{\\s*"generation": "system:default/eks-blueprint",\\s*"stack": "${stack}",\\s*"confirmation": "${confirmation}"${
        offline ? `,\\s*"offline": ${offline}` : ''
      }\\s*\\}`,
    );

  it('renders in a dry run: looks up the generation, fetches its repository and lines up the cluster destroy', async () => {
    const { body, log } = await dryRun({
      generation: 'system:default/eks-blueprint',
      colour: 'green',
      confirmation: 'eks-blueprint-green',
      destroyEnvironment: false,
    });

    expect(log).toContain(`Running fetch:plain in dry-run mode`);
    expect(log).toContain(REPOSITORY);
    expect(log).toMatch(destroyInput('eks-green', 'eks-blueprint-green'));
    expect(log).toContain(
      `[eks-green] Route 53: eks-blueprint-green has weight 0 for A ${BURNHAM} in zone ${ZONE_NAME}; it receives none of that traffic`,
    );
    expect(log).not.toMatch(destroyInput('environment', '.*'));
    const files = (body.directoryContents as Array<{ path: string }>).map(
      file => file.path,
    );
    expect(files).toEqual(
      expect.arrayContaining([
        'eks-green/main.tf',
        'eks-green/traffic.auto.tfvars',
      ]),
    );
  });

  it('lines up the environment destroy after the cluster when asked to, listing the commands without running them', async () => {
    const { log } = await dryRun({
      generation: 'system:default/eks-blueprint',
      colour: 'green',
      confirmation: 'eks-blueprint-green',
      destroyEnvironment: true,
      environmentConfirmation: 'eks-blueprint',
    });

    expect(log).toMatch(destroyInput('eks-green', 'eks-blueprint-green'));
    expect(log).toMatch(destroyInput('environment', 'eks-blueprint'));
    expect(
      log.search(destroyInput('eks-green', 'eks-blueprint-green')),
    ).toBeLessThan(log.search(destroyInput('environment', 'eks-blueprint')));
    expect(log).toMatch(
      /\[eks-green\] Dry run: would run in eks-green: \S+ destroy -auto-approve -input=false -json with -target= each of/,
    );
  });

  it('refuses, in the dry run too, to retire a cluster whose weight file is above 0', async () => {
    const { body } = await dryRun(
      {
        generation: 'system:default/eks-blueprint',
        colour: 'blue',
        confirmation: 'eks-blueprint-blue',
        destroyEnvironment: false,
      },
      400,
    );
    expect(JSON.stringify(body)).toContain(
      'stack: eks-blueprint-blue still has route53_weight = 100 in eks-blue/traffic.auto.tfvars',
    );
  });

  it('refuses, in the dry run too, a cluster whose weight file is 0 while Route 53 sends it traffic', async () => {
    await setGreenWeight(100);
    const { body } = await dryRun(
      {
        generation: 'system:default/eks-blueprint',
        colour: 'green',
        confirmation: 'eks-blueprint-green',
        destroyEnvironment: false,
      },
      400,
    );
    expect(JSON.stringify(body)).toContain(
      `stack: Route 53 still sends 100% of ${BURNHAM} to eks-blueprint-green (weight 100 in zone ${ZONE_NAME}); cut traffic over before retiring it`,
    );
  });

  it('refuses a cluster when Route 53 cannot be read, unless offline is set: then it warns and lines up the destroy', async () => {
    const unreachable = await closedPort();
    const values = {
      generation: 'system:default/eks-blueprint',
      colour: 'green',
      confirmation: 'eks-blueprint-green',
      destroyEnvironment: false,
    };
    const refused = await dryRun(values, 400, unreachable);
    expect(JSON.stringify(refused.body)).toContain(
      'stack: cannot read Route 53 to tell that eks-blueprint-green receives no traffic',
    );

    const { log } = await dryRun(
      { ...values, offline: true },
      200,
      unreachable,
    );
    expect(log).toMatch(
      destroyInput('eks-green', 'eks-blueprint-green', 'true'),
    );
    expect(log).toContain(
      '[eks-green] Route 53 check skipped by request (offline: true)',
    );
    expect(log).toMatch(
      /\[eks-green\] Dry run: would run in eks-green: \S+ destroy -auto-approve/,
    );
  });

  describe('as a real task (real OpenTofu, the real teardown through the Kubernetes backend)', () => {
    const prepared = createMockDirectory();
    let kubernetes: ExampleClusters;
    const template = yaml.parse(fs.readFileSync(TEMPLATE, 'utf8'));

    beforeAll(async () => {
      // The repository as it is once green was applied: its state travels with it.
      copyGeneration(prepared.path);
      applyStack(prepared.path, 'eks-green');
      kubernetes = await startClusters();
    });
    afterAll(() => kubernetes?.stop());

    async function runTask(values: Record<string, unknown>) {
      const { server } = await startTestBackend({
        features: [
          scaffolderPlugin,
          bluegreenBackend,
          kubernetesPlugin,
          catalogServiceMock.factory({
            entities: [
              generation,
              {
                ...template,
                metadata: { ...template.metadata, namespace: 'default' },
              },
            ],
          }),
          createServiceFactory({
            service: coreServices.urlReader,
            deps: {},
            factory: () =>
              fixtureWithLocalState(
                prepared.path,
                // The fetch step reads the source location; the verifier, the
                // repository it names.
                fixtureUrlReader([REPOSITORY, GENERATION_URL]),
              ),
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
      });
      const user = mockCredentials.user.header();
      const created = await request(server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', user)
        .send({
          templateRef: 'template:default/retire-cluster-generation',
          values,
        });
      expect(created.status).toBe(201);
      for (;;) {
        const task = await request(server)
          .get(`/api/scaffolder/v2/tasks/${created.body.id}`)
          .set('Authorization', user);
        if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
          const events = await request(server)
            .get(`/api/scaffolder/v2/tasks/${created.body.id}/events`)
            .set('Authorization', user);
          const log = (events.body as Array<{ body: { message?: string } }>)
            .map(e => e.body.message ?? '')
            .join('\n');
          return { status: task.body.status as string, log };
        }
        await new Promise(resolve => setTimeout(resolve, 200));
      }
    }

    /** What the teardown changes in a cluster: Argo CD's objects and the Ingresses. */
    async function teardownState(cluster: KubernetesCluster) {
      const names = async (apiPath: string) =>
        ((await cluster.request('GET', apiPath)).body.items ?? [])
          .map(
            (i: any) =>
              `${i.metadata.name}${
                i.metadata.deletionTimestamp ? ' (deleting)' : ''
              }`,
          )
          .sort();
      const argocd = '/apis/argoproj.io/v1alpha1/namespaces/argocd';
      return {
        applicationSets: await names(`${argocd}/applicationsets`),
        applications: await names(`${argocd}/applications`),
        ingresses: await names('/apis/networking.k8s.io/v1/ingresses'),
      };
    }
    const SEEDED = (cluster: string) => ({
      applicationSets: ['bootstrap-addons', 'bootstrap-workloads'],
      applications: [
        `addon-${cluster}-aws-load-balancer-controller`,
        `addon-${cluster}-external-dns`,
        'argo-cd',
        'team-burnham',
        'team-checkout',
      ],
      ingresses: ['burnham', 'checkout'],
    });
    /** What Backstage (its service account) asked a cluster, from its audit log. */
    const asked = (cluster: string) =>
      kubernetes.clusters[cluster]
        .requests(BACKSTAGE_SERVICE_ACCOUNT.identity)
        .map(r => `${r.verb} ${r.uri} ${r.code}`);
    /** Runs `act`; the requests Backstage made to each cluster meanwhile. */
    const askedDuring = async <T>(act: () => Promise<T>) => {
      const before = {
        blue: asked(CLUSTERS.blue).length,
        green: asked(CLUSTERS.green).length,
      };
      const result = await act();
      return {
        result,
        blue: asked(CLUSTERS.blue).slice(before.blue),
        green: asked(CLUSTERS.green).slice(before.green),
      };
    };
    const expectUntouched = async () => {
      for (const cluster of [CLUSTERS.blue, CLUSTERS.green]) {
        expect(await teardownState(kubernetes.clusters[cluster])).toEqual(
          SEEDED(cluster),
        );
      }
    };

    const retire = (colour: string) => ({
      generation: 'system:default/eks-blueprint',
      colour,
      confirmation: `eks-blueprint-${colour}`,
      destroyEnvironment: false,
    });

    it('refuses blue at weight 100 in its weight file: the task fails, nothing is destroyed, not one request to either API server (their audit logs)', async () => {
      const { result, blue, green } = await askedDuring(() =>
        runTask(retire('blue')),
      );
      const { status, log } = result;
      // Not one request to either cluster's API server.
      expect({ blue, green }).toEqual({ blue: [], green: [] });
      expect(status).toBe('failed');
      expect(log).toContain(
        'stack: eks-blueprint-blue still has route53_weight = 100 in eks-blue/traffic.auto.tfvars',
      );
      expect(log).not.toMatch(/step \d+\/\d+: destroy/);
      await expectUntouched();
    });

    it('refuses green while Route 53 sends it 100 % although its weight file says 0: the task fails, nothing is destroyed, not one request to either API server (their audit logs)', async () => {
      await setGreenWeight(100);
      const { result, blue, green } = await askedDuring(() =>
        runTask(retire('green')),
      );
      const { status, log } = result;
      expect({ blue, green }).toEqual({ blue: [], green: [] });
      expect(status).toBe('failed');
      expect(log).toContain(
        `stack: Route 53 still sends 100% of ${BURNHAM} to eks-blueprint-green`,
      );
      expect(log).not.toMatch(/step \d+\/\d+: destroy/);
      await expectUntouched();
    });

    it('destroys green at weight 0 (file and Route 53): the teardown through the Kubernetes proxy first (ApplicationSets orphaned, workload Applications deleted with their resources, add-ons kept), then the modules in the seed order; blue untouched (both audit logs)', async () => {
      const green = kubernetes.clusters[CLUSTERS.green];
      // Argo CD's part, which no controller plays here: removing the resources of an
      // Application deleted with its resources finalizer, then the finalizers.
      const argoCd = playArgoCd(green);
      let during;
      try {
        during = await askedDuring(() => runTask(retire('green')));
      } finally {
        argoCd.stop();
      }
      const { status, log } = during.result;
      // The teardown's requests, in order, as green's API server answered them.
      const A = '/apis/argoproj.io/v1alpha1/namespaces/argocd';
      const ingressLists = during.green.filter(
        r => r === 'list /apis/networking.k8s.io/v1/ingresses 200',
      );
      expect(ingressLists.length).toBeGreaterThan(0);
      expect(during.green).toEqual([
        `list ${A}/applicationsets 200`,
        `delete ${A}/applicationsets/bootstrap-addons?propagationPolicy=Orphan 200`,
        `delete ${A}/applicationsets/bootstrap-workloads?propagationPolicy=Orphan 200`,
        `list ${A}/applications 200`,
        `patch ${A}/applications/team-burnham 200`,
        `delete ${A}/applications/team-burnham 200`,
        `patch ${A}/applications/team-checkout 200`,
        `delete ${A}/applications/team-checkout 200`,
        ...ingressLists,
      ]);
      expect(during.blue).toEqual([]);
      expect(log).toContain(
        `[eks-green] Route 53: eks-blueprint-green has weight 0 for A ${BURNHAM} in zone ${ZONE_NAME}; it receives none of that traffic`,
      );
      expect(status).toBe('completed');
      expect(await teardownState(green)).toEqual({
        applicationSets: [],
        applications: [
          `addon-${CLUSTERS.green}-aws-load-balancer-controller`,
          `addon-${CLUSTERS.green}-external-dns`,
          'argo-cd',
        ],
        ingresses: [],
      });
      expect(
        argoCd.finished.map(f => `${f.kind}/${f.name}: ${f.finalizers}`).sort(),
      ).toEqual([
        'applications/team-burnham: resources-finalizer.argocd.argoproj.io',
        'applications/team-checkout: resources-finalizer.argocd.argoproj.io',
        'applicationsets/bootstrap-addons: orphan',
        'applicationsets/bootstrap-workloads: orphan',
      ]);
      expect(await teardownState(kubernetes.clusters[CLUSTERS.blue])).toEqual(
        SEEDED(CLUSTERS.blue),
      );
      const M = 'module.eks_cluster.module';
      const steps = [
        'eks-blueprint-green: no ingress left',
        `step 1/6: destroy ${M}.eks_blueprints_dev_teams`,
        `step 2/6: destroy ${M}.gitops_bridge_bootstrap`,
        `step 3/6: destroy ${M}.eks_blueprints_addons`,
        `step 4/6: destroy ${M}.vpc_cni_irsa`,
        `step 5/6: destroy ${M}.eks`,
        'step 6/6: destroy (all)',
      ];
      const at = steps.map(line => log.indexOf(line));
      expect(at.every(i => i >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
    });
  });
});
