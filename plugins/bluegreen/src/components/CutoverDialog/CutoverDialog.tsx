import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Entity,
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import {
  bluegreenCutoverForcePermission,
  ClusterColour,
  ClusterWorkloads,
  failedChecks,
  formatWeights,
  preflightChecks,
  preflightInputOf,
  preflightWeights,
  TrafficStatus,
  Weights,
} from '@bluegreen/plugin-bluegreen-common';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { blueGreenApiRef } from '../../api';
import {
  CutoverTarget,
  planProblem,
  StagedPreset,
  stagedPlan,
  TARGET_WEIGHTS,
  weightFieldProblem,
} from '../../lib/cutoverPlan';
import { StagedPlanFields } from './StagedPlanFields';
import { TaskProgress } from './TaskProgress';

function CheckLine(props: { ok?: boolean; label: string; detail: string }) {
  const text = `${props.label}: ${props.detail}`;
  if (props.ok === true) {
    return <StatusOK>{text}</StatusOK>;
  }
  return props.ok === false ? (
    <StatusError>{text}</StatusError>
  ) : (
    <StatusWarning>{text}</StatusWarning>
  );
}

/**
 * Plans a cutover (staged steps or one step, pre-flight checks, confirmation) and starts
 * it through the bluegreen backend: a staged run, which the card then follows, or a
 * one-step task, followed here.
 */
