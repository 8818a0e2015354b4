/*
 * The "Create new cluster generation" template (templates/eks-blue-green/template.yaml)
 * as real scaffolder tasks with the bluegreen backend installed, for two value sets. The
 * publish step is a stand-in with publish:github's id that pushes the workspace with the
 * same isomorphic-git code (initRepoAndPush) to a local git server; the result is read
 * back with the real git CLI and checked with the real OpenTofu CLI. The catalog is a
 * test double serving the template and recording the registration. EKS versions come
 * from the AWS sandbox (a local stand-in).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import githubModule from '@backstage/plugin-scaffolder-backend-module-github';
import {
  AWS_COMMERCIAL_REGIONS,
  weightFileContent,
} from '@bluegreen/plugin-bluegreen-common';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import request from 'supertest';
import yaml from 'yaml';
import { seedGenerationValues } from '../__fixtures__/generationValues';
import { SANDBOX_CREDENTIALS } from '../__testUtils__/sandbox';
import {
  git,
  GitHttpServer,
  startGitHttpServer,
} from '../__testUtils__/gitHttpServer';
import { tofuBinary } from '../__testUtils__/tofu';
import { gitHubStandInModule } from '../__testUtils__/gitRepositories';
import bluegreenBackend from '../index';

jest.setTimeout(180_000);

const TEMPLATE_DIR = path.resolve(
  __dirname,
  '../../../../templates/eks-blue-green',
);
const TEMPLATE_FILE = path.join(TEMPLATE_DIR, 'template.yaml');
const TEMPLATE_REF = 'template:default/create-cluster-generation';
const template = yaml.parse(fs.readFileSync(TEMPLATE_FILE, 'utf8'));
const templateEntity = {
  ...template,
  metadata: {
    ...template.metadata,
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-location': `file:${TEMPLATE_FILE}`,
      'backstage.io/managed-by-origin-location': `file:${TEMPLATE_FILE}`,
    },
  },
};

const seed = seedGenerationValues();
const { blue: older, green: newer } = seed.kubernetes_versions;

const valueSets = {
  'the seed defaults': {
    ...seed,
    repoUrl: 'github.com?owner=acme&repo=eks-blueprint-generation',
    owner: 'group:default/team-burnham',
    // Published only: "Apply now" runs in deployGeneration.test.ts, on fixture stacks.
    applyNow: false,
  },
  'another region, split traffic and custom repositories': {
    ...seed,
    aws_region: 'eu-central-1',
    environment_name: 'payments-prod',
    hosted_zone_name: 'corp.example.org',
    eks_admin_role_name: 'PlatformAdmin',
    gitops_workloads_org: 'git@github.com:acme',
    gitops_workloads_repo: 'payments-workloads',
    gitops_workloads_revision: 'v2',
    gitops_workloads_path: 'envs/prod',
    kubernetes_versions: { blue: newer, green: newer },
    initial_weights: { blue: 50, green: 50 },
    record_ttl: 300,
    state_bucket: 'acme-state-eu',
    state_key_prefix: 'platform/payments-prod',
    state_region: 'eu-central-1',
    repoUrl: 'github.com?owner=acme&repo=payments-prod-clusters',
    owner: 'group:default/team-payments',
    applyNow: false,
  },
};

describe('template: Create new cluster generation', () => {
  let sandbox: Sandbox;
  let gitServer: GitHttpServer;
  let gitRoot: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ throttle: false });
    gitServer = await startGitHttpServer();
    gitRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bluegreen-clone-'));
  });
  afterAll(async () => {
    await sandbox.close();
    await gitServer.close();
    fs.rmSync(gitRoot, { recursive: true, force: true });
  });

  async function runTask(values: Record<string, unknown>) {
    const addLocation = jest.fn(async (location: { target: string }) => ({
      location: { id: 'l1', type: 'url', target: location.target },
      entities: [],
    }));
    // The in-memory catalog serves the template; registrations are recorded.
    const catalog = catalogServiceMock({ entities: [templateEntity] });
    catalog.addLocation = addLocation as any;
    const { server } = await startTestBackend({
      features: [
        scaffolderPlugin,
        bluegreenBackend,
        gitHubStandInModule(gitServer),
        createServiceFactory({
          service: catalogServiceRef,
          deps: {},
          factory: () => catalog,
        }),
        mockServices.rootConfig.factory({
          data: {
            aws: { mainAccount: SANDBOX_CREDENTIALS },
            bluegreen: { aws: { endpoint: sandbox.url } },
          },
        }),
      ],
    });
    const created = await request(server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', mockCredentials.user.header())
      .send({ templateRef: TEMPLATE_REF, values });
    expect(created.status).toBe(201);
    for (;;) {
      const task = await request(server)
        .get(`/api/scaffolder/v2/tasks/${created.body.id}`)
        .set('Authorization', mockCredentials.user.header());
      if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
        const events = await request(server)
          .get(`/api/scaffolder/v2/tasks/${created.body.id}/events`)
          .set('Authorization', mockCredentials.user.header());
        const log = (events.body as Array<{ body: { message?: string } }>)
          .map(e => e.body.message ?? '')
          .join('\n');
        return { status: task.body.status as string, log, addLocation };
      }
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  }

  function assignments(text: string): Record<string, string> {
    return Object.fromEntries(
      [...text.matchAll(/^\s*([a-z_]+)\s*=\s*"?([^"\n]*)"?\s*$/gm)].map(m => [
        m[1],
        m[2],
      ]),
    );
  }

  function files(dir: string, base = dir): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
      const full = path.join(dir, entry.name);
      if (entry.name === '.git') {
        return [];
      }
      return entry.isDirectory() && !entry.isSymbolicLink()
        ? files(full, base)
        : [path.relative(base, full)];
    });
  }

  it.each(Object.entries(valueSets))(
    'publishes a generation repository for %s',
    async (_, values) => {
      const { status, log, addLocation } = await runTask(values);
      expect({ status, log }).toMatchObject({ status: 'completed' });

      const params = new URLSearchParams(values.repoUrl.split('?')[1]);
      const name = `${params.get('owner')}/${params.get('repo')}`;
      const checkout = path.join(gitRoot, name);
      await git(['clone', '--quiet', `${gitServer.url}/${name}.git`, checkout]);

      // The shared variables are linked into every stack as git symlinks.
      const tree = (await git(['ls-tree', '-r', 'HEAD'], checkout))
        .trim()
        .split('\n')
        .map(line => {
          const [meta, file] = line.split('\t');
          const [mode, , sha] = meta.split(' ');
          return { mode, sha, file };
        });
      for (const stack of ['environment', 'eks-blue', 'eks-green']) {
        const link = tree.find(e => e.file === `${stack}/terraform.tfvars`);
        expect({ stack, mode: link?.mode }).toEqual({ stack, mode: '120000' });
        expect(await git(['cat-file', '-p', link!.sha], checkout)).toBe(
          '../terraform.tfvars',
        );
        expect(
          fs
            .lstatSync(path.join(checkout, stack, 'terraform.tfvars'))
            .isSymbolicLink(),
        ).toBe(true);
      }

      // The tree: three stacks, the shared module, docs and catalog; nothing unrendered.
      const all = files(checkout);
      expect(all).toEqual(
        expect.arrayContaining([
          'terraform.tfvars',
          'README.md',
          'catalog-info.yaml',
          'environment/main.tf',
          'environment/backend.tf',
          'eks-blue/main.tf',
          'eks-blue/backend.tf',
          'eks-blue/traffic.auto.tfvars',
          'eks-green/main.tf',
          'eks-green/traffic.auto.tfvars',
          'modules/eks_cluster/main.tf',
        ]),
      );
      expect(all.filter(f => f.endsWith('.njk'))).toEqual([]);
      expect(
        all.filter(f =>
          fs.readFileSync(path.join(checkout, f), 'utf8').includes('${{'),
        ),
      ).toEqual([]);

      // The form's values in the shared tfvars, the weights in the weight files.
      const shared = assignments(
        fs.readFileSync(path.join(checkout, 'terraform.tfvars'), 'utf8'),
      );
      for (const key of [
        'aws_region',
        'environment_name',
        'hosted_zone_name',
        'eks_admin_role_name',
        'gitops_workloads_org',
        'gitops_workloads_repo',
        'gitops_workloads_revision',
        'gitops_workloads_path',
        'gitops_addons_repo',
      ] as const) {
        expect({ key, value: shared[key] }).toEqual({
          key,
          value: values[key],
        });
      }
      expect(shared.record_ttl).toBe(String(values.record_ttl));
      for (const colour of ['blue', 'green'] as const) {
        expect(
          fs.readFileSync(
            path.join(checkout, `eks-${colour}`, 'traffic.auto.tfvars'),
            'utf8',
          ),
        ).toBe(weightFileContent(values.initial_weights[colour]));
      }
      const backend = fs.readFileSync(
        path.join(checkout, 'eks-green/backend.tf'),
        'utf8',
      );
      expect(backend).toContain(`bucket       = "${values.state_bucket}"`);
      expect(backend).toContain(
        `key          = "${values.state_key_prefix}/eks-green/terraform.tfstate"`,
      );
      expect(backend).toMatch(/use_lockfile\s*=\s*true/);

      // eks-blue and eks-green differ only in service name, version and weight.
      const differences: string[] = [];
      const stackFiles = files(path.join(checkout, 'eks-blue'));
      const isLink = (file: string) =>
        fs.lstatSync(path.join(checkout, 'eks-blue', file)).isSymbolicLink();
      // The shared variables: the same link in both stacks.
      expect(
        stackFiles
          .filter(isLink)
          .map(file => [
            fs.readlinkSync(path.join(checkout, 'eks-blue', file)),
            fs.readlinkSync(path.join(checkout, 'eks-green', file)),
          ]),
      ).toEqual([['../terraform.tfvars', '../terraform.tfvars']]);
      for (const file of stackFiles.filter(f => !isLink(f))) {
        const blue = fs
          .readFileSync(path.join(checkout, 'eks-blue', file), 'utf8')
          .replace(/\bblue\b/g, 'green')
          .split('\n');
        const green = fs
          .readFileSync(path.join(checkout, 'eks-green', file), 'utf8')
          .split('\n');
        expect({ file, lines: green.length }).toEqual({
          file,
          lines: blue.length,
        });
        blue.forEach((line, i) => {
          if (line !== green[i]) {
            differences.push(`${file}: ${line.trim()} | ${green[i].trim()}`);
          }
        });
      }
      expect(files(path.join(checkout, 'eks-green')).sort()).toEqual(
        files(path.join(checkout, 'eks-blue')).sort(),
      );
      expect(
        differences.filter(d => !/kubernetes_version|route53_weight/.test(d)),
      ).toEqual([]);
      expect(differences).toHaveLength(
        (values.kubernetes_versions.blue === values.kubernetes_versions.green
          ? 0
          : 1) +
          (values.initial_weights.blue === values.initial_weights.green
            ? 0
            : 1),
      );

      // Every .tf file parses and is formatted, by the real OpenTofu CLI.
      const fmt = spawnSync(
        tofuBinary(),
        ['fmt', '-check', '-recursive', '-diff', checkout],
        {
          encoding: 'utf8',
          env: { ...process.env, TF_CLI_CONFIG_FILE: undefined },
        },
      );
      expect({ status: fmt.status, out: fmt.stdout + fmt.stderr }).toEqual({
        status: 0,
        out: '',
      });

      // The catalog file registers the generation, its clusters and burnham.
      const docs = yaml
        .parseAllDocuments(
          fs.readFileSync(path.join(checkout, 'catalog-info.yaml'), 'utf8'),
        )
        .map(d => d.toJS());
      const env = values.environment_name;
      const hostname = `burnham.${env}.${values.hosted_zone_name}`;
      expect(docs.map(d => `${d.kind}:${d.metadata.name}`)).toEqual(
        expect.arrayContaining([
          `System:${env}`,
          `Resource:${env}-blue`,
          `Resource:${env}-green`,
          `Component:burnham-${env}`,
        ]),
      );
      const burnham = docs.find(d => d.kind === 'Component');
      expect(burnham.metadata.annotations).toMatchObject({
        'bluegreen/hostname': hostname,
        'bluegreen/hosted-zone': `${env}.${values.hosted_zone_name}`,
        'bluegreen/blue-cluster': `${env}-blue`,
        'bluegreen/green-cluster': `${env}-green`,
        'bluegreen/generation-repo': values.repoUrl,
      });
      expect(burnham.spec.owner).toBe(values.owner);
      expect(addLocation).toHaveBeenCalledWith(
        expect.objectContaining({
          type: 'url',
          // catalog:register addresses the file through the repository's tree view.
          target: `https://github.com/${name}/tree/main/catalog-info.yaml`,
        }),
        expect.anything(),
      );
    },
  );

  it('refuses bad values in its first step: nothing is rendered, published or registered', async () => {
    const values = {
      ...valueSets['the seed defaults'],
      initial_weights: { blue: 0, green: 0 },
      kubernetes_versions: { blue: newer, green: older },
      repoUrl: 'github.com?owner=acme&repo=refused',
    };
    const { status, log, addLocation } = await runTask(values);
    expect(status).toBe('failed');
    expect(log).toContain('initial_weights: blue and green must not both be 0');
    expect(log).toContain(
      `kubernetes_versions.green: must not be older than blue (${newer})`,
    );
    expect(log).not.toContain('Render the Terraform repository');
    await expect(
      git(['ls-remote', `${gitServer.url}/acme/refused.git`]),
    ).rejects.toThrow();
    expect(addLocation).not.toHaveBeenCalled();
  });

  it("offers exactly bluegreen-common's AWS commercial regions", () => {
    const pages = template.spec.parameters as Array<{
      properties: Record<string, { enum?: string[] }>;
    }>;
    const regionFields = pages.flatMap(page =>
      ['aws_region', 'state_region']
        .filter(name => page.properties[name])
        .map(name => page.properties[name].enum),
    );
    expect(regionFields).toEqual([
      [...AWS_COMMERCIAL_REGIONS],
      [...AWS_COMMERCIAL_REGIONS],
    ]);
  });

  it("renders in the template editor's dry run", async () => {
    const { server } = await startTestBackend({
      features: [
        scaffolderPlugin,
        githubModule,
        bluegreenBackend,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({
          data: {
            aws: { mainAccount: SANDBOX_CREDENTIALS },
            bluegreen: { aws: { endpoint: sandbox.url } },
            integrations: {
              github: [{ host: 'github.com', token: 'not-a-real-token' }],
            },
          },
        }),
      ],
    });
    const directoryContents = files(TEMPLATE_DIR).map(file => ({
      path: file,
      base64Content: fs
        .readFileSync(path.join(TEMPLATE_DIR, file))
        .toString('base64'),
    }));
    const res = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header())
      .send({
        template,
        // Apply now too: its steps only say what they would do.
        values: { ...valueSets['the seed defaults'], applyNow: true },
        secrets: {},
        directoryContents,
      });
    expect(res.body.error).toBeUndefined();
    expect(res.status).toBe(200);
    const log = (res.body.log as Array<{ body: { message?: string } }>)
      .map(entry => entry.body.message ?? '')
      .join('\n');
    expect(log).not.toMatch(/has failed/);
    expect(log).toContain(
      'Dry run: would wait for the catalog to show the new system:default/eks-blueprint, require you to be its owner and hold bluegreen.apply on it, then run init and apply in eks-green',
    );
    expect(log).toContain(
      "Dry run: would write the green cluster's API server, CA and auth provider from its stack's outputs into catalog-info.yaml",
    );
    expect(log).toContain(
      'Dry run: would wait up to 30 min for eks-blueprint-green: nodes Ready',
    );
    const rendered = (
      res.body.directoryContents as Array<{ path: string }>
    ).map(f => f.path);
    expect(rendered).toEqual(
      expect.arrayContaining([
        'terraform.tfvars',
        'eks-blue/main.tf',
        'eks-green/traffic.auto.tfvars',
        'catalog-info.yaml',
      ]),
    );
  });
});
