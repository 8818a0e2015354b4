/*
 * Every entry point is a door: the bluegreen actions authorise the task's initiator
 * themselves, whether the task came from the cutover route, POST /v2/tasks (what /create
 * does), a template someone else wrote, or the dry-run endpoint. The real scaffolder and
 * the bluegreen backend run here; the Terraform CLI is a recording wrapper around the
 * real OpenTofu, so "no CLI process" is observed at the process level.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { Sandbox, startSandbox } from '@bluegreen/example-sandbox';
import request from 'supertest';
import yaml from 'yaml';
import { fixtureRepositoryReader } from '../__testUtils__/fixtureRepository';
import {
  blueGreenComponent,
  BURNHAM,
  CHECKOUT,
  SANDBOX_CREDENTIALS,
} from '../__testUtils__/sandbox';
import {
  GENERATION_ENTITY,
  GENERATION_URL,
  rulePermissionsFactory,
  SECURITY_CONFIG,
} from '../__testUtils__/security';
import { tofuBinary } from '../__testUtils__/tofu';
import bluegreenBackend from '../index';

jest.setTimeout(120_000);

const TEMPLATES = path.resolve(
  __dirname,
  '../../../../templates/eks-blue-green',
);
const template = (file: string) => {
  const parsed = yaml.parse(
    fs.readFileSync(path.join(TEMPLATES, file), 'utf8'),
  );
  return { ...parsed, metadata: { ...parsed.metadata, namespace: 'default' } };
};
const MALLORY = 'user:default/mallory';
const checkout = {
  ...blueGreenComponent('checkout', CHECKOUT),
  spec: {
    type: 'service',
    owner: 'group:default/team-checkout',
    system: 'eks-blueprint',
  },
};
const generation = {
  ...GENERATION_ENTITY,
  metadata: {
    ...GENERATION_ENTITY.metadata,
    annotations: {
      ...GENERATION_ENTITY.metadata.annotations,
      'backstage.io/source-location': `url:${GENERATION_URL}`,
    },
  },
};
/** Someone else's template that runs bluegreen:apply on the generation. */
const applyTemplate = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'apply-anything', namespace: 'default' },
  spec: {
    owner: MALLORY,
    type: 'service',
    steps: [
      {
        id: 'fetch',
        action: 'fetch:plain',
        input: { url: GENERATION_URL },
      },
      {
        id: 'apply',
        action: 'bluegreen:apply',
        input: {
          generation: 'system:default/eks-blueprint',
          stacks: ['environment'],
        },
      },
    ],
  },
};

