import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import {
  ClusterUpgradeInsights,
  failingInsights,
  UpgradeInsight,
} from '@bluegreen/plugin-bluegreen-common';

/** "2026-11-24 22:41 UTC" */
const when = (iso?: string) =>
  iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'unknown';

function InsightEntry(props: { insight: UpgradeInsight }) {
  const { insight } = props;
  const blocks = insight.status === 'ERROR';
  return (
    <Box data-testid="bluegreen-insight">
      <Typography variant="body2" color={blocks ? 'error' : 'textPrimary'}>
        {blocks ? 'Blocks' : 'Warns about'} Kubernetes{' '}
        {insight.kubernetesVersion ?? '(next version)'}: {insight.name}
        {insight.reason ? ` — ${insight.reason}` : ''}
      </Typography>
      {insight.deprecations.map(d => (
        <Box key={d.usage} ml={2}>
          {/* API paths have no spaces: let them wrap inside the cluster's panel. */}
          <Typography
            variant="body2"
            data-testid="bluegreen-insight-api"
            style={{ overflowWrap: 'anywhere' }}
          >
            {d.usage}
            {d.stopServingVersion
              ? ` stops being served in ${d.stopServingVersion}`
              : ''}
            {d.replacedWith ? `; use ${d.replacedWith}` : ''}
            {d.startServingReplacementVersion
              ? ` (served since ${d.startServingReplacementVersion})`
              : ''}
          </Typography>
          {d.clients.map(c => (
            <Typography
              key={c.userAgent}
              variant="body2"
              color="textSecondary"
              data-testid="bluegreen-insight-client"
            >
              called by {c.userAgent}
              {c.requestsLast30Days !== undefined
                ? `, ${c.requestsLast30Days} requests in the last 30 days`
                : ''}
              , last seen {when(c.lastRequestTime)}
            </Typography>
          ))}
        </Box>
      ))}
      {insight.recommendation && (
        <Typography variant="caption" color="textSecondary">
          {insight.recommendation}
        </Typography>
      )}
    </Box>
  );
}

/**
 * One cluster's EKS upgrade insights that block (ERROR) or warn (WARNING): each removed
 * API still in use, its replacement, and who calls it. Says so when there are none, or
 * when they could not be read; never more than that, so the view around it keeps working.
 */
export function UpgradeInsights(props: {
  clusterName: string;
  insights?: ClusterUpgradeInsights;
  /** The read of the insights failed as a whole. */
  error?: Error;
}) {
  const { clusterName, insights, error } = props;
  const line = (text: string) => (
    <Typography
      variant="body2"
      color="textSecondary"
      data-testid="bluegreen-insights"
    >
      {text}
    </Typography>
  );
  if (error) {
    return line(`Upgrade insights unavailable: ${error.message}`);
  }
  if (!insights) {
    return line('Reading upgrade insights…');
  }
  if (insights.status === 'unavailable') {
    return line(`Upgrade insights unavailable: ${insights.error}`);
  }
  const failing = failingInsights(insights.insights);
  if (failing.length === 0) {
    return line(`No upgrade insights for ${clusterName}`);
  }
  const refreshed = failing[0].lastRefreshTime;
  return (
    <Box data-testid="bluegreen-insights">
      <Typography variant="subtitle2">
        Upgrade insights (EKS, from the last 30 days of API requests; refreshed{' '}
        {when(refreshed)})
      </Typography>
      {failing.map(insight => (
        <InsightEntry key={insight.id} insight={insight} />
      ))}
    </Box>
  );
}
