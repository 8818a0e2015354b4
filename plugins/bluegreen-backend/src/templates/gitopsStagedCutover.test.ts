/*
 * GitOps-mode staged cutover runs through the real backend: the engine starts each step
 * as a real task of the "Cut over traffic" template (templates/eks-blue-green/cutover.yaml)
 * in the real scaffolder with the plugin's own credentials; the task's set-weight writes
 * the fixture generation's weight files, its apply runs the real OpenTofu CLI, whose
 * fixture stack annotates the Argo CD cluster secret on the example's real kube-apiservers
 * with the real kubectl; the LOCAL STAND-INS for Argo CD (secret → Ingress) and
 * external-dns (Ingress → Route 53 through the real AWS SDK) carry the weight to the AWS
 * sandbox (a local stand-in for Route 53). The pull request step is a recording stand-in
 * with publish:github:pull-request's id (no GitHub here).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AuditorServiceEvent } from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { createBackendModule } from '@backstage/backend-plugin-api';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  createTemplateAction,
  scaffolderActionsExtensionPoint,
} from '@backstage/plugin-scaffolder-node';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { CutoverRunView, presetPlan } from '@bluegreen/plugin-bluegreen-common';
import {
  Sandbox,
  stagedChecksConfig,
  startSandbox,
} from '@bluegreen/example-sandbox';
import {
  ExampleClusters,
  kubernetesBinaries,
  playArgoCdWeights,
  playExternalDns,
} from '@bluegreen/example-kubernetes';
import { Route53Client } from '@aws-sdk/client-route-53';
import request from 'supertest';
import yaml from 'yaml';
import { z } from 'zod/v3';
import {
  blueGreenComponent,
  CHECKOUT,
  CLUSTERS,
  sandboxRoute53,
  SANDBOX_CREDENTIALS,
} from '../__testUtils__/sandbox';
import { startClusters } from '../__testUtils__/kubernetes';
import { waitForTask } from '../__testUtils__/scaffolderTasks';
import { tofuBinary } from '../__testUtils__/tofu';
import { fixtureRepositoryReader } from '../__testUtils__/fixtureRepository';
import { GENERATION_ENTITY, SECURITY_CONFIG } from '../__testUtils__/security';
import bluegreenBackend from '../index';

jest.setTimeout(240_000);

const TEMPLATE_FILE = path.resolve(
  __dirname,
  '../../../../templates/eks-blue-green/cutover.yaml',
);
const FIXTURE = path.resolve(__dirname, '../__fixtures__/generation');
const REPOSITORY = 'https://github.com/example/eks-blueprint-generation';
const template = yaml.parse(fs.readFileSync(TEMPLATE_FILE, 'utf8'));
const checkout = blueGreenComponent('checkout', CHECKOUT);
const CUTOVER = '/api/bluegreen/entity/component/default/checkout/cutover';
const RUNS = '/api/bluegreen/cutover-runs';
const STAGED = presetPlan('staged', { blue: 100, green: 0 }, 'green');
const user = mockCredentials.user.header();

/** What the pull request stand-in was asked to propose: its branch and the weight files. */
interface ProposedChange {
  branchName: string;
  title: string;
  weights: Record<string, number | undefined>;
}

/** publish:github:pull-request as a recording stand-in: no GitHub runs here. */
function recordingPullRequests(proposed: ProposedChange[]) {
  return createBackendModule({
    pluginId: 'scaffolder',
    moduleId: 'recording-pull-requests',
    register(env) {
      env.registerInit({
        deps: { actions: scaffolderActionsExtensionPoint },
        async init({ actions }) {
          actions.addActions(
            createTemplateAction({
              id: 'publish:github:pull-request',
              schema: {
                input: () =>
                  z
                    .object({ branchName: z.string(), title: z.string() })
                    .passthrough(),
              },
              async handler(ctx) {
                const weightOf = (stack: string) => {
                  const match = /route53_weight\s*=\s*(\d+)/.exec(
                    fs.readFileSync(
                      path.join(
                        ctx.workspacePath,
                        stack,
                        'traffic.auto.tfvars',
                      ),
                      'utf8',
                    ),
                  );
                  return match ? Number(match[1]) : undefined;
                };
                proposed.push({
                  branchName: ctx.input.branchName,
                  title: ctx.input.title,
                  weights: {
                    blue: weightOf('eks-blue'),
                    green: weightOf('eks-green'),
                  },
                });
                ctx.output(
                  'remoteUrl',
                  `https://github.com/example/eks-blueprint-generation/pull/${proposed.length}`,
                );
              },
            }),
          );
        },
      });
    },
  });
}