describe('entry points: the actions authorise the initiator themselves', () => {
  let sandbox: Sandbox;
  const dir = createMockDirectory();
  const calls = () =>
    fs.existsSync(dir.resolve('cli-calls'))
      ? fs
          .readFileSync(dir.resolve('cli-calls'), 'utf8')
          .split('\n')
          .filter(Boolean)
      : [];

  beforeAll(async () => {
    sandbox = await startSandbox({ insyncDelayMs: 0, throttle: false });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => {
    dir.clear();
    // A recording CLI: every process the actions start appends its arguments first.
    dir.addContent({
      'record-cli': `#!/bin/sh\necho "$@" >> ${dir.resolve(
        'cli-calls',
      )}\nexec ${tofuBinary()} "$@"\n`,
    });
    fs.chmodSync(dir.resolve('record-cli'), 0o755);
  });

  async function startBackend() {
    // Mallory owns nothing: no bluegreen permission on any entity; the rest is allowed.
    const permissions = rulePermissionsFactory(
      ({ permission, user }) =>
        !(permission.startsWith('bluegreen.') && user === MALLORY),
    );
    const auditor = mockServices.auditor.mock();
    const { server } = await startTestBackend({
      features: [
        scaffolderPlugin,
        bluegreenBackend,
        permissions.factory,
        auditor.factory,
        catalogServiceMock.factory({
          entities: [
            blueGreenComponent('burnham', BURNHAM),
            checkout,
            generation,
            template('cutover.yaml'),
            template('retire.yaml'),
            template('upgrade.yaml'),
            template('deploy.yaml'),
            applyTemplate,
          ],
        }),
        fixtureRepositoryReader([GENERATION_URL, `${GENERATION_URL}/`]),
        mockServices.rootConfig.factory({
          data: {
            aws: { mainAccount: SANDBOX_CREDENTIALS },
            bluegreen: {
              ...SECURITY_CONFIG.bluegreen,
              aws: { endpoint: sandbox.url },
              terraform: { binary: dir.resolve('record-cli') },
            },
          },
        }),
      ],
    });
    return { server, auditor, permissions };
  }

  const as = (user: string) => mockCredentials.user.header(user);

  async function runTask(
    server: any,
    user: string,
    templateRef: string,
    values: object,
  ) {
    const created = await request(server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', as(user))
      .send({ templateRef, values });
    expect(created.status).toBe(201);
    for (;;) {
      const task = await request(server)
        .get(`/api/scaffolder/v2/tasks/${created.body.id}`)
        .set('Authorization', as(user));
      if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
        const events = await request(server)
          .get(`/api/scaffolder/v2/tasks/${created.body.id}/events`)
          .set('Authorization', as(user));
        const log = (events.body as Array<{ body: { message?: string } }>)
          .map(e => e.body.message ?? '')
          .join('\n');
        return { status: task.body.status as string, log };
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }

  function auditedRefusal(auditor: any, action: string, permission: string) {
    const index = auditor.createEvent.mock.calls.findIndex(
      ([event]: any) => event.meta?.action === action,
    );
    expect(index).toBeGreaterThanOrEqual(0);
    const [event] = auditor.createEvent.mock.calls[index];
    expect(event).toMatchObject({
      eventId: 'bluegreen-action',
      severityLevel: 'high',
      meta: {
        initiator: MALLORY,
        permissions: expect.arrayContaining([
          expect.objectContaining({ permission }),
        ]),
      },
    });
    return auditor.createEvent.mock.results[index].value;
  }

  it('POST /v2/tasks with the cutover template for checkout (route53, force) by a non-owner: set-weight fails with NotAllowedError, Route 53 unchanged, audited', async () => {
    const { server, auditor } = await startBackend();
    const { status, log } = await runTask(
      server,
      MALLORY,
      'template:default/cut-over-traffic',
      {
        entity: 'component:default/checkout',
        weights: { blue: 0, green: 100 },
        mode: 'route53',
        force: true,
      },
    );
    expect(status).toBe('failed');
    expect(log).toContain(
      `NotAllowedError: ${MALLORY} is not allowed to set-weight: permission bluegreen.cutover on component:default/checkout, permission bluegreen.cutover.force on component:default/checkout`,
    );
    expect(sandbox.changeLog()).toHaveLength(0);
    const audit = await auditedRefusal(
      auditor,
      'bluegreen:set-weight',
      'bluegreen.cutover',
    );
    expect(audit.fail).toHaveBeenCalledWith(
      expect.objectContaining({
        error: expect.objectContaining({ name: 'NotAllowedError' }),
      }),
    );
  });

  it('the retire template by a user without bluegreen.retire: refused before any CLI process, audited', async () => {
    const { server, auditor } = await startBackend();
    const { status, log } = await runTask(
      server,
      MALLORY,
      'template:default/retire-cluster-generation',
      {
        generation: 'system:default/eks-blueprint',
        colour: 'green',
        confirmation: 'eks-blueprint-green',
      },
    );
    expect(status).toBe('failed');
    expect(log).toContain(
      'permission bluegreen.retire on system:default/eks-blueprint',
    );
    expect(calls()).toEqual([]);
    await auditedRefusal(
      auditor,
      'bluegreen:destroy-ordered',
      'bluegreen.retire',
    );
  });

  it('the upgrade template by a user without bluegreen.apply: refused before any CLI process and before the version line is written, audited', async () => {
    const { server, auditor } = await startBackend();
    const { status, log } = await runTask(
      server,
      MALLORY,
      'template:default/upgrade-idle-cluster',
      {
        generation: 'system:default/eks-blueprint',
        colour: 'green',
        kubernetes_version: '1.35',
      },
    );
    expect(status).toBe('failed');
    expect(log).toContain(
      'permission bluegreen.apply on system:default/eks-blueprint',
    );
    expect(log).not.toContain('kubernetes_version 1.34 → 1.35');
    expect(calls()).toEqual([]);
    await auditedRefusal(
      auditor,
      'bluegreen:set-cluster-version',
      'bluegreen.apply',
    );
  });

  it('the deploy template by a user without bluegreen.apply: refused before any CLI process, audited', async () => {
    const { server, auditor } = await startBackend();
    const { status, log } = await runTask(
      server,
      MALLORY,
      'template:default/deploy-cluster-generation',
      { generation: 'system:default/eks-blueprint' },
    );
    expect(status).toBe('failed');
    expect(log).toContain(
      'permission bluegreen.apply on system:default/eks-blueprint',
    );
    expect(calls()).toEqual([]);
    await auditedRefusal(auditor, 'bluegreen:apply', 'bluegreen.apply');
  });

  it("someone else's template calling bluegreen:apply, run by a user without bluegreen.apply: refused before any CLI process", async () => {
    const { server, auditor } = await startBackend();
    const { status, log } = await runTask(
      server,
      MALLORY,
      'template:default/apply-anything',
      {},
    );
    expect(status).toBe('failed');
    expect(log).toContain(
      'permission bluegreen.apply on system:default/eks-blueprint',
    );
    expect(calls()).toEqual([]);
    await auditedRefusal(auditor, 'bluegreen:apply', 'bluegreen.apply');
  });

  it('POST /v2/dry-run with uploaded Terraform holding a data "external": no CLI process, no marker file, the commands listed', async () => {
    const { server } = await startBackend();
    const marker = dir.resolve('marker');
    const mainTf = `data "external" "x" {\n  program = ["sh", "-c", "touch ${marker}; echo {}"]\n}\n`;
    // The uploaded files are the template's own folder; fetch:plain copies them into
    // the workspace, where bluegreen:apply would run them.
    const res = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', as('user:default/platform-engineer'))
      .send({
        template: {
          ...applyTemplate,
          spec: {
            ...applyTemplate.spec,
            steps: [
              { id: 'fetch', action: 'fetch:plain', input: { url: './' } },
              applyTemplate.spec.steps[1],
            ],
          },
        },
        values: {},
        secrets: {},
        directoryContents: [
          {
            path: 'environment/main.tf',
            base64Content: Buffer.from(mainTf).toString('base64'),
          },
        ],
      });
    expect(res.body.error).toBeUndefined();
    expect(res.status).toBe(200);
    const log = (res.body.log as Array<{ body: { message?: string } }>)
      .map(entry => entry.body.message ?? '')
      .join('\n');
    expect(log).toContain(
      `Dry run: would run in environment: ${dir.resolve(
        'record-cli',
      )} init -input=false -no-color`,
    );
    expect(log).toContain(
      `Dry run: would run in environment: ${dir.resolve(
        'record-cli',
      )} apply -auto-approve -input=false -json`,
    );
    expect(calls()).toEqual([]);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('the dry-run endpoint authorises too: a user without bluegreen.apply is refused', async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', as(MALLORY))
      .send({
        template: {
          ...applyTemplate,
          spec: { ...applyTemplate.spec, steps: [applyTemplate.spec.steps[1]] },
        },
        values: {},
        secrets: {},
        directoryContents: [],
      });
    const log = JSON.stringify(res.body);
    expect(log).toContain(
      'permission bluegreen.apply on system:default/eks-blueprint',
    );
    expect(calls()).toEqual([]);
  });
});
