import { ReactNode } from 'react';
import { Entity } from '@backstage/catalog-model';
import {
  catalogApiRef,
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { CatalogApi } from '@backstage/catalog-client';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import {
  kubernetesApiRef,
  kubernetesAuthProvidersApiRef,
} from '@backstage/plugin-kubernetes-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { scaffolderApiRef } from '@backstage/plugin-scaffolder-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  CutoverRunView,
  EksVersionsResponse,
  TrafficStatus,
  UpgradeInsightsResponse,
} from '@bluegreen/plugin-bluegreen-common';
import { blueGreenApiRef } from '../api';

export interface MockOptions {
  /** By entity name; an Error rejects, 'pending' never answers. */
  status?: Record<string, TrafficStatus | Error | 'pending'>;
  /**
   * By entity name; an Error rejects. Without one, both clusters answer no insights.
   */
  insights?: Record<string, UpgradeInsightsResponse | Error>;
  /** The versions EKS supports today; default 1.33 and 1.34 from the versions table. */
  eksVersions?: EksVersionsResponse['versions'];
  /** By entity name; an Error rejects. */
  objects?: Record<string, ObjectsByEntityResponse | Error>;
  allowed?: boolean;
  /** Permissions denied although `allowed` (e.g. bluegreen.cutover.force). */
  denied?: string[];
  cutover?: jest.Mock;
  /** Log events the cutover task streams, ending with a completion. */
  taskEvents?: Array<{
    type: string;
    body: { message: string; stepId?: string; status?: string };
  }>;
  entities?: Entity[];
  /** Replaces the catalog of `entities` (e.g. one whose lookups a test spies on). */
  catalogApi?: CatalogApi;
  startStagedCutover?: jest.Mock;
  /** The entity's staged runs (the list), newest first. */
  runs?: CutoverRunView[];
  /**
   * What following a run answers, in turn; after the last, the follow waits (the
   * backend's long-poll with nothing new).
   */
  runUpdates?: CutoverRunView[];
  commandCutoverRun?: jest.Mock;
}

/** The APIs the bluegreen views use, mocked, and the mocks to assert on. */
export function createMockApis(options: MockOptions = {}) {
  const getTrafficStatus = jest.fn(async (ref: { name: string }) => {
    const answer = options.status?.[ref.name];
    if (answer === 'pending') {
      return new Promise<TrafficStatus>(() => {});
    }
    if (answer instanceof Error || answer === undefined) {
      throw answer ?? new Error(`no status for ${ref.name}`);
    }
    return answer;
  });
  const getInsights = jest.fn(
    async (ref: {
      kind: string;
      namespace: string;
      name: string;
    }): Promise<UpgradeInsightsResponse> => {
      const answer = options.insights?.[ref.name];
      if (answer instanceof Error) {
        throw answer;
      }
      const none = (name: string) => ({
        name,
        status: 'ok' as const,
        insights: [],
      });
      return (
        answer ?? {
          entityRef: `${ref.kind}:${ref.namespace}/${ref.name}`,
          clusters: {
            blue: none('eks-blueprint-blue'),
            green: none('eks-blueprint-green'),
          },
        }
      );
    },
  );
  const getEksVersions = jest.fn(async () => ({
    source: 'versions-table' as const,
    versions: options.eksVersions ?? [
      {
        version: '1.33',
        endOfStandardSupport: '2026-07-29',
        endOfExtendedSupport: '2027-07-29',
        supportStatus: 'extended' as const,
      },
      {
        version: '1.34',
        endOfStandardSupport: '2026-12-02',
        endOfExtendedSupport: '2027-12-02',
        supportStatus: 'standard' as const,
      },
    ],
  }));
  const cutover =
    options.cutover ??
    jest.fn(async () => ({ taskId: 'task-1', mode: 'route53' }));
  const startStagedCutover =
    options.startStagedCutover ?? jest.fn(async () => ({ runId: 'run-1' }));
  const listCutoverRuns = jest.fn(async () => ({ runs: options.runs ?? [] }));
  const updates = [...(options.runUpdates ?? [])];
  const getCutoverRun = jest.fn(
    async (_id: string, request: { signal?: AbortSignal } = {}) =>
      updates.shift() ??
      new Promise<CutoverRunView>((_, reject) =>
        request.signal?.addEventListener('abort', () =>
          reject(new Error('aborted')),
        ),
      ),
  );
  const commandCutoverRun =
    options.commandCutoverRun ??
    jest.fn(async () => ({} as unknown as CutoverRunView));
  const kubernetesApi = {
    getClusters: jest.fn(async () => [
      { name: 'eks-blueprint-blue', authProvider: 'serviceAccount' },
      { name: 'eks-blueprint-green', authProvider: 'serviceAccount' },
    ]),
    getObjectsByEntity: jest.fn(async (request: { entity: Entity }) => {
      const answer = options.objects?.[request.entity.metadata.name];
      if (answer instanceof Error) {
        throw answer;
      }
      return answer ?? { items: [] };
    }),
  };
  const scaffolderApi = {
    getTask: jest.fn(async (taskId: string) => ({
      id: taskId,
      status: 'processing',
      spec: {
        steps: [
          {
            id: 'entity',
            name: 'Look up the service',
            action: 'catalog:fetch',
          },
          {
            id: 'set-weight',
            name: 'Set the weights',
            action: 'bluegreen:set-weight',
          },
        ],
      },
    })),
    streamLogs: jest.fn(() => ({
      subscribe(observer: { next: (event: unknown) => void }) {
        const timer = setTimeout(() =>
          (options.taskEvents ?? []).forEach((event, id) =>
            observer.next({ ...event, id, taskId: 'task-1', createdAt: '' }),
          ),
        );
        return {
          closed: false,
          unsubscribe: () => clearTimeout(timer),
        };
      },
    })),
  };
  const apis = [
    [
      blueGreenApiRef,
      {
        getTrafficStatus,
        getInsights,
        getEksVersions,
        cutover,
        startStagedCutover,
        listCutoverRuns,
        getCutoverRun,
        commandCutoverRun,
      },
    ],
    [kubernetesApiRef, kubernetesApi],
    [
      kubernetesAuthProvidersApiRef,
      { decorateRequestBodyForAuth: async (_: string, body: unknown) => body },
    ],
    [
      permissionApiRef,
      mockApis.permission({
        authorize: request =>
          options.allowed === false ||
          options.denied?.includes(request.permission.name)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      }),
    ],
    [scaffolderApiRef, scaffolderApi],
    [
      catalogApiRef,
      options.catalogApi ??
        catalogApiMock({ entities: options.entities ?? [] }),
    ],
  ] as const;
  return {
    apis: apis as any,
    mocks: {
      getTrafficStatus,
      getInsights,
      getEksVersions,
      cutover,
      startStagedCutover,
      listCutoverRuns,
      getCutoverRun,
      commandCutoverRun,
      kubernetesApi,
      scaffolderApi,
    },
  };
}

/** Renders `ui` for `entity` with the APIs the bluegreen views use, mocked. */
export async function renderWithApis(
  ui: ReactNode,
  entity: Entity,
  options: MockOptions = {},
) {
  const { apis, mocks } = createMockApis(options);
  await renderInTestApp(
    <TestApiProvider apis={apis}>
      <EntityProvider entity={entity}>{ui}</EntityProvider>
    </TestApiProvider>,
    // Entity links in the tables need the catalog's entity route.
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
  return mocks;
}
