import {
  cleanup,
  fireEvent,
  screen,
  within,
  waitFor,
} from '@testing-library/react';
import {
  burnham,
  eksBlueprint,
  unannotated,
} from '../../__fixtures__/entities';
import {
  burnhamObjects,
  burnhamObjectsAllReady,
  burnhamObjectsGreenUnreachable,
} from '../../__fixtures__/kubernetes';
import { burnhamStatus } from '../../__fixtures__/traffic';
import { burnhamInsights, kubeletSkew } from '../../__fixtures__/insights';
import {
  rolledBackRun,
  runAtFirstStep,
  runAtSecondStep,
} from '../../__fixtures__/cutoverRuns';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { EntityBlueGreenCard } from './EntityBlueGreenCard';

jest.setTimeout(20_000);

const panel = (colour: string) =>
  within(screen.getByTestId(`bluegreen-cluster-${colour}`));

describe('EntityBlueGreenCard', () => {
  it('shows each cluster with its version, support, weight and workloads, and the parity', async () => {
    await renderWithApis(<EntityBlueGreenCard />, burnham, {
      status: { burnham: burnhamStatus },
      objects: { burnham: burnhamObjects },
    });

    expect(
      await panel('blue').findByText(
        'burnham 3/3 ready',
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(panel('green').getByText('burnham 3/3 ready')).toBeInTheDocument();
    expect(panel('blue').getByText('eks-blueprint-blue')).toBeInTheDocument();
    expect(panel('blue').getByTestId('bluegreen-version')).toHaveTextContent(
      'Kubernetes 1.33 · extended support until 2027-07-29, at $0.60 instead of $0.10 per cluster-hour',
    );
    expect(panel('green').getByTestId('bluegreen-version')).toHaveTextContent(
      'Kubernetes 1.34 · standard support until 2026-12-02',
    );
    expect(panel('blue').getByTestId('bluegreen-share-blue')).toHaveTextContent(
      '100%',
    );
    expect(
      panel('blue').getByTestId('bluegreen-weight-value-blue'),
    ).toHaveTextContent('100');
    expect(
      panel('green').getByTestId('bluegreen-share-green'),
    ).toHaveTextContent('0%');
    expect(
      panel('blue').getByText('burnham-worker 2/2 ready'),
    ).toBeInTheDocument();
    expect(
      panel('green').getByText(
        'burnham-worker 1/2 ready — not ready: worker-green-1 (CrashLoopBackOff, 5 restarts)',
      ),
    ).toBeInTheDocument();
    expect(screen.getByTestId('bluegreen-record')).toHaveTextContent(
      'A records in eks-blueprint.example.com. · TTL 60 s (ELB alias) · no external-dns owner: cutovers change Route 53 directly',
    );
    expect(screen.getByTestId('bluegreen-parity')).toHaveTextContent(
      'Parity: eks-blueprint-green: not ready burnham-worker 1/2',
    );
  });

  it("says what staged steps hold for when configuration overrides the record's TTL (a scaled-down sandbox), and nothing when it does not", async () => {
    await renderWithApis(
      <EntityBlueGreenCard />,
      { ...burnham, metadata: { ...burnham.metadata, name: 'burnham-floor' } },
      {
        status: {
          'burnham-floor': {
            ...burnhamStatus,
            dnsFloor: { ttlSeconds: 5, insyncSeconds: 2 },
          },
        },
        objects: { 'burnham-floor': burnhamObjects },
      },
    );
    expect(await screen.findByTestId('bluegreen-record')).toHaveTextContent(
      'TTL 60 s (ELB alias) · no external-dns owner: cutovers change Route 53 directly · staged steps hold at least 7 s (TTL 5 s + INSYNC 2 s)',
    );
    cleanup();
    await renderWithApis(
      <EntityBlueGreenCard />,
      { ...burnham, metadata: { ...burnham.metadata, name: 'burnham-real' } },
      {
        status: {
          'burnham-real': {
            ...burnhamStatus,
            dnsFloor: { ttlSeconds: 60, insyncSeconds: 60 },
          },
        },
        objects: { 'burnham-real': burnhamObjects },
      },
    );
    expect(await screen.findByTestId('bluegreen-record')).not.toHaveTextContent(
      'staged steps hold',
    );
  });

  it("in GitOps mode shows each cluster's Ingress weight (the hop before Route 53), and says when external-dns has not carried it yet", async () => {
    const withIngress = (cluster: string, weight: string) => ({
      type: 'ingresses',
      resources: [
        {
          metadata: {
            name: 'burnham',
            namespace: 'team-burnham',
            annotations: {
              'external-dns.alpha.kubernetes.io/set-identifier': cluster,
              'external-dns.alpha.kubernetes.io/aws-weight': weight,
            },
          },
          spec: { rules: [{ host: 'burnham.eks-blueprint.example.com' }] },
        },
      ],
    });
    const objects = {
      items: burnhamObjectsAllReady.items.map(item => ({
        ...item,
        resources: [
          ...item.resources,
          withIngress(
            item.cluster.name,
            item.cluster.name === 'eks-blueprint-green' ? '100' : '0',
          ),
        ],
      })),
    };
    await renderWithApis(
      <EntityBlueGreenCard />,
      { ...burnham, metadata: { ...burnham.metadata, name: 'burnham-hops' } },
      {
        status: {
          'burnham-hops': {
            ...burnhamStatus,
            owner: {
              kind: 'external-dns',
              ownerIds: ['eks-blueprint-blue', 'eks-blueprint-green'],
            },
            mode: 'gitops',
            // Green's record is registered to its external-dns; blue's to none.
            records: burnhamStatus.records.map(r =>
              r.colour === 'green'
                ? { ...r, externalDnsOwner: 'eks-blueprint-green' }
                : r,
            ),
          },
        },
        objects: { 'burnham-hops': objects as any },
      },
    );
    // Route 53 still holds 100/0; the Ingresses already say 0/100.
    expect(
      await screen.findByTestId('bluegreen-ingress-weight-green'),
    ).toHaveTextContent(
      'Ingress team-burnham/burnham: aws-weight 100 · Route 53 still holds 0: external-dns has not carried it yet',
    );
    expect(
      screen.getByTestId('bluegreen-ingress-weight-blue'),
    ).toHaveTextContent(
      'Ingress team-burnham/burnham: aws-weight 0 · Route 53 holds 100, and no external-dns owns that record: none will carry it',
    );
  });

  it('says green runs everything blue runs when it does, and names the external-dns owner', async () => {
    await renderWithApis(<EntityBlueGreenCard />, burnham, {
      status: {
        burnham: {
          ...burnhamStatus,
          owner: { kind: 'external-dns', ownerIds: ['eks-blueprint-blue'] },
          mode: 'gitops',
        },
      },
      objects: { burnham: burnhamObjectsAllReady },
    });
    expect(
      await screen.findByText(
        'Parity: eks-blueprint-green runs all 1 workloads eks-blueprint-blue runs, ready',
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(screen.getByTestId('bluegreen-record')).toHaveTextContent(
      'owned by external-dns (eks-blueprint-blue): cutovers go through GitOps',
    );
  });

  it('names a cluster the Kubernetes backend cannot reach and what to check', async () => {
    await renderWithApis(<EntityBlueGreenCard />, burnham, {
      status: { burnham: burnhamStatus },
      objects: { burnham: burnhamObjectsGreenUnreachable },
    });
    expect(
      await panel('green').findByTestId(
        'bluegreen-unreachable',
        {},
        { timeout: 10_000 },
      ),
    ).toHaveTextContent(
      "Cluster unreachable: FETCH_ERROR: connect ECONNREFUSED. Check the Kubernetes backend's cluster configuration and credentials for this cluster.",
    );
    expect(screen.getByTestId('bluegreen-parity')).toHaveTextContent(
      'cannot compare workloads: eks-blueprint-green unreachable',
    );
  });

  it('shows past end of support', async () => {
    await renderWithApis(<EntityBlueGreenCard />, burnham, {
      status: {
        burnham: {
          ...burnhamStatus,
          clusters: {
            ...burnhamStatus.clusters,
            blue: {
              ...burnhamStatus.clusters.blue,
              version: '1.30',
              endOfExtendedSupport: '2026-07-23',
              supportStatus: 'unsupported',
            },
          },
        },
      },
      objects: { burnham: burnhamObjects },
    });
    expect(
      await panel('blue').findByText(
        'Kubernetes 1.30 · past end of support since 2026-07-23: EKS may upgrade its control plane at any time',
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
  });

  it('shows progress while the status loads', async () => {
    await renderWithApis(<EntityBlueGreenCard />, burnham, {
      status: { burnham: 'pending' },
      objects: { burnham: burnhamObjects },
    });
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
    expect(screen.queryByTestId('bluegreen-cluster-blue')).toBeNull();
  });

  it('shows the backend error as it is and what to check', async () => {
    await renderWithApis(<EntityBlueGreenCard />, burnham, {
      status: { burnham: new Error('Route 53 said: AccessDenied') },
      objects: { burnham: burnhamObjects },
    });
    // The error panel shows the message in its title and its details.
    expect(
      await screen.findAllByText(
        /Route 53 said: AccessDenied/,
        {},
        { timeout: 10_000 },
      ),
    ).not.toHaveLength(0);
    expect(
      screen.getByText(
        /check its `bluegreen.aws` configuration and credentials/,
      ),
    ).toBeInTheDocument();
  });

  it('says which annotation is missing when the entity has no hostname', async () => {
    const { getTrafficStatus } = await renderWithApis(
      <EntityBlueGreenCard />,
      unannotated,
    );
    expect(screen.getByText('bluegreen/hostname')).toBeInTheDocument();
    expect(screen.queryByTestId('bluegreen-cluster-blue')).toBeNull();
    expect(getTrafficStatus).not.toHaveBeenCalled();
  });

  it('disables the cutover with the reason when the user lacks bluegreen.cutover', async () => {
    // Another entity: usePermission caches decisions per resource across renders.
    const restricted = {
      ...burnham,
      metadata: { ...burnham.metadata, name: 'restricted' },
    };
    await renderWithApis(<EntityBlueGreenCard />, restricted, {
      status: { restricted: burnhamStatus },
      objects: { restricted: burnhamObjects },
      allowed: false,
    });
    const button = await screen.findByTestId(
      'bluegreen-cutover-button',
      {},
      { timeout: 10_000 },
    );
    expect(button).toBeDisabled();
    expect(
      screen.getByLabelText(
        'You may not cut this over (permission bluegreen.cutover); ask its owners',
      ),
    ).toBeInTheDocument();
  });

  it('enables the cutover for a user who holds bluegreen.cutover', async () => {
    await renderWithApis(<EntityBlueGreenCard />, burnham, {
      status: { burnham: burnhamStatus },
      objects: { burnham: burnhamObjects },
    });
    await waitFor(
      () =>
        expect(screen.getByTestId('bluegreen-cutover-button')).toBeEnabled(),
      { timeout: 10_000 },
    );
  });
});

describe('EntityBlueGreenCard: staged cutover runs', () => {
  it("shows the running cutover as a timeline and moves to the next step on the run's event, without waiting for the poll; finished runs in the history", async () => {
    const mocks = await renderWithApis(<EntityBlueGreenCard />, burnham, {
      status: { burnham: burnhamStatus },
      objects: { burnham: burnhamObjects },
      runs: [runAtFirstStep, rolledBackRun],
      runUpdates: [runAtSecondStep],
    });
    const timeline = within(await screen.findByTestId('bluegreen-cutover-run'));
    // The follow answered at once with the 50/50 step: the timeline shows it.
    await waitFor(() =>
      expect(timeline.getByTestId('bluegreen-run-weights')).toHaveTextContent(
        '50/50',
      ),
    );
    expect(timeline.getByTestId('bluegreen-run-step-0')).toHaveAttribute(
      'data-state',
      'done',
    );
    expect(timeline.getByTestId('bluegreen-run-step-1')).toHaveAttribute(
      'data-state',
      'current',
    );
    expect(timeline.getByTestId('bluegreen-run-step-2')).toHaveAttribute(
      'data-state',
      'pending',
    );
    expect(timeline.getByTestId('bluegreen-run-hold')).toHaveTextContent(
      /Holding: 1[12]\d s of 120 s left/,
    );
    expect(timeline.getByTestId('bluegreen-run-probe-green')).toHaveTextContent(
      'green: 100 % of 20 ok · p95 15 ms',
    );
    // It waits for the next event or change of the run (a verification) after these.
    expect(mocks.getCutoverRun).toHaveBeenCalledWith('run-1', {
      after: 2,
      version: 3,
      waitMs: 20_000,
      signal: expect.anything(),
    });
    // Its event read the traffic again, fresh.
    expect(mocks.getTrafficStatus).toHaveBeenCalledWith(expect.anything(), {
      refresh: true,
    });
    // The cutover button waits for the run.
    expect(screen.getByTestId('bluegreen-cutover-button')).toBeDisabled();
    const history = within(screen.getByTestId('bluegreen-run-history'));
    expect(
      history.getByTestId('bluegreen-run-history-entry'),
    ).toHaveTextContent(
      /user:default\/platform-engineer · 100\/0 → 90\/10 → 50\/50 → 0\/100 · rolled-back: step 2 \(50\/50\) failed verification/,
    );
  });

  it('pauses and aborts the run through the API (the backend checks bluegreen.cutover)', async () => {
    const mocks = await renderWithApis(
      <EntityBlueGreenCard />,
      { ...burnham, metadata: { ...burnham.metadata, name: 'burnham-run' } },
      {
        status: { 'burnham-run': burnhamStatus },
        objects: { 'burnham-run': burnhamObjects },
        runs: [runAtFirstStep],
      },
    );
    fireEvent.click(await screen.findByTestId('bluegreen-run-pause'));
    await waitFor(() =>
      expect(mocks.commandCutoverRun).toHaveBeenCalledWith(
        'run-1',
        'pause',
        undefined,
      ),
    );
    fireEvent.click(screen.getByTestId('bluegreen-run-rollback-now'));
    await waitFor(() =>
      expect(mocks.commandCutoverRun).toHaveBeenCalledWith('run-1', 'abort', {
        immediate: true,
      }),
    );
  });

  it('offers no Pause while a run rolls back (the backend refuses it: a rollback is the way back), only "Roll back now"', async () => {
    await renderWithApis(
      <EntityBlueGreenCard />,
      { ...burnham, metadata: { ...burnham.metadata, name: 'burnham-back' } },
      {
        status: { 'burnham-back': burnhamStatus },
        objects: { 'burnham-back': burnhamObjects },
        runs: [
          {
            ...runAtSecondStep,
            entityRef: 'component:default/burnham-back',
            phase: 'rollback',
            rollback: [
              { weights: { blue: 90, green: 10 }, soakSeconds: 0 },
              { weights: { blue: 100, green: 0 }, soakSeconds: 0 },
            ],
            stepIndex: 0,
            weights: { blue: 90, green: 10 },
          },
        ],
      },
    );
    await screen.findByTestId('bluegreen-run-rollback-now');
    expect(screen.queryByTestId('bluegreen-run-pause')).toBeNull();
    expect(screen.queryByTestId('bluegreen-run-resume')).toBeNull();
  });

  it('hides the run controls from a user without bluegreen.cutover', async () => {
    await renderWithApis(
      <EntityBlueGreenCard />,
      { ...burnham, metadata: { ...burnham.metadata, name: 'burnham-ro' } },
      {
        status: { 'burnham-ro': burnhamStatus },
        objects: { 'burnham-ro': burnhamObjects },
        // Its own entity: permission answers are cached per resource across renders.
        runs: [
          { ...runAtFirstStep, entityRef: 'component:default/burnham-ro' },
        ],
        allowed: false,
      },
    );
    await screen.findByTestId('bluegreen-cutover-run');
    expect(screen.queryByTestId('bluegreen-run-pause')).toBeNull();
    expect(screen.queryByTestId('bluegreen-run-abort')).toBeNull();
  });
});

describe('EntityBlueGreenCard on a System', () => {
  it("lists the system's components with their workloads instead of asking Kubernetes about the System (which runs nothing)", async () => {
    const mocks = await renderWithApis(<EntityBlueGreenCard />, eksBlueprint, {
      status: {
        'eks-blueprint': {
          ...burnhamStatus,
          entityRef: 'system:default/eks-blueprint',
        },
        burnham: burnhamStatus,
      },
      objects: { burnham: burnhamObjects },
      entities: [burnham],
    });
    const components = within(
      await screen.findByTestId(
        'bluegreen-system-components',
        {},
        { timeout: 10_000 },
      ),
    );
    expect(
      await components.findByText(
        'eks-blueprint-blue: 2/2 deployments ready',
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Cluster unreachable/)).toBeNull();
    expect(
      mocks.kubernetesApi.getObjectsByEntity.mock.calls.map(
        ([request]: any) => request.entity.metadata.name,
      ),
    ).not.toContain('eks-blueprint');
    expect(
      screen.getByLabelText(
        "Cut over from a component's page: the pre-flight reads its workloads",
      ),
    ).toBeInTheDocument();
  });
});

describe('EntityBlueGreenCard: upgrade insights and the next step', () => {
  // Another entity per test: the insights and versions are read once per entity.
  const named = (name: string) => ({
    ...burnham,
    metadata: { ...burnham.metadata, name },
  });

  it("shows the sandbox's warning insight in its cluster's panel: the removed API, its replacement, the client and when it was last seen", async () => {
    await renderWithApis(<EntityBlueGreenCard />, burnham, {
      status: { burnham: burnhamStatus },
      objects: { burnham: burnhamObjects },
      insights: { burnham: burnhamInsights },
    });
    const blue = within(
      await panel('blue').findByTestId(
        'bluegreen-insights',
        {},
        { timeout: 10_000 },
      ),
    );
    expect(
      blue.getByText(
        'Warns about Kubernetes 1.34: Deprecated APIs removed in Kubernetes v1.34 — Deprecated API usage detected within last 30 days.',
      ),
    ).toBeInTheDocument();
    expect(blue.getByTestId('bluegreen-insight-api')).toHaveTextContent(
      '/apis/resource.k8s.io/v1beta1/resourceclaims stops being served in 1.34; use /apis/resource.k8s.io/v1beta2/resourceclaims (served since 1.33)',
    );
    expect(blue.getByTestId('bluegreen-insight-client')).toHaveTextContent(
      'called by argocd-application-controller/v3.1.0, 1284 requests in the last 30 days, last seen 2026-11-24 22:41 UTC',
    );
    // The passing kubelet check is not a finding.
    expect(blue.queryByText(/Kubelet version skew/)).toBeNull();
    expect(
      panel('green').getByTestId('bluegreen-insight-api'),
    ).toHaveTextContent('/apis/resource.k8s.io/v1beta1/deviceclasses');
  });

  it('says so for a cluster without failing insights, and for one whose insights could not be read, the rest of the card still working', async () => {
    const entity = named('burnham-insights');
    await renderWithApis(<EntityBlueGreenCard />, entity, {
      status: { 'burnham-insights': burnhamStatus },
      objects: { 'burnham-insights': burnhamObjects },
      insights: {
        'burnham-insights': {
          entityRef: 'component:default/burnham-insights',
          clusters: {
            blue: {
              name: 'eks-blueprint-blue',
              status: 'ok',
              // Passing only: nothing blocks or warns.
              insights: [kubeletSkew('1.34')],
            },
            green: {
              name: 'eks-blueprint-green',
              status: 'unavailable',
              error:
                'EKS ListInsights: User: arn:(redacted) is not authorized to perform: eks:ListInsights',
            },
          },
        },
      },
    });
    expect(
      await panel('blue').findByText(
        'No upgrade insights for eks-blueprint-blue',
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(panel('green').getByTestId('bluegreen-insights')).toHaveTextContent(
      'Upgrade insights unavailable: EKS ListInsights: User: arn:(redacted) is not authorized to perform: eks:ListInsights',
    );
    expect(panel('green').getByTestId('bluegreen-version')).toHaveTextContent(
      'Kubernetes 1.34',
    );
    expect(
      await panel('green').findByText(
        'burnham 3/3 ready',
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
  });

  it('says the insights are unavailable in both panels when the whole read fails, without failing the card', async () => {
    const entity = named('burnham-no-insights');
    await renderWithApis(<EntityBlueGreenCard />, entity, {
      status: { 'burnham-no-insights': burnhamStatus },
      objects: { 'burnham-no-insights': burnhamObjects },
      insights: { 'burnham-no-insights': new Error('503 Service Unavailable') },
    });
    for (const colour of ['blue', 'green']) {
      expect(
        await panel(colour).findByText(
          'Upgrade insights unavailable: 503 Service Unavailable',
          {},
          { timeout: 10_000 },
        ),
      ).toBeInTheDocument();
    }
    expect(screen.getByTestId('bluegreen-record')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByTestId('bluegreen-cutover-button')).toBeEnabled(),
    );
  });

  it("says a destroyed colour's cluster is not in EKS, and the next step rebuilds it, linking the upgrade template prefilled", async () => {
    const entity = {
      ...named('burnham-destroyed'),
      spec: { ...burnham.spec, system: 'eks-blueprint' },
    };
    await renderWithApis(<EntityBlueGreenCard />, entity, {
      status: {
        'burnham-destroyed': {
          ...burnhamStatus,
          weights: { blue: 0, green: 100 },
          clusters: {
            ...burnhamStatus.clusters,
            blue: {
              name: 'eks-blueprint-blue',
              source: 'not-found',
              error:
                'EKS DescribeCluster: No cluster found for name: eks-blueprint-blue.',
            },
          },
        },
      },
      objects: { 'burnham-destroyed': burnhamObjects },
      eksVersions: [
        {
          version: '1.34',
          endOfStandardSupport: '2026-12-02',
          endOfExtendedSupport: '2027-12-02',
          supportStatus: 'standard',
        },
        {
          version: '1.35',
          endOfStandardSupport: '2027-03-27',
          endOfExtendedSupport: '2028-03-27',
          supportStatus: 'standard',
        },
      ],
    });
    const line = await screen.findByTestId(
      'bluegreen-next-step',
      {},
      { timeout: 10_000 },
    );
    expect(line).toHaveTextContent(
      'Next: green serves 100 % · blue destroyed — rebuild it at 1.35',
    );
    expect(
      within(line).getByRole('link', { name: 'rebuild it at 1.35' }),
    ).toHaveAttribute(
      'href',
      `/create/templates/default/upgrade-idle-cluster?formData=${encodeURIComponent(
        JSON.stringify({
          generation: 'system:default/eks-blueprint',
          colour: 'blue',
          kubernetes_version: '1.35',
        }),
      )}`,
    );
    expect(panel('blue').getByTestId('bluegreen-version')).toHaveTextContent(
      'No such cluster in EKS (destroyed, or not built yet)',
    );
  });
});
