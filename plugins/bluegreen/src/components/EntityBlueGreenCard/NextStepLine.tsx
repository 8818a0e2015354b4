import { Fragment } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { Link } from '@backstage/core-components';
import { Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  generationRefOf,
  nextStep,
  TrafficStatus,
} from '@bluegreen/plugin-bluegreen-common';
import Typography from '@material-ui/core/Typography';
import { blueGreenApiRef } from '../../api';
import { templateLink } from '../../lib/templateLink';

/**
 * One line on what comes next for the generation (finish the cutover, retire or
 * rebuild the idle colour, …), its actions linking to the templates, prefilled.
 */
export function NextStepLine(props: { entity: Entity; status: TrafficStatus }) {
  const api = useApi(blueGreenApiRef);
  const versions = useAsync(() => api.getEksVersions(), [api]);
  if (versions.loading) {
    return null;
  }
  if (versions.error) {
    return (
      <Typography variant="body2" color="textSecondary">
        Next step unknown: the supported EKS versions could not be read (
        {versions.error.message})
      </Typography>
    );
  }
  const step = nextStep({
    status: props.status,
    supportedVersions: versions.value?.versions ?? [],
    generation: generationRefOf(props.entity),
  });
  if (!step) {
    return null;
  }
  return (
    <Typography variant="body2" data-testid="bluegreen-next-step">
      Next: {step.summary} —{' '}
      {step.actions.map((action, i) => (
        <Fragment key={action.label}>
          {i > 0 && ' or '}
          <Link to={templateLink(action)}>{action.label}</Link>
        </Fragment>
      ))}
    </Typography>
  );
}
