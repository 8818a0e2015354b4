import { InfoCard } from '@backstage/core-components';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_HOSTNAME,
  CLUSTER_COLOURS,
  ClusterColour,
  getBlueGreenAnnotations,
} from '@bluegreen/plugin-bluegreen-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

// Kubernetes plugin annotations that select this entity's workloads in each cluster.
const KUBERNETES_ANNOTATIONS = [
  ['backstage.io/kubernetes-id', 'Kubernetes id'],
  ['backstage.io/kubernetes-label-selector', 'Label selector'],
  ['backstage.io/kubernetes-namespace', 'Namespace'],
] as const;

const COLOURS: Record<ClusterColour, string> = {
  blue: '#1e88e5',
  green: '#43a047',
};

const useStyles = makeStyles(theme => ({
  cluster: {
    borderLeft: `6px solid`,
    borderRadius: theme.shape.borderRadius,
    padding: theme.spacing(1.5, 2),
    background: theme.palette.background.default,
    height: '100%',
  },
  label: {
    textTransform: 'uppercase',
    fontWeight: theme.typography.fontWeightBold as number,
    letterSpacing: 1,
  },
  mono: {
    fontFamily: 'monospace',
    overflowWrap: 'break-word',
  },
  clusterName: {
    fontWeight: theme.typography.fontWeightBold as number,
  },
}));

/** The blue and green clusters of an entity, side by side. */
export function EntityBlueGreenCard() {
  const { entity } = useEntity();
  const classes = useStyles();
  const { hostname, clusters } = getBlueGreenAnnotations(entity);
  const annotations = entity.metadata.annotations ?? {};

  if (!hostname) {
    return (
      <InfoCard title="Blue/green">
        <MissingAnnotationEmptyState annotation={ANNOTATION_HOSTNAME} />
      </InfoCard>
    );
  }

  return (
    <InfoCard title="Blue/green" subheader={hostname}>
      <Grid container spacing={2}>
        {CLUSTER_COLOURS.map(colour => (
          <Grid item xs={12} sm={6} key={colour}>
            <Box
              className={classes.cluster}
              style={{ borderColor: COLOURS[colour] }}
              data-testid={`bluegreen-cluster-${colour}`}
            >
              <Typography
                variant="caption"
                className={classes.label}
                style={{ color: COLOURS[colour] }}
              >
                {colour}
              </Typography>
              <Typography
                variant="subtitle1"
                className={`${classes.mono} ${classes.clusterName}`}
              >
                {clusters[colour] ?? 'not annotated'}
              </Typography>
            </Box>
          </Grid>
        ))}
        <Grid item xs={12}>
          <Typography variant="subtitle2">Workload selection</Typography>
          {KUBERNETES_ANNOTATIONS.map(([key, label]) => (
            <Typography variant="body2" key={key}>
              {label}:{' '}
              <span className={classes.mono}>
                {annotations[key] ?? 'not set'}
              </span>
            </Typography>
          ))}
        </Grid>
      </Grid>
    </InfoCard>
  );
}
