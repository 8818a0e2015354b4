import {
  StatusAborted,
  StatusError,
  StatusOK,
} from '@backstage/core-components';
import { isActiveRun, weightSplit } from '@bluegreen/plugin-bluegreen-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { FollowedRun } from './useCutoverRuns';

const STATUS_ICONS: Partial<Record<string, typeof StatusOK>> = {
  completed: StatusOK,
  'rolled-back': StatusAborted,
};

/** The entity's finished runs: who, when, the plan, the outcome and why. */
export function CutoverRunHistory(props: { runs: FollowedRun[] }) {
  const finished = props.runs.filter(r => !isActiveRun(r.status));
  if (finished.length === 0) return null;
  return (
    <Box data-testid="bluegreen-run-history" mt={2}>
      <Typography variant="subtitle2">Cutover history</Typography>
      {finished.map(run => {
        const Status = STATUS_ICONS[run.status] ?? StatusError;
        return (
          <div key={run.id} data-testid="bluegreen-run-history-entry">
            <Status>
              {new Date(run.createdAt).toLocaleString()} · {run.startedBy} ·{' '}
              {[run.plan.from, ...run.plan.steps.map(s => s.weights)]
                .map(weightSplit)
                .join(' → ')}{' '}
              · {run.status}
              {run.reason ? `: ${run.reason}` : ''}
            </Status>
          </div>
        );
      })}
    </Box>
  );
}
