import fs from 'node:fs';
import path from 'node:path';
import { UrlReaderService } from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  bluegreenApplyPermission,
  bluegreenRetirePermission,
} from '@bluegreen/plugin-bluegreen-common';
import { fixtureUrlReader } from '../__testUtils__/fixtureRepository';
import {
  GENERATION_ENTITY,
  GENERATION_URL,
  PermissionRule,
  SECURITY_CONFIG,
  testGuard,
} from '../__testUtils__/security';
import { copyGeneration } from '../__testUtils__/tofu';
import { RunDirectory } from '../terraform/RunDirectory';
import { GenerationGuard } from './GenerationGuard';
import { GenerationRepositories } from './GenerationRepositories';
import { Generation, Generations } from './Generations';
import { WorkspaceVerifier } from './WorkspaceVerifier';

describe('GenerationGuard', () => {
  const workspace = createMockDirectory();

  beforeEach(() => {
    workspace.clear();
    copyGeneration(workspace.path);
  });

  function setUp(
    extra: {
      entities?: Entity[];
      rule?: PermissionRule;
      urlReader?: UrlReaderService;
      isDryRun?: boolean;
      credentials?: ReturnType<typeof mockCredentials.user>;
    } = {},
  ) {
    const { guard, auditor, permissionRequests } = testGuard(extra.rule);
    const catalog = catalogServiceMock({
      entities: extra.entities ?? [GENERATION_ENTITY],
    });
    const getEntityByRef = jest.spyOn(catalog, 'getEntityByRef');
    const urlReader = extra.urlReader ?? fixtureUrlReader(GENERATION_URL);
    const readTree = jest.spyOn(urlReader, 'readTree');
    const generationGuard = new GenerationGuard({
      guard,
      generations: new Generations({
        catalog,
        repositories: GenerationRepositories.fromConfig(
          new ConfigReader(SECURITY_CONFIG),
        ),
      }),
      verifier: new WorkspaceVerifier(urlReader),
      userInfo: mockServices.userInfo(),
    });
    const logger = mockServices.logger.mock();
    const credentials = extra.credentials ?? mockCredentials.user();
    const ctx = {
      ...createMockActionContext({ workspacePath: workspace.path, logger }),
      isDryRun: extra.isDryRun,
      getInitiatorCredentials: async () => credentials,
    };
    const seen: { generation?: Generation; run?: RunDirectory } = {};
    const work = jest.fn(async (generation: Generation, run: RunDirectory) => {
      seen.generation = generation;
      seen.run = run;
      // The run directory exists while the work runs, inside the workspace.
      expect(fs.statSync(run.home).isDirectory()).toBe(true);
      return 'done';
    });
    const attempt = (generation = 'system:default/eks-blueprint') =>
      generationGuard.run(
        ctx as any,
        {
          action: 'bluegreen:apply',
          permission: bluegreenApplyPermission,
          generation,
          meta: { stacks: ['environment'] },
          weightFiles: 'may-change',
        },
        work,
      );
    const lines = () => logger.info.mock.calls.map(call => String(call[0]));
    return {
      attempt,
      work,
      seen,
      auditor,
      permissionRequests,
      getEntityByRef,
      readTree,
      credentials,
      generationGuard,
      ctx,
      lines,
    };
  }

  const audit = async (auditor: ReturnType<typeof testGuard>['auditor']) =>
    auditor.createEvent.mock.results[0].value;

  it('authorises the initiator on the generation, verifies the workspace, then runs the work in a run directory removed afterwards', async () => {
    const t = setUp();

    await expect(t.attempt('eks-blueprint')).resolves.toBe('done');

    expect(t.permissionRequests).toEqual([
      {
        permission: 'bluegreen.apply',
        resourceRef: 'system:default/eks-blueprint',
        user: 'user:default/mock',
      },
    ]);
    // The catalog is read with the initiator's credentials, not the backend's.
    expect(t.getEntityByRef).toHaveBeenCalledWith(
      'system:default/eks-blueprint',
      { credentials: t.credentials },
    );
    expect(t.readTree).toHaveBeenCalledWith(GENERATION_URL);
    expect(t.seen.generation).toMatchObject({
      entityRef: 'system:default/eks-blueprint',
      repository: {
        host: 'github.com',
        owner: 'example',
        repo: 'eks-blueprint-generation',
        url: GENERATION_URL,
      },
    });
    const root = t.seen.run!.root;
    expect(path.relative(workspace.path, root)).toMatch(
      /^\.bluegreen\/run-[^/]+$/,
    );
    expect(t.seen.run!.home).toBe(path.join(root, 'home'));
    expect(t.seen.run!.dataDirFor(path.join(workspace.path, 'eks-blue'))).toBe(
      path.join(root, 'data', 'eks-blue'),
    );
    expect(fs.existsSync(root)).toBe(false);
    expect(fs.existsSync(path.join(workspace.path, '.bluegreen'))).toBe(false);
    expect(t.lines()).toContain(
      `The workspace holds ${GENERATION_URL}, which declares system:default/eks-blueprint`,
    );
    const [[event]] = t.auditor.createEvent.mock.calls;
    expect(event).toMatchObject({
      eventId: 'bluegreen-action',
      severityLevel: 'high',
      meta: {
        action: 'bluegreen:apply',
        initiator: 'user:default/mock',
        taskId: 'mock-task-id',
        dryRun: false,
        permissions: [
          {
            permission: 'bluegreen.apply',
            entityRef: 'system:default/eks-blueprint',
          },
        ],
        input: { stacks: ['environment'] },
      },
    });
    expect((await audit(t.auditor)).success).toHaveBeenCalledTimes(1);
  });

  it('refuses an initiator without the permission before reading the catalog or the repository', async () => {
    const t = setUp({
      rule: ({ permission }) => permission === bluegreenRetirePermission.name,
    });

    await expect(t.attempt()).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'user:default/mock is not allowed to apply: permission bluegreen.apply on system:default/eks-blueprint',
    });
    expect(t.work).not.toHaveBeenCalled();
    expect(t.getEntityByRef).not.toHaveBeenCalled();
    expect(t.readTree).not.toHaveBeenCalled();
    expect(fs.existsSync(path.join(workspace.path, '.bluegreen'))).toBe(false);
    const event = await audit(t.auditor);
    expect(event.fail).toHaveBeenCalledWith(
      expect.objectContaining({ meta: { refused: true } }),
    );
    expect(event.success).not.toHaveBeenCalled();
  });

  it('refuses a task without a user initiator without asking the permission service', async () => {
    const t = setUp({ credentials: mockCredentials.service() as any });

    await expect(t.attempt()).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'bluegreen:apply runs only for a task started by a signed-in user; this task has no user initiator',
    });
    expect(t.permissionRequests).toEqual([]);
    expect(t.work).not.toHaveBeenCalled();
    expect((await audit(t.auditor)).fail).toHaveBeenCalledTimes(1);
  });

  it('runs no work when the workspace does not hold the repository, audits the failure and removes the run directory', async () => {
    fs.writeFileSync(path.join(workspace.path, 'environment/evil.tf'), '');
    const t = setUp();

    await expect(t.attempt()).rejects.toThrow(
      'environment/evil.tf is not in the repository',
    );
    expect(t.work).not.toHaveBeenCalled();
    expect(fs.existsSync(path.join(workspace.path, '.bluegreen'))).toBe(false);
    const event = await audit(t.auditor);
    expect(event.fail).toHaveBeenCalledTimes(1);
    expect(event.fail).not.toHaveBeenCalledWith(
      expect.objectContaining({ meta: { refused: true } }),
    );
  });

  it('in a dry run authorises and resolves the generation but neither reads the repository nor compares the workspace', async () => {
    fs.writeFileSync(path.join(workspace.path, 'environment/evil.tf'), '');
    const t = setUp({ isDryRun: true });

    await expect(t.attempt()).resolves.toBe('done');

    expect(t.permissionRequests).toHaveLength(1);
    expect(t.getEntityByRef).toHaveBeenCalled();
    expect(t.readTree).not.toHaveBeenCalled();
    expect(t.lines()).toContain(
      `Dry run: the workspace is not compared with ${GENERATION_URL} and no CLI runs`,
    );
    expect(t.auditor.createEvent.mock.calls[0][0].meta).toMatchObject({
      dryRun: true,
    });
  });

  it('audits a failing work as failed (not refused) and still removes the run directory', async () => {
    const t = setUp();
    t.work.mockImplementationOnce(async () => {
      throw new Error('apply failed');
    });

    await expect(t.attempt()).rejects.toThrow('apply failed');
    expect(fs.existsSync(path.join(workspace.path, '.bluegreen'))).toBe(false);
    const event = await audit(t.auditor);
    expect(event.fail).toHaveBeenCalledWith({
      error: expect.objectContaining({ message: 'apply failed' }),
    });
  });

  it('takes the repository from the source location when the generation has no bluegreen/generation-repo', async () => {
    const t = setUp({
      entities: [
        {
          ...GENERATION_ENTITY,
          metadata: {
            ...GENERATION_ENTITY.metadata,
            annotations: {
              'backstage.io/source-location':
                'url:https://github.com/example/eks-blueprint-generation/tree/main/',
            },
          },
        },
      ],
    });

    await t.attempt();
    expect(t.seen.generation?.repository.url).toBe(GENERATION_URL);
    expect(t.readTree).toHaveBeenCalledWith(GENERATION_URL);
  });

  it.each<[string, Entity[], string, string | RegExp]>([
    [
      'a repository outside bluegreen.generations.repositories',
      [
        {
          ...GENERATION_ENTITY,
          metadata: {
            ...GENERATION_ENTITY.metadata,
            annotations: {
              'bluegreen/generation-repo': 'github.com?owner=evil&repo=x',
            },
          },
        },
      ],
      'NotAllowedError',
      'system:default/eks-blueprint bluegreen/generation-repo: repository github.com/evil/x is not in bluegreen.generations.repositories',
    ],
    [
      'an annotation that is not a repository',
      [
        {
          ...GENERATION_ENTITY,
          metadata: {
            ...GENERATION_ENTITY.metadata,
            annotations: { 'bluegreen/generation-repo': 'file:///etc' },
          },
        },
      ],
      'NotAllowedError',
      /bluegreen\/generation-repo: "file:\/\/\/etc" is not a repository/,
    ],
    [
      'no repository annotation at all',
      [
        {
          ...GENERATION_ENTITY,
          metadata: { ...GENERATION_ENTITY.metadata, annotations: {} },
        },
      ],
      'NotAllowedError',
      /backstage\.io\/source-location: "" is not a repository/,
    ],
    [
      'a generation missing from the catalog',
      [],
      'NotFoundError',
      'generation: system:default/eks-blueprint was not found',
    ],
  ])(
    'refuses %s before reading any repository',
    async (_what, entities, name, message) => {
      const t = setUp({ entities });
      const result = t.attempt();
      await expect(result).rejects.toMatchObject({ name });
      await expect(result).rejects.toThrow(message);
      expect(t.readTree).not.toHaveBeenCalled();
      expect(t.work).not.toHaveBeenCalled();
      expect((await audit(t.auditor)).fail).toHaveBeenCalledTimes(1);
    },
  );

  it.each([
    [
      'component:default/eks-blueprint',
      "generation: must be the generation's System entity, got kind component",
    ],
    ['system:', 'generation:'],
  ])(
    'refuses the generation input %j before authorising',
    async (value, message) => {
      const t = setUp();
      await expect(t.attempt(value)).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(message),
      });
      expect(t.permissionRequests).toEqual([]);
      expect(t.work).not.toHaveBeenCalled();
    },
  );

  it("an entity a user registered and owns that names another team's repository: refused, because the repository does not declare it", async () => {
    const squatter: Entity = {
      ...GENERATION_ENTITY,
      metadata: { ...GENERATION_ENTITY.metadata, name: 'my-generation' },
      spec: { owner: 'user:default/mallory' },
    };
    const t = setUp({ entities: [squatter] });

    await expect(t.attempt('system:default/my-generation')).rejects.toThrow(
      `generation: ${GENERATION_URL}/catalog-info.yaml does not declare system:default/my-generation owned by user:default/mallory`,
    );
    expect(t.work).not.toHaveBeenCalled();
  });

  it('the declared System with another owner is refused too', async () => {
    const t = setUp({
      entities: [
        { ...GENERATION_ENTITY, spec: { owner: 'user:default/mallory' } },
      ],
    });
    await expect(t.attempt()).rejects.toThrow(
      'does not declare system:default/eks-blueprint owned by user:default/mallory',
    );
    expect(t.work).not.toHaveBeenCalled();
  });

  it('a changed weight file moves traffic: without bluegreen.cutover on the generation the work never runs', async () => {
    fs.writeFileSync(
      path.join(workspace.path, 'eks-green/traffic.auto.tfvars'),
      'route53_weight = 100\n',
    );
    const t = setUp({
      rule: ({ permission }) => permission !== 'bluegreen.cutover',
    });

    await expect(t.attempt()).rejects.toThrow(
      'permission bluegreen.cutover on system:default/eks-blueprint (needed for changed weight files (eks-green/traffic.auto.tfvars))',
    );
    expect(t.work).not.toHaveBeenCalled();
    expect((await audit(t.auditor)).fail).toHaveBeenCalledTimes(1);
  });

  it('a changed weight file with bluegreen.cutover: the work runs', async () => {
    fs.writeFileSync(
      path.join(workspace.path, 'eks-green/traffic.auto.tfvars'),
      'route53_weight = 100\n',
    );
    const t = setUp();
    await expect(t.attempt()).resolves.toBe('done');
    expect(t.permissionRequests.map(r => r.permission)).toEqual([
      'bluegreen.apply',
      'bluegreen.cutover',
    ]);
  });
});
