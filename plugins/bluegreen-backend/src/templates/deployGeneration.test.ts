/*
 * "Create new cluster generation" with "Apply now", and "Deploy cluster generation", as
 * real scaffolder tasks on fixture stacks: the real template.yaml with a skeleton made of
 * the fixture generation's terraform_data stacks (shaped like the generation, with the
 * real skeleton's catalog-info.yaml and weight files), the real OpenTofu CLI with state
 * kept outside the workspace (a local backend standing in for S3, so a second task sees
 * what the first applied), the real Kubernetes backend in front of the example's two real
 * kube-apiservers for the readiness wait, and GitHub stand-ins on a local git server
 * (gitRepositories.ts). The catalog is a test double that shows a registered location's
 * entities a moment after catalog:register, as the real catalog's processing does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { ExampleClusters } from '@bluegreen/example-kubernetes';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import request from 'supertest';
import yaml from 'yaml';
import { seedGenerationValues } from '../__fixtures__/generationValues';
import {
  git,
  GitHttpServer,
  startGitHttpServer,
} from '../__testUtils__/gitHttpServer';
import {
  gitHubStandInModule,
  gitServerUrlReaderService,
  OpenedPullRequest,
  pullRequestFiles,
} from '../__testUtils__/gitRepositories';
import { startClusters } from '../__testUtils__/kubernetes';
import { SANDBOX_CREDENTIALS } from '../__testUtils__/sandbox';
import { rulePermissionsFactory } from '../__testUtils__/security';
import { tofuBinary } from '../__testUtils__/tofu';
import bluegreenBackend from '../index';

jest.setTimeout(300_000);

const TEMPLATES = path.resolve(
  __dirname,
  '../../../../templates/eks-blue-green',
);
const FIXTURE = path.resolve(__dirname, '../__fixtures__/generation');
const STACKS = ['environment', 'eks-blue', 'eks-green'];

/** The fixture generation as a skeleton for fetch:template, beside a copy of template.yaml. */
function fixtureTemplateDir(
  root: string,
  stateDir: string,
  failMarker: string,
) {
  const dir = path.join(root, 'template');
  const skeleton = path.join(dir, 'skeleton');
  fs.cpSync(FIXTURE, skeleton, { recursive: true, verbatimSymlinks: true });
  fs.copyFileSync(
    path.join(TEMPLATES, 'template.yaml'),
    path.join(dir, 'template.yaml'),
  );
  const real = path.join(TEMPLATES, 'skeleton');
  fs.rmSync(path.join(skeleton, 'catalog-info.yaml'));
  fs.copyFileSync(
    path.join(real, 'catalog-info.yaml.njk'),
    path.join(skeleton, 'catalog-info.yaml.njk'),
  );
  fs.rmSync(path.join(skeleton, 'terraform.tfvars'));
  fs.writeFileSync(
    path.join(skeleton, 'terraform.tfvars.njk'),
    'environment_name = "${{ values.environment_name | hclString }}"\n',
  );
  for (const stack of STACKS) {
    // bluegreen:link-tfvars makes the links, as in the real skeleton.
    fs.rmSync(path.join(skeleton, stack, 'terraform.tfvars'), { force: true });
    fs.writeFileSync(
      path.join(skeleton, stack, 'backend.tf'),
      `terraform {\n  backend "local" {\n    path = "${stateDir}/${stack}.tfstate"\n  }\n}\n`,
    );
  }
  for (const colour of ['blue', 'green']) {
    const stack = path.join(skeleton, `eks-${colour}`);
    fs.rmSync(path.join(stack, 'traffic.auto.tfvars'));
    fs.copyFileSync(
      path.join(real, `eks-${colour}`, 'traffic.auto.tfvars.njk'),
      path.join(stack, 'traffic.auto.tfvars.njk'),
    );
    const main = fs
      .readFileSync(path.join(stack, 'main.tf'), 'utf8')
      .replace(
        /kubernetes_version = "[^"]*"/,
        `kubernetes_version = "\${{ values.${colour}_kubernetes_version | hclString }}"`,
      )
      // The test makes green's cluster fail while this file exists.
      .replace(
        'fail               = var.fail',
        colour === 'green'
          ? `fail               = var.fail || fileexists("${failMarker}")`
          : '$&',
      );
    fs.rmSync(path.join(stack, 'main.tf'));
    fs.writeFileSync(path.join(stack, 'main.tf.njk'), main);
  }
  return path.join(dir, 'template.yaml');
}

function templateEntity(file: string): Entity {
  const template = yaml.parse(fs.readFileSync(file, 'utf8'));
  return {
    ...template,
    metadata: {
      ...template.metadata,
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-location': `file:${file}`,
        'backstage.io/managed-by-origin-location': `file:${file}`,
      },
    },
  };
}