describe('staged cutover runs in gitops mode (engine, real scaffolder tasks, OpenTofu, real kube-apiservers, the GitOps stand-ins)', () => {
  let clusters: ExampleClusters;
  let sandbox: Sandbox;
  let route53: Route53Client;
  let players: Array<{ stop(): Promise<void> }> = [];
  const dir = createMockDirectory();
  let fixture: string;

  /** The Argo CD and external-dns stand-ins of both clusters (external-dns optional). */
  function play(options: { externalDns: boolean }) {
    for (const cluster of Object.values(clusters.clusters)) {
      players.push(playArgoCdWeights(cluster, { pollMs: 200 }));
      if (options.externalDns) {
        players.push(playExternalDns(cluster, route53, { intervalMs: 200 }));
      }
    }
  }
  async function stopPlaying() {
    await Promise.all(players.map(p => p.stop()));
    players = [];
  }

  beforeAll(async () => {
    clusters = await startClusters({ allReady: true });
    // The fixture generation, with each cluster stack given its cluster's kubeconfig: its
    // apply annotates that cluster's Argo CD secret, as the GitOps Bridge would.
    fixture = dir.resolve('generation');
    fs.cpSync(FIXTURE, fixture, { recursive: true, verbatimSymlinks: true });
    for (const [colour, name] of Object.entries(CLUSTERS)) {
      fs.writeFileSync(
        path.join(fixture, `eks-${colour}`, 'argocd.auto.tfvars'),
        `argocd_kubeconfig = ${JSON.stringify(
          clusters.clusters[name].kubeconfigFile(),
        )}\nkubectl = ${JSON.stringify(kubernetesBinaries().kubectl)}\n`,
      );
    }
  });
  afterAll(async () => {
    await clusters?.stop();
  });
  beforeEach(async () => {
    sandbox = await startSandbox({
      insyncDelayMs: 100,
      throttle: false,
      dns: {},
      loadBalancers: { clusters: [CLUSTERS.blue, CLUSTERS.green] },
    });
    route53 = sandboxRoute53(sandbox.url);
  });
  afterEach(async () => {
    await stopPlaying();
    route53.destroy();
    await sandbox.close();
  });

  async function startBackend() {
    const proposed: ProposedChange[] = [];
    const events: Array<{ event: any; outcome?: any }> = [];
    const createEvent = jest.fn(async (event: any) => {
      const entry: { event: any; outcome?: any } = { event };
      events.push(entry);
      return {
        success: async (outcome?: any) => {
          entry.outcome = { ok: true, ...outcome };
        },
        fail: async (outcome?: any) => {
          entry.outcome = { ok: false, ...outcome };
        },
      } as unknown as AuditorServiceEvent;
    });
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        kubernetesPlugin,
        bluegreenBackend,
        recordingPullRequests(proposed),
        schedulerServiceFactory,
        catalogServiceMock.factory({
          entities: [
            checkout,
            GENERATION_ENTITY,
            {
              ...template,
              metadata: { ...template.metadata, namespace: 'default' },
            },
          ],
        }),
        fixtureRepositoryReader(REPOSITORY, {
          dereference: true,
          fixture,
        }),
        mockServices.auditor.mock({ createEvent }).factory,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: clusters.kubernetesConfig(),
            aws: { mainAccount: SANDBOX_CREDENTIALS },
            bluegreen: {
              ...SECURITY_CONFIG.bluegreen,
              aws: { endpoint: sandbox.url },
              terraform: { binary: tofuBinary() },
              cutover: {
                staged: {
                  probeIntervalSeconds: 0.25,
                  ttlSeconds: 1,
                  insyncSeconds: 0.5,
                  probe: { requests: 10 },
                  ...stagedChecksConfig(sandbox),
                  gitops: { pollSeconds: 0.2, hopTimeoutSeconds: 8 },
                },
              },
            },
          },
        }),
      ],
    });
    return { backend, server: backend.server, proposed, events };
  }

  async function waitForRun(
    server: Parameters<typeof request>[0],
    runId: string,
  ): Promise<CutoverRunView> {
    const deadline = Date.now() + 200_000;
    for (;;) {
      const res = await request(server)
        .get(`${RUNS}/${runId}`)
        .set('Authorization', user);
      expect(res.status).toBe(200);
      if (!['running', 'paused'].includes(res.body.status)) return res.body;
      if (Date.now() > deadline) {
        throw new Error(
          `run ${runId} did not end: ${JSON.stringify(res.body)}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  }

  /**
   * Each cluster's weight of checkout's records after every change Route 53 took,
   * replayed from the sandbox's change log (external-dns writes one record at a time).
   */
  function splitsInRoute53() {
    const weights: Record<string, number | undefined> = {
      [CLUSTERS.blue]: 100,
      [CLUSTERS.green]: 0,
    };
    const splits: string[] = [];
    for (const change of sandbox.changeLog()) {
      const ours = change.changes.filter(
        c =>
          c.record.name.replace(/\.$/, '') === CHECKOUT &&
          c.record.type === 'A',
      );
      if (ours.length === 0) continue;
      for (const c of ours) {
        weights[c.record.setIdentifier!] =
          c.action === 'DELETE' ? undefined : c.record.weight;
      }
      splits.push(`${weights[CLUSTERS.blue]}/${weights[CLUSTERS.green]}`);
    }
    return splits;
  }

  const ingressWeight = async (cluster: string) =>
    JSON.parse(
      await clusters.clusters[cluster].kubectl([
        'get',
        'ingress',
        '-n',
        'team-checkout',
        'checkout',
        '-o',
        'json',
      ]),
    ).metadata.annotations['external-dns.alpha.kubernetes.io/aws-weight'];

  it('moves checkout to green in three verified steps, each a task of the cutover template that the engine follows until the weights reach the Ingresses and Route 53; never all-zero; each step proposed once', async () => {
    play({ externalDns: true });
    const { server, proposed, events } = await startBackend();
    const started = await request(server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({ plan: STAGED });
    expect(started.status).toBe(201);
    const { runId } = started.body;

    const run = await waitForRun(server, runId);
    const history = run.events.map(e => e.message);
    expect({ status: run.status, reason: run.reason }).toEqual({
      status: 'completed',
      reason: undefined,
    });
    expect(run.mode).toBe('gitops');
    expect(run.weights).toEqual({ blue: 0, green: 100 });
    for (const step of [
      'blue=90 green=10',
      'blue=50 green=50',
      'blue=0 green=100',
    ]) {
      for (const hop of [
        /^step task \S+ started: the weight files, the applies and the pull request of /,
        /^step task \S+ completed$/,
        // The example's backstage service account may not list secrets: shown, not waited for.
        /^the Argo CD cluster secrets' route53_weight: cannot be read \(eks-blueprint-blue answered 403: secrets is forbidden/,
        new RegExp(
          `^the Ingresses' external-dns aws-weight holds ${step} \\(after`,
        ),
        new RegExp(`^Route 53 holds ${step} \\(after`),
      ]) {
        expect(history).toContainEqual(expect.stringMatching(hop));
      }
    }
    // The hops are in order within each step, and each step's hold follows its arrival.
    const route53At = history.findIndex(m =>
      m.startsWith('Route 53 holds blue=90'),
    );
    const inEffectAt = history.findIndex(m =>
      m.startsWith('step 90/10 in effect'),
    );
    expect(route53At).toBeGreaterThan(-1);
    expect(inEffectAt).toBeGreaterThan(route53At);

    // external-dns carried every step; no moment was all-zero.
    const splits = splitsInRoute53();
    expect(splits).not.toContain('0/0');
    expect(splits[splits.length - 1]).toBe('0/100');
    for (const split of ['90/10', '50/50']) expect(splits).toContain(split);
    expect(await ingressWeight(CLUSTERS.green)).toBe('100');
    expect(await ingressWeight(CLUSTERS.blue)).toBe('0');
    // The real kube-apiservers show the Argo CD secrets annotated by the applies.
    const secret = JSON.parse(
      await clusters.clusters[CLUSTERS.green].kubectl([
        'get',
        'secret',
        '-n',
        'argocd',
        '-l',
        'argocd.argoproj.io/secret-type=cluster',
        '-o',
        'json',
      ]),
    );
    expect(secret.items[0].metadata.annotations.route53_weight).toBe('100');

    // Each step proposed once, on a branch of its own.
    expect(proposed.map(p => [p.branchName, p.weights])).toEqual([
      [
        `bluegreen/run-${runId}-from-blue-100-green-0-to-blue-90-green-10`,
        { blue: 90, green: 10 },
      ],
      [
        `bluegreen/run-${runId}-from-blue-90-green-10-to-blue-50-green-50`,
        { blue: 50, green: 50 },
      ],
      [
        `bluegreen/run-${runId}-from-blue-50-green-50-to-blue-0-green-100`,
        { blue: 0, green: 100 },
      ],
    ]);
    expect(proposed[0].title).toContain(`(staged cutover run ${runId})`);

    // The step tasks acted for the run's starter, audited as such; no permission was
    // asked of the plugin itself.
    const delegated = events.filter(
      e =>
        e.event.eventId === 'bluegreen-action' && e.event.meta.runId === runId,
    );
    expect(
      delegated.map(e => [
        e.event.meta.action,
        e.outcome?.ok,
        e.outcome?.meta?.onBehalfOf,
      ]),
    ).toEqual(
      [1, 2, 3].flatMap(() => [
        ['bluegreen:set-weight', true, 'user:default/mock'],
        ['bluegreen:apply', true, 'user:default/mock'],
      ]),
    );

    // A user's own task naming the run is refused, and changes nothing.
    const forged = await request(server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', user)
      .send({
        templateRef: 'template:default/cut-over-traffic',
        values: {
          entity: 'component:default/checkout',
          weights: { blue: 100, green: 0 },
          mode: 'gitops',
          runId,
        },
      });
    expect(forged.status).toBe(201);
    const refused = await waitForTask(server, forged.body.id);
    expect(refused.status).toBe('failed');
    expect(refused.log).toContain(
      "runId: only the bluegreen plugin's own step tasks of a staged cutover name a run",
    );
    expect(splitsInRoute53()).toEqual(splits);
  });

  it('fails a step whose weights do not reach Route 53 within the hop timeout (external-dns down), naming the hop, and rolls the source back to the start', async () => {
    play({ externalDns: false });
    const { server, proposed } = await startBackend();
    const started = await request(server)
      .post(CUTOVER)
      .set('Authorization', user)
      .send({ plan: STAGED });
    expect(started.status).toBe(201);

    const run = await waitForRun(server, started.body.runId);
    expect(run.status).toBe('rolled-back');
    expect(run.reason).toMatch(
      /^the write of step 1 \(90\/10\) failed: the weights did not reach Route 53 within 8 s: it holds blue=100 green=0, not blue=90 green=10/,
    );
    const history = run.events.map(e => e.message);
    expect(history).toContainEqual(
      expect.stringMatching(
        /^the Ingresses' external-dns aws-weight holds blue=90 green=10/,
      ),
    );
    // The rollback wrote the start at the source again: the files, the Argo CD secrets
    // and the Ingresses are back at 100/0, as Route 53 never left it.
    expect(proposed.map(p => p.weights)).toEqual([
      { blue: 90, green: 10 },
      { blue: 100, green: 0 },
    ]);
    expect(history).toContainEqual(
      expect.stringMatching(
        /^the Ingresses' external-dns aws-weight holds blue=100 green=0/,
      ),
    );
    expect(await ingressWeight(CLUSTERS.green)).toBe('0');
    expect(splitsInRoute53()).toEqual([]);
  });
});
