import { useEffect, useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { Progress } from '@backstage/core-components';
import {
  CustomFieldValidator,
  FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import {
  compareKubernetesVersions,
  describeEksSupport,
} from '@bluegreen/plugin-bluegreen-common';
import FormControl from '@material-ui/core/FormControl';
import FormHelperText from '@material-ui/core/FormHelperText';
import TextField from '@material-ui/core/TextField';
import MenuItem from '@material-ui/core/MenuItem';
import Typography from '@material-ui/core/Typography';
import { blueGreenApiRef } from '../../api';
import { UpgradeVersionPicker } from './UpgradeVersionPicker';

/**
 * The blue and green clusters' Kubernetes versions of a new generation.
 * @public
 */
export type EksVersions = { blue?: string; green?: string };

/**
 * `ui:options` of the field: `mode: upgrade` picks the one version to rebuild the idle
 * colour at (the field is then a string); the default picks both of a new generation.
 * @public
 */
export type EksVersionsPickerUiOptions = { mode?: 'generation' | 'upgrade' };

/**
 * The field's value: both versions of a new generation, or the upgrade's version.
 * @public
 */
export type EksVersionsPickerValue = EksVersions | string;

type PickerProps = FieldExtensionComponentProps<
  EksVersionsPickerValue,
  EksVersionsPickerUiOptions
>;

const isUpgrade = (uiSchema?: { 'ui:options'?: EksVersionsPickerUiOptions }) =>
  uiSchema?.['ui:options']?.mode === 'upgrade';

/**
 * The Kubernetes versions of a generation's clusters, from the versions EKS supports
 * today: both of a new generation, or (upgrade mode) the one to rebuild a colour at.
 */
export function EksVersionsPicker(props: PickerProps) {
  return isUpgrade(props.uiSchema) ? (
    <UpgradeVersionPicker
      {...(props as unknown as FieldExtensionComponentProps<string>)}
    />
  ) : (
    <GenerationVersionsPicker
      {...(props as unknown as FieldExtensionComponentProps<EksVersions>)}
    />
  );
}

/**
 * Two pickers for the versions EKS supports today (from the bluegreen backend, which
 * asks EKS or falls back to its versions table); defaults to the two newest.
 */
function GenerationVersionsPicker(
  props: FieldExtensionComponentProps<EksVersions>,
) {
  const { formData, onChange, rawErrors, schema, required } = props;
  const api = useApi(blueGreenApiRef);
  const { value, loading, error } = useAsync(() => api.getEksVersions(), [api]);
  const versions = useMemo(() => value?.versions ?? [], [value]);

  useEffect(() => {
    if (versions.length > 0 && !formData?.blue && !formData?.green) {
      const newest = versions[versions.length - 1].version;
      const previous = versions[Math.max(0, versions.length - 2)].version;
      onChange({ blue: previous, green: newest });
    }
  }, [versions, formData, onChange]);

  if (loading) {
    return <Progress />;
  }
  if (error) {
    return (
      <Typography color="error">
        Could not read the supported Kubernetes versions: {error.message}
      </Typography>
    );
  }
  return (
    <FormControl
      margin="normal"
      required={required}
      error={Boolean(rawErrors?.length)}
    >
      <Typography variant="subtitle1">{schema.title}</Typography>
      {(['blue', 'green'] as const).map(colour => (
        <TextField
          key={colour}
          select
          label={`${colour} cluster`}
          value={formData?.[colour] ?? ''}
          onChange={e => onChange({ ...formData, [colour]: e.target.value })}
          margin="dense"
          inputProps={{ 'data-testid': `eks-version-${colour}` }}
        >
          {versions.map(v => (
            <MenuItem key={v.version} value={v.version}>
              {v.version} — {describeEksSupport(v.supportStatus, v)}
            </MenuItem>
          ))}
        </TextField>
      ))}
      <FormHelperText>
        {schema.description}{' '}
        {value?.source === 'versions-table' &&
          '(EKS could not be asked; from bluegreen’s versions table.)'}
      </FormHelperText>
    </FormControl>
  );
}

/**
 * Green is the new generation: it must not be older than blue. In upgrade mode a version
 * must be chosen (the server checks it is newer than the serving cluster's).
 */
export const eksVersionsValidation: CustomFieldValidator<
  EksVersionsPickerValue,
  EksVersionsPickerUiOptions
> = (value, validation, context) => {
  if (isUpgrade(context?.uiSchema) || typeof value === 'string') {
    if (typeof value !== 'string' || !/^\d+\.\d+$/.test(value)) {
      validation.addError(
        'choose the Kubernetes version to rebuild the cluster at',
      );
    }
    return;
  }
  const versions = value;
  if (!versions?.blue || !versions?.green) {
    validation.addError('choose a version for both clusters');
  } else if (compareKubernetesVersions(versions.green, versions.blue) < 0) {
    validation.addError(
      `green must not be older than blue (${versions.blue}): green is the new generation`,
    );
  }
};
