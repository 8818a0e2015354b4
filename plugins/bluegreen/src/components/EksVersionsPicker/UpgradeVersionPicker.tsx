import { useEffect, useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import {
  ClusterColour,
  compareKubernetesVersions,
  describeEksSupport,
} from '@bluegreen/plugin-bluegreen-common';
import FormControl from '@material-ui/core/FormControl';
import FormHelperText from '@material-ui/core/FormHelperText';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { blueGreenApiRef } from '../../api';
import { UpgradeInsights, useUpgradeInsights } from '../UpgradeInsights';

const other = (colour: ClusterColour): ClusterColour =>
  colour === 'blue' ? 'green' : 'blue';

/** The form's generation and colour, as far as they are picked and well formed. */
function pickedIn(formContext: unknown): {
  generation?: CompoundEntityRef;
  generationError?: string;
  colour?: ClusterColour;
} {
  const values = (formContext as { formData?: Record<string, unknown> })
    ?.formData;
  const colour =
    values?.colour === 'blue' || values?.colour === 'green'
      ? values.colour
      : undefined;
  const generation = values?.generation;
  if (typeof generation !== 'string' || generation === '') {
    return { colour };
  }
  try {
    return {
      generation: parseEntityRef(generation, { defaultKind: 'system' }),
      colour,
    };
  } catch (error) {
    return { generationError: (error as Error).message, colour };
  }
}

/**
 * Upgrade mode (`ui:options: { mode: upgrade }`): the one version to rebuild the idle
 * colour at. It reads the generation and colour from the form, and offers only the
 * versions EKS supports today that are newer than the serving (other) cluster's; the
 * serving cluster's upgrade insights are shown before anything starts.
 */
export function UpgradeVersionPicker(
  props: FieldExtensionComponentProps<string>,
) {
  const { formData, onChange, rawErrors, schema, required, formContext } =
    props;
  const api = useApi(blueGreenApiRef);
  const { generation, generationError, colour } = pickedIn(formContext);
  const generationKey =
    generation &&
    `${generation.kind}:${generation.namespace}/${generation.name}`;
  const status = useAsync(
    async () => (generation ? api.getTrafficStatus(generation) : undefined),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, generationKey],
  );
  const versions = useAsync(() => api.getEksVersions(), [api]);
  const insights = useUpgradeInsights(generation);
  const serving = colour && other(colour);
  const servingCluster = serving && status.value?.clusters[serving];
  const servingVersion = servingCluster?.version;
  const offered = useMemo(
    () =>
      servingVersion
        ? (versions.value?.versions ?? []).filter(
            v => compareKubernetesVersions(v.version, servingVersion) > 0,
          )
        : [],
    [versions.value, servingVersion],
  );

  // The lowest newer version unless one of the offered ones is chosen already.
  useEffect(() => {
    if (offered.length > 0 && !offered.some(v => v.version === formData)) {
      onChange(offered[0].version);
    }
  }, [offered, formData, onChange]);

  const say = (text: string, color: 'error' | 'textSecondary' = 'error') => (
    <Typography color={color} data-testid="eks-upgrade-version-message">
      {text}
    </Typography>
  );
  if (generationError) {
    return say(`The generation is not an entity reference: ${generationError}`);
  }
  if (!generation) {
    return say(
      'Pick the generation first: the versions offered are the ones newer than its serving cluster.',
      'textSecondary',
    );
  }
  if (!colour || !serving) {
    return say(
      'Pick the colour to rebuild first: the other colour serves, and the new version must be newer than its version.',
      'textSecondary',
    );
  }
  if (status.loading || versions.loading) {
    return <Progress />;
  }
  if (status.error) {
    return say(
      `Could not read the generation's traffic status: ${status.error.message}`,
    );
  }
  if (versions.error) {
    return say(
      `Could not read the supported Kubernetes versions: ${versions.error.message}`,
    );
  }
  if (!servingCluster || !servingVersion) {
    return say(
      `The version of ${serving}'s cluster (${
        servingCluster?.name ?? 'not annotated'
      }) is unknown${
        servingCluster?.error ? ` (${servingCluster.error})` : ''
      }: no version can be offered.`,
    );
  }
  const ownWeight = status.value?.weights[colour];
  return (
    <FormControl
      margin="normal"
      required={required}
      error={Boolean(rawErrors?.length)}
    >
      <Typography variant="subtitle1">{schema.title}</Typography>
      {offered.length === 0 ? (
        say(
          `EKS supports no version newer than ${serving}'s ${servingVersion} yet.`,
        )
      ) : (
        <TextField
          select
          label={`${colour} cluster`}
          value={formData ?? ''}
          onChange={e => onChange(e.target.value)}
          margin="dense"
          inputProps={{ 'data-testid': 'eks-upgrade-version' }}
        >
          {offered.map(v => (
            <MenuItem key={v.version} value={v.version}>
              {v.version} — {describeEksSupport(v.supportStatus, v)}
            </MenuItem>
          ))}
        </TextField>
      )}
      <FormHelperText data-testid="eks-upgrade-version-help">
        {serving} ({servingCluster.name}) serves on Kubernetes {servingVersion}:
        only the versions EKS supports today that are newer are offered.
        Skipping minor versions is allowed: the {colour} cluster is built new,
        not upgraded in place.
        {ownWeight !== undefined &&
          ownWeight > 0 &&
          ` ${colour} still has weight ${ownWeight}: move its traffic off before rebuilding it.`}
      </FormHelperText>
      <Typography variant="subtitle2">
        Upgrade insights of the serving cluster, {servingCluster.name}
      </Typography>
      <UpgradeInsights
        clusterName={servingCluster.name}
        insights={insights.value?.clusters[serving]}
        error={insights.error}
      />
    </FormControl>
  );
}
