import Typography from '@material-ui/core/Typography';
import {
  StatusError,
  StatusOK,
  StatusPending,
} from '@backstage/core-components';
import { ClusterWorkloads, isReady } from '@bluegreen/plugin-bluegreen-common';

/** The entity's deployments in one cluster, ready or not, with the pods that are not. */
export function WorkloadList(props: { workloads: ClusterWorkloads }) {
  const { workloads } = props;
  if (workloads.state === 'loading') {
    return <StatusPending>loading workloads…</StatusPending>;
  }
  if (workloads.state === 'unreachable') {
    return (
      <Typography
        variant="body2"
        color="error"
        data-testid="bluegreen-unreachable"
      >
        Cluster unreachable: {workloads.error}. Check the Kubernetes backend's
        cluster configuration and credentials for this cluster.
      </Typography>
    );
  }
  if (workloads.deployments.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No deployments of this entity here (check its Kubernetes annotations).
      </Typography>
    );
  }
  return (
    <>
      {workloads.deployments.map(d => (
        <div key={`${d.namespace}/${d.name}`}>
          {isReady(d) ? (
            <StatusOK>
              {d.name} {d.ready}/{d.desired} ready
            </StatusOK>
          ) : (
            <StatusError>
              {d.name} {d.ready}/{d.desired} ready
              {d.podsNotReady.length > 0 &&
                ` — not ready: ${d.podsNotReady.join(', ')}`}
            </StatusError>
          )}
        </div>
      ))}
    </>
  );
}