export function CutoverDialog(props: {
  entity: Entity;
  status: TrafficStatus;
  workloads: Record<ClusterColour, ClusterWorkloads>;
  onClose: () => void;
  onCompleted: () => void;
  /** A staged run started: the card shows it from here on. */
  onStagedStarted: (runId: string) => void;
}) {
  const { entity, status, workloads, onClose, onCompleted, onStagedStarted } =
    props;
  const [staged, setStaged] = useState(true);
  const [stagedChoice, setStagedChoice] = useState({
    preset: 'staged' as StagedPreset,
    customShares: '5, 25, 100',
    soakSeconds: '0',
  });
  const api = useApi(blueGreenApiRef);
  const [target, setTarget] = useState<CutoverTarget>(
    (status.weights.green ?? 0) > 0 ? 'to-blue' : 'to-green',
  );
  const [custom, setCustom] = useState({
    blue: String(status.weights.blue ?? 0),
    green: String(status.weights.green ?? 0),
  });
  const [confirmed, setConfirmed] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<Error>();
  const [taskId, setTaskId] = useState<string>();

  const fieldProblems = {
    blue: weightFieldProblem(custom.blue),
    green: weightFieldProblem(custom.green),
  };
  let weights: Weights | undefined;
  if (target !== 'custom') {
    weights = TARGET_WEIGHTS[target];
  } else if (!fieldProblems.blue && !fieldProblems.green) {
    weights = { blue: Number(custom.blue), green: Number(custom.green) };
  }
  const staging =
    staged && target !== 'custom'
      ? stagedPlan({
          ...stagedChoice,
          toward: target === 'to-green' ? 'green' : 'blue',
          current: status.weights,
        })
      : undefined;
  if (staging) {
    weights = staging.plan && preflightWeights(staging.plan);
  }
  const problem = staging
    ? staging.problem
    : weights && planProblem(weights, status.weights);
  const checks = useMemo(
    () =>
      weights
        ? preflightChecks(preflightInputOf(status), workloads, weights)
        : [],
    [weights, status, workloads],
  );
  const failing = failedChecks(checks).length;
  // The backend refuses a failing pre-flight unless forced by a holder of the permission.
  const forcePermission = usePermission({
    permission: bluegreenCutoverForcePermission,
    resourceRef: stringifyEntityRef(entity),
  });
  const [force, setForce] = useState(false);
  const forced = failing > 0 && force;
  // A confirmation or a force covers the plan and the failures it was given for, not
  // another target or checks that failed since.
  const planKey = `${JSON.stringify(staging?.plan)} ${weights?.blue}/${
    weights?.green
  } ${failedChecks(checks)
    .map(c => c.id)
    .join(',')}`;
  useEffect(() => {
    setForce(false);
    setConfirmed(false);
  }, [planKey]);

  const forceLabel = () => {
    if (forcePermission.loading) {
      return 'Checking whether you may force this cutover…';
    }
    return forcePermission.allowed
      ? `Force: override ${failing} failed pre-flight check${
          failing > 1 ? 's' : ''
        }`
      : `The backend refuses this cutover until the pre-flight checks pass; forcing it needs the ${bluegreenCutoverForcePermission.name} permission`;
  };

  const submit = async () => {
    if (!weights) {
      return;
    }
    setSubmitting(true);
    setError(undefined);
    try {
      if (staging?.plan) {
        const { runId } = await api.startStagedCutover(
          getCompoundEntityRef(entity),
          { plan: staging.plan },
        );
        onStagedStarted(runId);
        return;
      }
      const { blue, green } = status.weights;
      const response = await api.cutover(getCompoundEntityRef(entity), {
        weights,
        mode: status.mode,
        ...(blue !== undefined &&
          green !== undefined && { expected: { blue, green } }),
        ...(forced && { force: true }),
      });
      setTaskId(response.taskId);
    } catch (e) {
      // The backend's own message (it names the field or the permission), not "403".
      const body = (e as { body?: { error?: { message?: string } } }).body;
      setError(new Error(body?.error?.message ?? (e as Error).message));
    } finally {
      setSubmitting(false);
    }
  };

  const onFinished = useCallback(
    (succeeded: boolean) => {
      if (succeeded) {
        onCompleted();
      }
    },
    [onCompleted],
  );

  return (
    <Dialog
      open
      onClose={onClose}
      fullWidth
      maxWidth="md"
      data-testid="bluegreen-cutover-dialog"
    >
      <DialogTitle>Cut over {status.hostname}</DialogTitle>
      <DialogContent>
        <Typography variant="body2" gutterBottom>
          Now: {formatWeights(status.weights)} · mode {status.mode} (
          {status.mode === 'gitops'
            ? 'weight files in the generation repository, applied, with a pull request'
            : 'one compare-and-swap change of the Route 53 records'}
          )
        </Typography>
        {taskId ? (
          <TaskProgress taskId={taskId} onFinished={onFinished} />
        ) : (
          <>
            <FormControlLabel
              control={
                <Checkbox
                  checked={staged}
                  onChange={e => setStaged(e.target.checked)}
                  inputProps={{ 'data-testid': 'bluegreen-staged' } as any}
                />
              }
              label={
                status.mode === 'route53'
                  ? 'Staged: move in verified steps, rolling back in stages by itself if a probe fails'
                  : 'Staged: move in verified steps, each a GitOps change (weight files, applies, pull request) followed until Route 53 holds it, rolling back in stages by itself if a check fails'
              }
            />
            <RadioGroup
              value={target}
              onChange={e => setTarget(e.target.value as CutoverTarget)}
            >
              <FormControlLabel
                value="to-green"
                control={<Radio />}
                label="Shift to green (blue 0, green 100)"
              />
              <FormControlLabel
                value="to-blue"
                control={<Radio />}
                label="Shift back to blue (blue 100, green 0)"
              />
              {!staged && (
                <FormControlLabel
                  value="custom"
                  control={<Radio />}
                  label="Custom weights"
                />
              )}
            </RadioGroup>
            {staging && (
              <StagedPlanFields
                {...stagedChoice}
                onChange={change =>
                  setStagedChoice({ ...stagedChoice, ...change })
                }
                plan={staging.plan}
                problem={staging.problem}
                floor={status.dnsFloor}
                mode={status.mode}
              />
            )}
            {target === 'custom' && (
              <div>
                {(['blue', 'green'] as const).map(colour => (
                  <TextField
                    key={colour}
                    label={`${colour} weight (0-255)`}
                    value={custom[colour]}
                    onChange={e =>
                      setCustom({ ...custom, [colour]: e.target.value })
                    }
                    error={Boolean(fieldProblems[colour])}
                    helperText={fieldProblems[colour]}
                    inputProps={{ 'data-testid': `bluegreen-custom-${colour}` }}
                    style={{ marginRight: 16 }}
                  />
                ))}
              </div>
            )}
            {problem && !staging && (
              <Typography color="error" data-testid="bluegreen-plan-problem">
                {problem}
              </Typography>
            )}
            {weights && !problem && (
              <>
                {!staging && (
                  <Typography variant="subtitle2" style={{ marginTop: 16 }}>
                    Plan: {formatWeights(status.weights)} →{' '}
                    {formatWeights(weights)}
                  </Typography>
                )}
                <Typography variant="subtitle2">Pre-flight checks</Typography>
                <div data-testid="bluegreen-preflight">
                  {checks.map(c => (
                    <div key={c.id}>
                      <CheckLine {...c} />
                    </div>
                  ))}
                </div>
                {failing > 0 && staging && (
                  <Typography variant="body2" color="error">
                    A staged cutover starts only when every pre-flight check
                    passes
                  </Typography>
                )}
                {failing > 0 && !staging && (
                  <FormControlLabel
                    control={
                      <Checkbox
                        checked={force}
                        disabled={!forcePermission.allowed}
                        onChange={e => setForce(e.target.checked)}
                        inputProps={
                          {
                            'data-testid': 'bluegreen-cutover-force',
                          } as any
                        }
                      />
                    }
                    label={forceLabel()}
                  />
                )}
                <FormControlLabel
                  control={
                    <Checkbox
                      checked={confirmed}
                      onChange={e => setConfirmed(e.target.checked)}
                      inputProps={
                        {
                          'data-testid': 'bluegreen-cutover-confirm',
                        } as any
                      }
                    />
                  }
                  label={`I am moving production traffic of ${status.hostname}${
                    forced
                      ? `, although ${failing} pre-flight check${
                          failing > 1 ? 's have' : ' has'
                        } not passed`
                      : ''
                  }`}
                />
              </>
            )}
            {error && (
              <Typography color="error" data-testid="bluegreen-cutover-error">
                {error.message}
              </Typography>
            )}
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{taskId ? 'Close' : 'Cancel'}</Button>
        {!taskId && (
          <Button
            color="primary"
            variant="contained"
            disabled={
              !weights ||
              Boolean(problem) ||
              !confirmed ||
              (failing > 0 && !forced) ||
              submitting
            }
            onClick={submit}
            data-testid="bluegreen-cutover-submit"
          >
            {staging ? 'Start staged cutover' : 'Cut over'}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
