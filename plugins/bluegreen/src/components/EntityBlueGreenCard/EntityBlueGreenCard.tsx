import { ReactNode, useState } from 'react';
import {
  InfoCard,
  MissingAnnotationEmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  Entity,
  getCompoundEntityRef,
  RELATION_HAS_PART,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useKubernetesObjects } from '@backstage/plugin-kubernetes-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ANNOTATION_HOSTNAME,
  bluegreenCutoverPermission,
  CLUSTER_COLOURS,
  ClusterColour,
  getBlueGreenAnnotations,
  TrafficStatus,
} from '@bluegreen/plugin-bluegreen-common';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import {
  clusterWorkloads,
  ingressWeightFor,
  ClusterWorkloads,
  parity,
} from '@bluegreen/plugin-bluegreen-common';
import { CutoverDialog } from '../CutoverDialog';
import {
  CutoverRunHistory,
  CutoverRunTimeline,
  useCutoverRuns,
} from '../CutoverRun';
import {
  STATUS_REFRESH_MS,
  useTrafficStatus,
} from '../shared/useTrafficStatus';
import { useRelatedComponents } from '../shared/useRelatedEntities';
import { WorkloadsTable } from '../shared/WorkloadsTable';
import { useUpgradeInsights } from '../UpgradeInsights';
import { ClusterPanel } from './ClusterPanel';
import { NextStepLine } from './NextStepLine';

type Workloads = Record<ClusterColour, ClusterWorkloads>;

/** The entity's own workloads on both clusters, from the Kubernetes backend. */
function EntityWorkloads(props: {
  entity: Entity;
  children: (workloads: Workloads) => ReactNode;
}) {
  const { entity } = props;
  const annotations = getBlueGreenAnnotations(entity);
  const kubernetes = useKubernetesObjects(entity, STATUS_REFRESH_MS);
  const workloads = Object.fromEntries(
    CLUSTER_COLOURS.map(colour => [
      colour,
      annotations.clusters[colour]
        ? clusterWorkloads(
            kubernetes.kubernetesObjects,
            annotations.clusters[colour]!,
            kubernetes.error,
          )
        : { state: 'unreachable', error: 'no cluster annotation' },
    ]),
  ) as Workloads;
  return <>{props.children(workloads)}</>;
}

/**
 * A System runs nothing itself: its components do. The card lists them with their
 * workloads on each cluster instead of asking Kubernetes about the System.
 */
function SystemComponents(props: { entity: Entity }) {
  const components = useRelatedComponents(props.entity, RELATION_HAS_PART);
  if (components.error) {
    return <ResponseErrorPanel error={components.error} />;
  }
  if (!components.value) {
    return <Progress />;
  }
  return components.value.length === 0 ? (
    <Typography variant="body2">This system has no components.</Typography>
  ) : (
    <div data-testid="bluegreen-system-components">
      <Typography variant="subtitle2">
        Its components (the cutover and its pre-flight are on each component's
        page)
      </Typography>
      <WorkloadsTable entities={components.value} columns={undefined} />
    </div>
  );
}

const isSystem = (entity: Entity) =>
  entity.kind.toLocaleLowerCase('en-US') === 'system';

function ownerText(status: TrafficStatus): string {
  return status.owner.kind === 'external-dns'
    ? `owned by external-dns (${status.owner.ownerIds.join(
        ', ',
      )}): cutovers go through GitOps`
    : 'no external-dns owner: cutovers change Route 53 directly';
}

function CutoverButton(props: {
  entityRef: string;
  disabledReason?: string;
  onClick: () => void;
}) {
  const { allowed, loading } = usePermission({
    permission: bluegreenCutoverPermission,
    resourceRef: props.entityRef,
  });
  if (loading) {
    return null;
  }
  const reason = !allowed
    ? 'You may not cut this over (permission bluegreen.cutover); ask its owners'
    : props.disabledReason;
  const button = (
    <Button
      variant="contained"
      color="primary"
      disabled={Boolean(reason)}
      onClick={props.onClick}
      data-testid="bluegreen-cutover-button"
    >
      Cut over…
    </Button>
  );
  return reason ? (
    <Tooltip title={reason}>
      <span data-testid="bluegreen-cutover-disabled-reason" aria-label={reason}>
        {button}
      </span>
    </Tooltip>
  ) : (
    button
  );
}

/** Whether green runs what blue runs. */
function ParityLine(props: {
  annotations: ReturnType<typeof getBlueGreenAnnotations>;
  workloads: Workloads;
}) {
  const { annotations, workloads } = props;
  const check = parity(
    { name: annotations.clusters.blue ?? 'blue', workloads: workloads.blue },
    { name: annotations.clusters.green ?? 'green', workloads: workloads.green },
  );
  return (
    <Typography
      variant="body2"
      color={check.ok === false ? 'error' : 'textPrimary'}
      data-testid="bluegreen-parity"
    >
      Parity: {check.message}
    </Typography>
  );
}

/**
 * The blue and green clusters of an entity side by side: version and support, traffic
 * share, workloads, upgrade insights; whether green runs what blue runs; what comes next;
 * and the cutover.
 */
