/*
 * The "Retire cluster generation" template (templates/eks-blue-green/retire.yaml) through
 * the real scaffolder's dry run, with the bluegreen actions installed. The catalog and the
 * URL reader are test doubles: the generation's repository is the fixture generation.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import request from 'supertest';
import yaml from 'yaml';
import { fixtureRepositoryReader } from '../__testUtils__/fixtureRepository';
import { SECURITY_CONFIG } from '../__testUtils__/security';
import { tofuBinary } from '../__testUtils__/tofu';
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
      'bluegreen/hostname': 'burnham.eks-blueprint.example.com',
    },
  },
  spec: { owner: 'group:default/team-burnham' },
};

describe('template: Retire cluster generation', () => {
  async function dryRun(values: Record<string, unknown>, status = 200) {
    const { server } = await startTestBackend({
      features: [
        scaffolderPlugin,
        bluegreenBackend,
        catalogServiceMock.factory({ entities: [generation] }),
        fixtureRepositoryReader(REPOSITORY),
        mockServices.rootConfig.factory({
          data: {
            bluegreen: {
              ...SECURITY_CONFIG.bluegreen,
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

  const destroyInput = (stack: string, confirmation: string) =>
    new RegExp(
      `Running bluegreen:destroy-ordered in dry-run mode with inputs \\(secrets redacted\\): \\{\\s*"generation": "system:default/eks-blueprint",\\s*"stack": "${stack}",\\s*"confirmation": "${confirmation}"\\s*\\}`,
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
});
