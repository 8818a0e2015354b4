import { InfoCard, ResponseErrorPanel } from '@backstage/core-components';
import { RELATION_OWNER_OF } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { isBlueGreenAvailable } from '@bluegreen/plugin-bluegreen-common';
import { useRelatedComponents } from '../shared/useRelatedEntities';
import { WorkloadsTable } from '../shared/WorkloadsTable';

/**
 * A team's workloads: each component it owns, where it runs, ready or not, its traffic.
 * Nothing at all (not an empty card) on a team that owns no bluegreen component, and
 * nothing while that is being found out, so that other teams' pages do not flicker.
 */
export function EntityTeamWorkloadsCard() {
  const { entity } = useEntity();
  const components = useRelatedComponents(entity, RELATION_OWNER_OF);
  if (components.error) {
    return (
      <InfoCard title="Workloads on the clusters">
        <ResponseErrorPanel error={components.error} />
      </InfoCard>
    );
  }
  if (!components.value?.some(isBlueGreenAvailable)) {
    return null;
  }
  return (
    <InfoCard title="Workloads on the clusters">
      <WorkloadsTable entities={components.value} columns={undefined} />
    </InfoCard>
  );
}