describe('templates: Create new cluster generation with Apply now, and Deploy cluster generation (fixture stacks, real OpenTofu)', () => {
  let sandbox: Sandbox;
  let gitServer: GitHttpServer;
  let kubernetes: ExampleClusters;
  let root: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ throttle: false });
    gitServer = await startGitHttpServer();
    kubernetes = await startClusters();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'bluegreen-deploy-'));
  });
  afterAll(async () => {
    await sandbox?.close();
    await gitServer?.close();
    await kubernetes?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** A backend whose catalog shows registered entities after a short processing delay. */
  async function backend(options: {
    templates: Entity[];
    pullRequests: OpenedPullRequest[];
    ownership: string[];
  }) {
    const registered: Entity[] = [];
    const catalog = catalogServiceMock({ entities: options.templates });
    const byRef = catalog.getEntityByRef.bind(catalog);
    catalog.getEntityByRef = (async (ref: string, opts: any) =>
      registered.find(
        e => stringifyEntityRef(e).toLowerCase() === String(ref).toLowerCase(),
      ) ?? byRef(ref, opts)) as any;
    catalog.addLocation = (async (location: { target: string }) => {
      const repo = /github\.com\/([^/]+\/[^/]+)\//.exec(location.target)![1];
      const clone = fs.mkdtempSync(path.join(root, 'catalog-'));
      await git(['clone', '--quiet', `${gitServer.url}/${repo}.git`, clone]);
      const entities = yaml
        .parseAllDocuments(
          fs.readFileSync(path.join(clone, 'catalog-info.yaml'), 'utf8'),
        )
        .map(doc => doc.toJS() as Entity)
        .map(e => ({
          ...e,
          metadata: { namespace: 'default', ...e.metadata },
        }));
      // The catalog processes a new location in the background.
      setTimeout(() => registered.push(...entities), 3_000);
      return {
        location: { id: 'l1', type: 'url', target: location.target },
        entities,
      };
    }) as any;
    // As a conditional policy (IS_ENTITY_OWNER) decides: only on an entity the catalog
    // shows, so a new generation's apply must wait for it before asking.
    const permissions = rulePermissionsFactory(
      ({ permission, resourceRef }) =>
        !permission.startsWith('bluegreen.') ||
        registered.some(
          e =>
            stringifyEntityRef(e).toLowerCase() === resourceRef?.toLowerCase(),
        ),
    );
    const { server } = await startTestBackend({
      features: [
        scaffolderPlugin,
        bluegreenBackend,
        kubernetesPlugin,
        permissions.factory,
        gitHubStandInModule(gitServer, options.pullRequests),
        gitServerUrlReaderService(gitServer),
        createServiceFactory({
          service: catalogServiceRef,
          deps: {},
          factory: () => catalog,
        }),
        createServiceFactory({
          service: coreServices.userInfo,
          deps: {},
          factory: () =>
            mockServices.userInfo({ ownershipEntityRefs: options.ownership }),
        }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: kubernetes.kubernetesConfig(),
            aws: { mainAccount: SANDBOX_CREDENTIALS },
            bluegreen: {
              aws: { endpoint: sandbox.url, maxAttempts: 1 },
              terraform: { binary: tofuBinary() },
              generations: {
                repositories: [{ host: 'github.com', owner: 'acme' }],
              },
            },
          },
        }),
      ],
    });
    return server;
  }

  async function runTask(
    server: Awaited<ReturnType<typeof backend>>,
    templateRef: string,
    values: Record<string, unknown>,
  ) {
    const user = mockCredentials.user.header();
    const created = await request(server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', user)
      .send({ templateRef, values });
    expect(created.status).toBe(201);
    for (;;) {
      const task = await request(server)
        .get(`/api/scaffolder/v2/tasks/${created.body.id}`)
        .set('Authorization', user);
      if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
        const events = (
          await request(server)
            .get(`/api/scaffolder/v2/tasks/${created.body.id}/events`)
            .set('Authorization', user)
        ).body as Array<{
          type: string;
          body: { message?: string; output?: any };
        }>;
        return {
          status: task.body.status as string,
          log: events.map(e => e.body.message ?? '').join('\n'),
          output: events.find(e => e.type === 'completion')?.body.output,
        };
      }
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  }

  function setUp(name: string) {
    const dir = fs.mkdtempSync(path.join(root, `${name}-`));
    const stateDir = path.join(dir, 'state');
    fs.mkdirSync(stateDir);
    const failMarker = path.join(dir, 'fail-green');
    const templateFile = fixtureTemplateDir(dir, stateDir, failMarker);
    const values = {
      // The versions the EKS stand-in already runs clusters of these names at: apply
      // compares the version lines with what EKS runs.
      ...seedGenerationValues({ blue: '1.33', green: '1.34' }),
      repoUrl: `github.com?owner=acme&repo=${name}`,
      owner: 'group:default/team-burnham',
      applyNow: true,
    };
    return { templateFile, failMarker, values, repo: `acme/${name}` };
  }

  const applyOrder = (log: string) =>
    STACKS.map(stack => log.search(new RegExp(`\\[${stack}\\] \\S+ apply`)));

  it('applies environment, eks-blue and eks-green in order, waits until both clusters are ready, and proposes their catalog annotations', async () => {
    const { templateFile, values, repo } = setUp('generation-ok');
    const pullRequests: OpenedPullRequest[] = [];
    const server = await backend({
      templates: [templateEntity(templateFile)],
      pullRequests,
      ownership: ['user:default/mock', 'group:default/team-burnham'],
    });
    const { status, log, output } = await runTask(
      server,
      'template:default/create-cluster-generation',
      values,
    );
    expect({ status, log }).toMatchObject({ status: 'completed' });
    const order = applyOrder(log);
    expect(order.every(i => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(log).toMatch(
      /eks-blueprint-blue is ready: 2 node\(s\) Ready, \d+ Argo CD Application\(s\) Synced and Healthy/,
    );
    expect(log).toContain('eks-blueprint-green is ready: 2 node(s) Ready');
    expect(log.indexOf('eks-blueprint-green is ready')).toBeGreaterThan(
      order[2],
    );

    expect(pullRequests).toEqual([
      expect.objectContaining({ repo, branch: 'bluegreen/register-clusters' }),
    ]);
    const { files, diff } = await pullRequestFiles(gitServer, pullRequests[0]);
    expect(files).toEqual(['catalog-info.yaml']);
    expect(diff).toContain(
      '+    kubernetes.io/api-server: https://eks-blueprint-blue.gr7.us-west-2.eks.amazonaws.com',
    );
    expect(diff).toContain("-    bluegreen/cluster-pending: 'true'");
    // Only the clusters' documents change: the System's text is as it was.
    expect(diff).not.toContain('EKS cluster generation eks-blueprint');

    const links = output.links as Array<{ title: string; url?: string }>;
    expect(links).toEqual(
      expect.arrayContaining([
        { title: 'Repository', url: `https://github.com/${repo}` },
        {
          title: 'Pull request registering the clusters',
          url: `https://github.com/${repo}/pull/1`,
        },
      ]),
    );
    expect(output.text[0].content).toContain(
      'Both clusters are applied and ready',
    );
  });

  it('stops at a failure in eks-green; "Deploy cluster generation" then finishes it, environment and eks-blue reporting no changes', async () => {
    const { templateFile, failMarker, values, repo } =
      setUp('generation-fails');
    fs.writeFileSync(failMarker, '');
    const pullRequests: OpenedPullRequest[] = [];
    const server = await backend({
      templates: [
        templateEntity(templateFile),
        templateEntity(path.join(TEMPLATES, 'deploy.yaml')),
      ],
      pullRequests,
      ownership: ['user:default/mock', 'group:default/team-burnham'],
    });
    const first = await runTask(
      server,
      'template:default/create-cluster-generation',
      values,
    );
    expect(first.status).toBe('failed');
    expect(first.log).toContain('cluster creation failed');
    expect(first.log).toMatch(/eks-green: apply failed/);
    expect(first.log).not.toContain('is ready:');
    expect(pullRequests).toEqual([]);

    fs.rmSync(failMarker);
    const second = await runTask(
      server,
      'template:default/deploy-cluster-generation',
      {
        generation: 'system:default/eks-blueprint',
      },
    );
    expect({ status: second.status, log: second.log }).toMatchObject({
      status: 'completed',
    });
    const applied = second.output.text[0].content as string;
    expect(applied).toMatch(
      /environment: Apply complete! Resources: 0 added, 0 changed, 0 destroyed\./,
    );
    expect(applied).toMatch(
      /eks-blue: Apply complete! Resources: 0 added, 0 changed, 0 destroyed\./,
    );
    expect(applied).toMatch(
      /eks-green: Apply complete! Resources: [1-9]\d* added/,
    );
    expect(pullRequests).toEqual([
      expect.objectContaining({ repo, branch: 'bluegreen/register-clusters' }),
    ]);
    const { files } = await pullRequestFiles(gitServer, pullRequests[0]);
    expect(files).toEqual(['catalog-info.yaml']);
  });

  it('refuses to apply a new generation for an owner the user is not and does not belong to, after publishing and before any CLI runs', async () => {
    const { templateFile, values } = setUp('generation-not-mine');
    const server = await backend({
      templates: [templateEntity(templateFile)],
      pullRequests: [],
      ownership: ['user:default/mock', 'group:default/team-payments'],
    });
    const { status, log } = await runTask(
      server,
      'template:default/create-cluster-generation',
      values,
    );
    expect(status).toBe('failed');
    expect(log).toContain(
      'owner: group:default/team-burnham owns the new generation, and you are neither it nor one of its members',
    );
    expect(log).not.toMatch(/\[environment\] \S+ init/);
  });
});