export function EntityBlueGreenCard() {
  const { entity } = useEntity();
  const annotations = getBlueGreenAnnotations(entity);
  const entityRef = stringifyEntityRef(entity);
  const traffic = useTrafficStatus(entity);
  const [dialogOpen, setDialogOpen] = useState(false);
  // Each event of a running cutover reads the traffic again (fresh from Route 53).
  const runs = useCutoverRuns(entity, () => traffic.reload(true));
  const insights = useUpgradeInsights(
    annotations.hostname ? getCompoundEntityRef(entity) : undefined,
  );

  if (!annotations.hostname) {
    return (
      <InfoCard title="Blue/green">
        <MissingAnnotationEmptyState annotation={ANNOTATION_HOSTNAME} />
      </InfoCard>
    );
  }
  const { status, error, loading } = traffic;
  const system = isSystem(entity);

  const clusters = (workloads?: Workloads) =>
    status && (
      <>
        {CLUSTER_COLOURS.map(colour => (
          <Grid item xs={12} sm={6} key={colour}>
            <ClusterPanel
              colour={colour}
              name={annotations.clusters[colour]}
              cluster={status.clusters[colour]}
              record={status.records.find(r => r.colour === colour)}
              workloads={workloads?.[colour]}
              upgradeInsights={{
                insights: insights.value?.clusters[colour],
                error: insights.error,
              }}
              // In GitOps mode external-dns writes Route 53 from the Ingress: the hop
              // before Route 53, shown while the weight is on its way.
              ingressWeight={
                status.owner.kind === 'external-dns' &&
                workloads &&
                annotations.clusters[colour]
                  ? ingressWeightFor(
                      workloads[colour],
                      status.hostname,
                      annotations.clusters[colour]!,
                    )
                  : undefined
              }
            />
          </Grid>
        ))}
        <Grid item xs={12}>
          {workloads ? (
            <ParityLine annotations={annotations} workloads={workloads} />
          ) : (
            <SystemComponents entity={entity} />
          )}
        </Grid>
        {workloads && dialogOpen && (
          <CutoverDialog
            entity={entity}
            status={status}
            workloads={workloads}
            onClose={() => setDialogOpen(false)}
            onCompleted={() => traffic.reload(true)}
            onStagedStarted={() => {
              setDialogOpen(false);
              runs.reload();
            }}
          />
        )}
      </>
    );

  return (
    <InfoCard
      title="Blue/green"
      subheader={annotations.hostname}
      action={
        status && (
          <CutoverButton
            entityRef={entityRef}
            disabledReason={
              (status.records.length === 0 &&
                'There are no weighted records to change') ||
              (system &&
                "Cut over from a component's page: the pre-flight reads its workloads") ||
              (runs.active &&
                'A staged cutover is running: pause, resume or abort it below') ||
              undefined
            }
            onClick={() => setDialogOpen(true)}
          />
        )
      }
    >
      {loading && <Progress />}
      {error && (
        <>
          <ResponseErrorPanel error={error} />
          <Typography variant="body2">
            The traffic status comes from the bluegreen backend, which reads
            Route 53 and EKS: check its `bluegreen.aws` configuration and
            credentials
            {status ? ` (showing the status read at ${status.observedAt})` : ''}
            .
          </Typography>
        </>
      )}
      {status && (
        <Grid container spacing={2}>
          <Grid item xs={12}>
            <Typography variant="body2" data-testid="bluegreen-record">
              {status.recordType} records in {status.hostedZone.name} · TTL{' '}
              {status.effectiveTtlSeconds === undefined
                ? 'unknown (alias)'
                : `${status.effectiveTtlSeconds} s${
                    status.ttlSource === 'elb-alias' ? ' (ELB alias)' : ''
                  }`}{' '}
              · {ownerText(status)}
              {status.dnsFloor &&
                status.dnsFloor.ttlSeconds !== status.effectiveTtlSeconds &&
                // A TTL override (scaled-down sandboxes) or an alias whose TTL is
                // unknown: say what staged steps really hold for.
                ` · staged steps hold at least ${
                  status.dnsFloor.ttlSeconds + status.dnsFloor.insyncSeconds
                } s (TTL ${status.dnsFloor.ttlSeconds} s + INSYNC ${
                  status.dnsFloor.insyncSeconds
                } s)`}
            </Typography>
            {status.problems.map(problem => (
              <Typography key={problem} variant="body2" color="error">
                {problem}
              </Typography>
            ))}
            <NextStepLine entity={entity} status={status} />
          </Grid>
          {system ? (
            clusters()
          ) : (
            <EntityWorkloads entity={entity}>{clusters}</EntityWorkloads>
          )}
          {runs.active && (
            <Grid item xs={12}>
              <CutoverRunTimeline run={runs.active} onChanged={runs.reload} />
            </Grid>
          )}
          {runs.runs && (
            <Grid item xs={12}>
              <CutoverRunHistory runs={runs.runs} />
            </Grid>
          )}
        </Grid>
      )}
    </InfoCard>
  );
}
