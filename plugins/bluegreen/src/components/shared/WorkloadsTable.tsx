import { Entity } from '@backstage/catalog-model';
import {
  StatusError,
  StatusOK,
  StatusPending,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { useKubernetesObjects } from '@backstage/plugin-kubernetes-react';
import {
  formatWeights,
  isBlueGreenAvailable,
} from '@bluegreen/plugin-bluegreen-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import {
  clusterWorkloads,
  ClusterWorkloads,
  isReady,
} from '@bluegreen/plugin-bluegreen-common';
import { STATUS_REFRESH_MS, useTrafficStatus } from './useTrafficStatus';

/** A column per named cluster, or one "Runs on" column with every cluster found. */
export type ClusterColumns = Array<{ label: string; name: string }> | undefined;

function Readiness(props: { workloads: ClusterWorkloads; prefix?: string }) {
  const { workloads, prefix = '' } = props;
  if (workloads.state === 'loading') {
    return <StatusPending>{prefix}loading</StatusPending>;
  }
  if (workloads.state === 'unreachable') {
    return <StatusError>{prefix}unreachable</StatusError>;
  }
  if (workloads.deployments.length === 0) {
    return <Typography variant="body2">{prefix}not running</Typography>;
  }
  const ready = workloads.deployments.filter(isReady).length;
  const text = `${prefix}${ready}/${workloads.deployments.length} deployments ready`;
  return ready === workloads.deployments.length ? (
    <StatusOK>{text}</StatusOK>
  ) : (
    <StatusError>
      {text} (not ready:{' '}
      {workloads.deployments
        .filter(d => !isReady(d))
        .map(d => `${d.name} ${d.ready}/${d.desired}`)
        .join(', ')}
      )
    </StatusError>
  );
}

function TrafficCell(props: { entity: Entity }) {
  const { status, error } = useTrafficStatus(props.entity);
  if (!isBlueGreenAvailable(props.entity)) {
    return <Typography variant="body2">no bluegreen hostname</Typography>;
  }
  if (error && !status) {
    return <StatusError>{error.message}</StatusError>;
  }
  if (!status) {
    return <StatusPending>loading</StatusPending>;
  }
  return (
    <Typography variant="body2">
      {formatWeights(status.weights)} ({status.mode})
    </Typography>
  );
}

function WorkloadsRow(props: { entity: Entity; columns: ClusterColumns }) {
  const { entity, columns } = props;
  const { kubernetesObjects, error } = useKubernetesObjects(
    entity,
    STATUS_REFRESH_MS,
  );
  const found = (kubernetesObjects?.items ?? []).map(i => i.cluster.name);
  return (
    <TableRow data-testid={`bluegreen-row-${entity.metadata.name}`}>
      <TableCell>
        <EntityRefLink entityRef={entity} />
      </TableCell>
      {columns ? (
        columns.map(column => (
          <TableCell key={column.name}>
            <Readiness
              workloads={clusterWorkloads(
                kubernetesObjects,
                column.name,
                error,
              )}
            />
          </TableCell>
        ))
      ) : (
        <TableCell>
          {error && <StatusError>{error}</StatusError>}
          {!error && !kubernetesObjects && (
            <StatusPending>loading</StatusPending>
          )}
          {found.map(name => {
            const workloads = clusterWorkloads(kubernetesObjects, name);
            return workloads.state === 'ok' &&
              workloads.deployments.length === 0 ? null : (
              <div key={name}>
                <Readiness workloads={workloads} prefix={`${name}: `} />
              </div>
            );
          })}
        </TableCell>
      )}
      <TableCell>
        <TrafficCell entity={entity} />
      </TableCell>
    </TableRow>
  );
}

/** Components × clusters: where each runs, whether it is ready, and its traffic split. */
export function WorkloadsTable(props: {
  entities: Entity[];
  columns: ClusterColumns;
}) {
  const { entities, columns } = props;
  return (
    <Table size="small">
      <TableHead>
        <TableRow>
          <TableCell>Component</TableCell>
          {columns ? (
            columns.map(c => (
              <TableCell key={c.name}>
                {c.label} ({c.name})
              </TableCell>
            ))
          ) : (
            <TableCell>Runs on</TableCell>
          )}
          <TableCell>Traffic</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {entities.map(entity => (
          <WorkloadsRow
            key={entity.metadata.name}
            entity={entity}
            columns={columns}
          />
        ))}
      </TableBody>
    </Table>
  );
}
