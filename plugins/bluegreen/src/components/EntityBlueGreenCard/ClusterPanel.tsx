import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  ClusterColour,
  ClusterUpgradeInsights,
  ClusterVersionStatus,
  describeEksSupport,
  WeightedRecordStatus,
} from '@bluegreen/plugin-bluegreen-common';
import { ClusterWorkloads } from '@bluegreen/plugin-bluegreen-common';
import { CLUSTER_COLOUR_CODES } from '../shared/colours';
import { WeightBar } from '../shared/WeightBar';
import { WorkloadList } from '../shared/WorkloadList';
import { UpgradeInsights } from '../UpgradeInsights';

const useStyles = makeStyles(theme => ({
  panel: {
    borderLeft: '6px solid',
    borderRadius: theme.shape.borderRadius,
    padding: theme.spacing(1.5, 2),
    background: theme.palette.background.default,
    height: '100%',
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  },
  label: {
    textTransform: 'uppercase',
    fontWeight: theme.typography.fontWeightBold as number,
    letterSpacing: 1,
  },
  name: {
    fontFamily: 'monospace',
    fontWeight: theme.typography.fontWeightBold as number,
    overflowWrap: 'break-word',
  },
}));

function VersionLine(props: { cluster?: ClusterVersionStatus }) {
  const { cluster } = props;
  if (cluster?.source === 'not-found') {
    return (
      <Typography
        variant="body2"
        color="textSecondary"
        data-testid="bluegreen-version"
      >
        No such cluster in EKS (destroyed, or not built yet)
      </Typography>
    );
  }
  if (!cluster || cluster.source === 'unavailable') {
    return (
      <Typography variant="body2" color="textSecondary">
        Kubernetes version unknown
        {cluster?.error ? ` (${cluster.error})` : ''}
      </Typography>
    );
  }
  const support = cluster.supportStatus
    ? describeEksSupport(cluster.supportStatus, cluster)
    : 'support dates unknown';
  return (
    <Typography
      variant="body2"
      color={cluster.supportStatus === 'standard' ? 'textPrimary' : 'error'}
      data-testid="bluegreen-version"
    >
      Kubernetes {cluster.version} · {support}
    </Typography>
  );
}

/**
 * One cluster of the pair: name, version and support, weight, workloads, upgrade
 * insights.
 */
export function ClusterPanel(props: {
  colour: ClusterColour;
  name?: string;
  cluster?: ClusterVersionStatus;
  record?: WeightedRecordStatus;
  /** The entity's workloads there; absent for a System (its components have them). */
  workloads?: ClusterWorkloads;
  /** GitOps mode: the weight external-dns reads from the cluster's Ingress. */
  ingressWeight?: { ingress: string; weight: number };
  /** Its EKS upgrade insights, or why they could not be read. */
  upgradeInsights?: { insights?: ClusterUpgradeInsights; error?: Error };
}) {
  const classes = useStyles();
  const { colour, name, cluster, record, workloads, ingressWeight } = props;
  return (
    <Box
      className={classes.panel}
      style={{ borderColor: CLUSTER_COLOUR_CODES[colour] }}
      data-testid={`bluegreen-cluster-${colour}`}
    >
      <Typography
        variant="caption"
        className={classes.label}
        style={{ color: CLUSTER_COLOUR_CODES[colour] }}
      >
        {colour}
      </Typography>
      <Typography variant="subtitle1" className={classes.name}>
        {name ?? 'not annotated'}
      </Typography>
      <VersionLine cluster={cluster} />
      <WeightBar
        colour={colour}
        weight={record?.weight}
        sharePercent={record?.sharePercent}
      />
      {ingressWeight && (
        <Typography
          variant="body2"
          color={
            ingressWeight.weight === record?.weight ? 'textSecondary' : 'error'
          }
          data-testid={`bluegreen-ingress-weight-${colour}`}
        >
          Ingress {ingressWeight.ingress}: aws-weight {ingressWeight.weight}
          {ingressWeight.weight === record?.weight && ' (in Route 53)'}
          {ingressWeight.weight !== record?.weight &&
            (record?.externalDnsOwner
              ? ` · Route 53 still holds ${
                  record?.weight ?? 'no record'
                }: external-dns has not carried it yet`
              : ` · Route 53 holds ${
                  record?.weight ?? 'no record'
                }, and no external-dns owns that record: none will carry it`)}
        </Typography>
      )}
      {workloads && <WorkloadList workloads={workloads} />}
      {props.upgradeInsights && (
        <UpgradeInsights
          clusterName={name ?? colour}
          insights={props.upgradeInsights.insights}
          error={props.upgradeInsights.error}
        />
      )}
    </Box>
  );
}
