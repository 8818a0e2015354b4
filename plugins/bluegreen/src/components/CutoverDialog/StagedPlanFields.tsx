import {
  CutoverMode,
  CUTOVER_PRESETS,
  CutoverPlan,
  DnsFloor,
  holdSeconds,
  planDurationSeconds,
  weightSplit,
} from '@bluegreen/plugin-bluegreen-common';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { StagedPreset } from '../../lib/cutoverPlan';

const minutes = (seconds: number) =>
  seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 6) / 10} min`;

/** The staged choices (preset or custom steps, soak) and the plan they make. */
export function StagedPlanFields(props: {
  preset: StagedPreset;
  customShares: string;
  soakSeconds: string;
  onChange: (
    change: Partial<{
      preset: StagedPreset;
      customShares: string;
      soakSeconds: string;
    }>,
  ) => void;
  plan?: CutoverPlan;
  problem?: string;
  floor?: DnsFloor;
  /** gitops: each step also waits for its task and for the weights to reach Route 53. */
  mode?: CutoverMode;
}) {
  const { plan, floor } = props;
  return (
    <div>
      <TextField
        select
        label="Steps"
        value={props.preset}
        onChange={e =>
          props.onChange({ preset: e.target.value as StagedPreset })
        }
        inputProps={{ 'data-testid': 'bluegreen-staged-preset' }}
        style={{ minWidth: 320, marginRight: 16 }}
      >
        {CUTOVER_PRESETS.map(p => (
          <MenuItem key={p.id} value={p.id}>
            {p.label}
          </MenuItem>
        ))}
        <MenuItem value="custom">Custom steps</MenuItem>
      </TextField>
      {props.preset === 'custom' && (
        <TextField
          label="Shares of the gaining cluster, %"
          helperText="comma-separated, e.g. 5, 25, 100"
          value={props.customShares}
          onChange={e => props.onChange({ customShares: e.target.value })}
          inputProps={{ 'data-testid': 'bluegreen-staged-shares' }}
          style={{ marginRight: 16 }}
        />
      )}
      <TextField
        label="Soak per step (s)"
        value={props.soakSeconds}
        onChange={e => props.onChange({ soakSeconds: e.target.value })}
        inputProps={{ 'data-testid': 'bluegreen-staged-soak' }}
      />
      {props.problem && (
        <Typography color="error" data-testid="bluegreen-plan-problem">
          {props.problem}
        </Typography>
      )}
      {plan && (
        <div data-testid="bluegreen-staged-plan" style={{ marginTop: 8 }}>
          <Typography variant="subtitle2">
            Plan (blue/green): {weightSplit(plan.from)} →{' '}
            {plan.steps.map(s => weightSplit(s.weights)).join(' → ')}
          </Typography>
          {floor && (
            <Typography variant="body2" data-testid="bluegreen-staged-duration">
              Each step holds {holdSeconds(plan.steps[0], floor)} s (TTL{' '}
              {floor.ttlSeconds} s + INSYNC {floor.insyncSeconds} s + soak)
              while both clusters are probed; expected duration{' '}
              {minutes(planDurationSeconds(plan, floor))}
              {props.mode === 'gitops' &&
                ' plus, for each step, its GitOps task (the applies) and the wait for Argo CD and external-dns to carry the weight to Route 53'}{' '}
              if every step verifies. A failed probe rolls back in stages by
              itself.
            </Typography>
          )}
        </div>
      )}
    </div>
  );
}
