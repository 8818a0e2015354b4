import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { RELATION_OWNER_OF } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import { useRelatedComponents } from '../shared/useRelatedEntities';
import { WorkloadsTable } from '../shared/WorkloadsTable';

/** A team's workloads: each component it owns, where it runs, ready or not, its traffic. */
export function EntityTeamWorkloadsCard() {
  const { entity } = useEntity();
  const components = useRelatedComponents(entity, RELATION_OWNER_OF);
  return (
    <InfoCard title="Workloads on the clusters">
      {components.loading && <Progress />}
      {components.error && <ResponseErrorPanel error={components.error} />}
      {components.value?.length === 0 && (
        <Typography>This team owns no components.</Typography>
      )}
      {components.value && components.value.length > 0 && (
        <WorkloadsTable entities={components.value} columns={undefined} />
      )}
    </InfoCard>
  );
}
