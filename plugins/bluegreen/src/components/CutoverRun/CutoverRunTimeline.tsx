import { useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  StatusOK,
  StatusPending,
  StatusRunning,
} from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  bluegreenCutoverPermission,
  CLUSTER_COLOURS,
  CutoverPlanStep,
  CutoverRunCommand,
  CutoverRunCommandRequest,
  holdSeconds,
  weightSplit,
} from '@bluegreen/plugin-bluegreen-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { blueGreenApiRef } from '../../api';
import { FollowedRun } from './useCutoverRuns';
import { probeSummary } from './probeSummary';

type StepState = 'done' | 'current' | 'pending';

function stepStates(
  steps: CutoverPlanStep[],
  current: number | undefined,
  reachedUpTo: number,
): StepState[] {
  return steps.map((_, i) => {
    if (current === i) return 'current';
    return i <= reachedUpTo ? 'done' : 'pending';
  });
}

function StepLine(props: { state: StepState; text: string; testId: string }) {
  const Icon = {
    done: StatusOK,
    current: StatusRunning,
    pending: StatusPending,
  }[props.state];
  return (
    <div data-testid={props.testId} data-state={props.state}>
      <Icon>{props.text}</Icon>
    </div>
  );
}

/** Seconds left in the hold now, counted down from the last read. */
function useHoldLeft(run: FollowedRun): number | undefined {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (run.holdLeftMs === undefined) return undefined;
  if (run.status === 'paused') return Math.ceil(run.holdLeftMs / 1000);
  return Math.max(
    0,
    Math.ceil((run.holdLeftMs - (now - run.receivedAt)) / 1000),
  );
}

/**
 * A staged cutover in progress: each step with its weights and state, the time left in
 * the current hold, the last probe results per cluster, and Pause / Resume / Abort.
 */
export function CutoverRunTimeline(props: {
  run: FollowedRun;
  onChanged: () => void;
}) {
  const { run, onChanged } = props;
  const api = useApi(blueGreenApiRef);
  const permission = usePermission({
    permission: bluegreenCutoverPermission,
    resourceRef: run.entityRef,
  });
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const holdLeft = useHoldLeft(run);
  const forward = run.phase === 'forward';
  const current = run.status === 'running' || run.status === 'paused';

  const command = async (
    name: CutoverRunCommand,
    body?: CutoverRunCommandRequest,
  ) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.commandCutoverRun(run.id, name, body);
      onChanged();
    } catch (e) {
      const response = (e as { body?: { error?: { message?: string } } }).body;
      setError(response?.error?.message ?? (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const forwardStates = stepStates(
    run.plan.steps,
    forward && current ? run.stepIndex : undefined,
    forward ? run.stepIndex - 1 : run.reached,
  );
  const rollbackStates = stepStates(
    run.rollback,
    !forward && current ? run.stepIndex : undefined,
    forward ? -1 : run.stepIndex - 1,
  );
  const step = forward
    ? run.plan.steps[run.stepIndex]
    : run.rollback[run.stepIndex];
  const hold = step ? holdSeconds(step, run.floor) : 0;

  return (
    <Box data-testid="bluegreen-cutover-run" data-status={run.status}>
      <Typography variant="subtitle2">
        Staged cutover by {run.startedBy}: {run.status}
        {forward ? '' : ' (rolling back)'} · now{' '}
        <span data-testid="bluegreen-run-weights">
          {weightSplit(run.weights)}
        </span>{' '}
        (blue/green)
      </Typography>
      {run.reason && (
        <Typography
          variant="body2"
          color="error"
          data-testid="bluegreen-run-reason"
        >
          {run.reason}
        </Typography>
      )}
      <StepLine
        state="done"
        text={`start ${weightSplit(run.plan.from)}`}
        testId="bluegreen-run-start"
      />
      {run.plan.steps.map((s, i) => (
        <StepLine
          key={`f${i}`}
          state={forwardStates[i]}
          text={`step ${i + 1}: ${weightSplit(s.weights)} · hold ${holdSeconds(
            s,
            run.floor,
          )} s`}
          testId={`bluegreen-run-step-${i}`}
        />
      ))}
      {run.rollback.map((s, i) => (
        <StepLine
          key={`r${i}`}
          state={rollbackStates[i]}
          text={`rollback ${i + 1}: ${weightSplit(
            s.weights,
          )} · hold ${holdSeconds(s, run.floor)} s`}
          testId={`bluegreen-run-rollback-${i}`}
        />
      ))}
      {run.writing && (
        <Typography variant="body2" data-testid="bluegreen-run-writing">
          Writing {step && weightSplit(step.weights)} to Route 53, waiting for
          INSYNC…
        </Typography>
      )}
      {holdLeft !== undefined && (
        <Box data-testid="bluegreen-run-hold">
          <Typography variant="body2">
            {run.status === 'paused' ? 'Paused with' : 'Holding:'} {holdLeft} s
            of {hold} s left
          </Typography>
          <LinearProgress
            variant="determinate"
            value={
              hold > 0 ? Math.min(100, ((hold - holdLeft) / hold) * 100) : 100
            }
          />
        </Box>
      )}
      {run.verification && (
        <Box data-testid="bluegreen-run-verification" mt={1}>
          <Typography variant="body2">
            Last probe ({new Date(run.verification.at).toLocaleTimeString()}):{' '}
            {run.verification.ok
              ? 'passed'
              : `failed: ${run.verification.reason}`}
          </Typography>
          {run.verification.notes?.map(note => (
            <Typography
              key={note}
              variant="body2"
              color="textSecondary"
              data-testid="bluegreen-run-verification-note"
            >
              {note}
            </Typography>
          ))}
          {CLUSTER_COLOURS.map(colour => {
            const probe = run.verification!.clusters[colour];
            return probe ? (
              <Typography
                key={colour}
                variant="body2"
                data-testid={`bluegreen-run-probe-${colour}`}
              >
                {colour}: {probeSummary(probe)}
              </Typography>
            ) : null;
          })}
        </Box>
      )}
      {current && permission.allowed && (
        <Box mt={1} display="flex" style={{ gap: 8 }}>
          {/* A rollback is not paused: it is the way back to the start. */}
          {run.status === 'running' && forward && (
            <Button
              size="small"
              variant="outlined"
              disabled={busy}
              onClick={() => command('pause')}
              data-testid="bluegreen-run-pause"
            >
              Pause
            </Button>
          )}
          {run.status === 'paused' && (
            <Button
              size="small"
              variant="outlined"
              disabled={busy}
              onClick={() => command('resume')}
              data-testid="bluegreen-run-resume"
            >
              Resume
            </Button>
          )}
          {forward && (
            <Button
              size="small"
              variant="outlined"
              color="secondary"
              disabled={busy}
              onClick={() => command('abort')}
              data-testid="bluegreen-run-abort"
            >
              Abort (roll back in stages)
            </Button>
          )}
          <Button
            size="small"
            variant="outlined"
            color="secondary"
            disabled={busy}
            onClick={() => command('abort', { immediate: true })}
            data-testid="bluegreen-run-rollback-now"
          >
            Roll back now
          </Button>
        </Box>
      )}
      {error && (
        <Typography
          variant="body2"
          color="error"
          data-testid="bluegreen-run-error"
        >
          {error}
        </Typography>
      )}
      <Box mt={1} data-testid="bluegreen-run-events">
        {run.events.slice(-5).map(e => (
          <Typography key={e.id} variant="caption" display="block">
            {new Date(e.at).toLocaleTimeString()} {e.message}
          </Typography>
        ))}
      </Box>
    </Box>
  );
}
