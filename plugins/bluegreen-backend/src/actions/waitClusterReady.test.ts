import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import yaml from 'yaml';
import { GENERATION_ENTITY } from '../__testUtils__/security';
import { KubernetesApi } from '../teardown/KubernetesProxyClient';
import { createWaitClusterReadyAction } from './waitClusterReady';
import { examples } from './waitClusterReady.examples';

type Lists = Record<string, unknown[] | undefined>;

const NODES = '/api/v1/nodes';
const APPS = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';
const node = (name: string, ready: string) => ({
  metadata: { name },
  status: {
    conditions: [{ type: 'Ready', status: ready, reason: 'KubeletNotReady' }],
  },
});
const app = (name: string, sync: string, health: string) => ({
  metadata: { name },
  status: { sync: { status: sync }, health: { status: health } },
});

/**
 * The cluster API as a sequence of answers per poll (the template tests read real
 * kube-apiservers through the real Kubernetes backend).
 */
function clusterAnswering(polls: Lists[]) {
  const asked: string[] = [];
  let poll = -1;
  const api: KubernetesApi = {
    async list(path) {
      asked.push(path);
      // Each poll reads the nodes first.
      if (path === NODES) poll++;
      const answer = polls[Math.min(poll, polls.length - 1)];
      if (answer[path] instanceof Error) throw answer[path];
      return answer[path] as any;
    },
    async delete() {
      throw new Error('the readiness wait never deletes');
    },
    async mergePatch() {
      throw new Error('the readiness wait never patches');
    },
  };
  return { api, asked };
}

describe('bluegreen:wait-cluster-ready', () => {
  function setUp(polls: Lists[], isDryRun = false) {
    const cluster = clusterAnswering(polls);
    const clusters: string[] = [];
    const action = createWaitClusterReadyAction({
      catalog: catalogServiceMock({ entities: [GENERATION_ENTITY] }),
      clusterApi: name => {
        clusters.push(name);
        return cluster.api;
      },
    });
    const logger = mockServices.logger.mock();
    const controller = new AbortController();
    const run = (input: JsonObject) => {
      const ctx = {
        ...createMockActionContext({ input, logger }),
        isDryRun,
        signal: controller.signal,
      };
      return { ctx, done: action.handler(ctx as any) };
    };
    const lines = () => logger.info.mock.calls.map(call => String(call[0]));
    return { run, lines, clusters, asked: cluster.asked, controller };
  }

  const INPUT = {
    generation: 'system:default/eks-blueprint',
    colours: ['green'],
    pollSeconds: 1,
  };

  it('says what is not ready yet, line by line as it changes, until nodes are Ready and every Application Synced and Healthy', async () => {
    const { run, lines, clusters } = setUp([
      { [NODES]: [], [APPS]: undefined },
      {
        [NODES]: [node('n1', 'False')],
        [APPS]: [app('burnham', 'OutOfSync', 'Progressing')],
      },
      {
        [NODES]: [node('n1', 'True')],
        [APPS]: [app('burnham', 'Synced', 'Healthy')],
      },
    ]);
    const { ctx, done } = run(INPUT);
    await done;
    expect(clusters).toEqual(['eks-blueprint-green']);
    expect(lines()).toEqual([
      'eks-blueprint-green: waiting for no nodes yet; Argo CD: the Application kind is not served yet (namespace argocd)',
      'eks-blueprint-green: waiting for node n1: Ready=False (KubeletNotReady); Application burnham: OutOfSync/Progressing',
      'eks-blueprint-green is ready: 1 node(s) Ready, 1 Argo CD Application(s) Synced and Healthy',
    ]);
    expect(ctx.output).toHaveBeenCalledWith('clusters', {
      'eks-blueprint-green': expect.objectContaining({
        nodes: 1,
        applications: 1,
      }),
    });
  });

  it('keeps waiting through errors of a cluster still being built, then fails at the timeout naming what is not ready', async () => {
    const { run } = setUp([
      { [NODES]: new Error('cluster eks-blueprint-green not found') as any },
      {
        [NODES]: [node('n1', 'True')],
        [APPS]: [app('checkout', 'Synced', 'Degraded')],
      },
    ]);
    await expect(
      run({ ...INPUT, timeoutMinutes: 3 / 60 }).done,
    ).rejects.toThrow(
      'eks-blueprint-green is not ready after 0.05 min (timeoutMinutes): Application checkout: Synced/Degraded',
    );
  });

  it('fails at once when reading the cluster is forbidden (RBAC or kubernetes.proxy): waiting would not change it', async () => {
    const { run } = setUp([
      {
        [NODES]: new Error(
          'the Kubernetes API of eks-blueprint-green refused GET /api/v1/nodes (403): nodes is forbidden',
        ) as any,
      },
    ]);
    await expect(run({ ...INPUT, timeoutMinutes: 10 }).done).rejects.toThrow(
      'eks-blueprint-green: reading its nodes and Argo CD Applications is forbidden, which waiting does not change',
    );
  });

  it('stops when the task is cancelled', async () => {
    const { run, controller } = setUp([{ [NODES]: [], [APPS]: [] }]);
    const { done } = run({ ...INPUT, pollSeconds: 60 });
    setTimeout(() => controller.abort(), 200);
    await expect(done).rejects.toThrow(
      'bluegreen:wait-cluster-ready was cancelled while waiting for eks-blueprint-green',
    );
  });

  it('refuses bad input naming the field', async () => {
    const { run } = setUp([]);
    await expect(run({ ...INPUT, colours: ['purple'] }).done).rejects.toThrow(
      'colours[0]: must be blue or green',
    );
    await expect(
      run({ ...INPUT, argocdNamespace: '../secrets' }).done,
    ).rejects.toThrow('argocdNamespace: must be a Kubernetes namespace name');
  });

  it.each(examples.map(example => [example.description, example]))(
    'example (dry run: asks no cluster): %s',
    async (_description, example) => {
      const step = yaml.parse(example.example).steps[0];
      const { run, lines, asked } = setUp([], true);
      await run(step.input).done;
      expect(step.action).toBe('bluegreen:wait-cluster-ready');
      expect(asked).toEqual([]);
      expect(lines()).toEqual([
        'Dry run: would wait up to 45 min for eks-blueprint-blue: nodes Ready, every Argo CD Application in argocd Synced and Healthy',
        'Dry run: would wait up to 45 min for eks-blueprint-green: nodes Ready, every Argo CD Application in argocd Synced and Healthy',
      ]);
    },
  );
});
