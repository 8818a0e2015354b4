import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ClusterColour } from '@bluegreen/plugin-bluegreen-common';
import { CLUSTER_COLOUR_CODES } from './colours';

const useStyles = makeStyles(theme => ({
  track: {
    height: 10,
    borderRadius: 5,
    background: theme.palette.action.hover,
    overflow: 'hidden',
  },
  fill: { height: '100%' },
}));

/** A cluster's share of the traffic as a bar, with its weight. */
export function WeightBar(props: {
  colour: ClusterColour;
  weight?: number;
  sharePercent?: number;
}) {
  const classes = useStyles();
  const { colour, weight, sharePercent } = props;
  return (
    <Box data-testid={`bluegreen-weight-${colour}`}>
      <Typography variant="body2">
        {weight === undefined ? (
          'no weighted record'
        ) : (
          <>
            <strong data-testid={`bluegreen-share-${colour}`}>
              {Math.round(sharePercent ?? 0)}%
            </strong>{' '}
            of traffic · weight{' '}
            <span data-testid={`bluegreen-weight-value-${colour}`}>
              {weight}
            </span>
          </>
        )}
      </Typography>
      <div
        className={classes.track}
        role="meter"
        aria-label={`${colour} share of traffic`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(sharePercent ?? 0)}
      >
        <div
          className={classes.fill}
          style={{
            width: `${sharePercent ?? 0}%`,
            background: CLUSTER_COLOUR_CODES[colour],
          }}
        />
      </div>
    </Box>
  );
}
