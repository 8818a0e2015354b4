import {
  Content,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { RELATION_HAS_PART } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  CLUSTER_COLOURS,
  getBlueGreenAnnotations,
} from '@bluegreen/plugin-bluegreen-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useRelatedComponents } from '../shared/useRelatedEntities';
import { useTrafficStatus } from '../shared/useTrafficStatus';
import { WeightBar } from '../shared/WeightBar';
import { WorkloadsTable } from '../shared/WorkloadsTable';

/** A System's blue/green tab: its traffic split and every component × both clusters. */
export function EntityBlueGreenContent() {
  const { entity } = useEntity();
  const annotations = getBlueGreenAnnotations(entity);
  const traffic = useTrafficStatus(entity);
  const components = useRelatedComponents(entity, RELATION_HAS_PART);
  const columns = CLUSTER_COLOURS.flatMap(colour =>
    annotations.clusters[colour]
      ? [{ label: colour, name: annotations.clusters[colour]! }]
      : [],
  );

  return (
    <Content>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <InfoCard
            title="Traffic split"
            subheader={
              annotations.hostname ?? 'no bluegreen/hostname annotation'
            }
          >
            {traffic.loading && <Progress />}
            {traffic.error && <ResponseErrorPanel error={traffic.error} />}
            {traffic.status && (
              <Grid container spacing={2}>
                {CLUSTER_COLOURS.map(colour => {
                  const record = traffic.status!.records.find(
                    r => r.colour === colour,
                  );
                  return (
                    <Grid item xs={12} sm={6} key={colour}>
                      <Typography variant="subtitle2">
                        {colour}: {annotations.clusters[colour]}
                      </Typography>
                      <WeightBar
                        colour={colour}
                        weight={record?.weight}
                        sharePercent={record?.sharePercent}
                      />
                    </Grid>
                  );
                })}
              </Grid>
            )}
          </InfoCard>
        </Grid>
        <Grid item xs={12}>
          <InfoCard title="Components on both clusters">
            {components.loading && <Progress />}
            {components.error && (
              <ResponseErrorPanel error={components.error} />
            )}
            {components.value?.length === 0 && (
              <Typography>This system has no components.</Typography>
            )}
            {components.value && components.value.length > 0 && (
              <WorkloadsTable
                entities={components.value}
                columns={columns.length === 2 ? columns : undefined}
              />
            )}
          </InfoCard>
        </Grid>
      </Grid>
    </Content>
  );
}
