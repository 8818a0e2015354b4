import {
  burnhamObjects,
  burnhamObjectsGreenUnreachable,
} from '../__fixtures__/kubernetes';
import { clusterWorkloads, parity } from '@bluegreen/plugin-bluegreen-common';

describe('clusterWorkloads', () => {
  it('summarises deployments and names the pods that are not ready, through their ReplicaSets', () => {
    expect(clusterWorkloads(burnhamObjects, 'eks-blueprint-green')).toEqual({
      state: 'ok',
      deployments: [
        {
          name: 'burnham',
          namespace: 'team-burnham',
          ready: 3,
          desired: 3,
          podsNotReady: [],
        },
        {
          name: 'burnham-worker',
          namespace: 'team-burnham',
          ready: 1,
          desired: 2,
          podsNotReady: ['worker-green-1 (CrashLoopBackOff, 5 restarts)'],
        },
      ],
    });
  });

  it('calls a cluster unreachable when it answered with errors, is missing, or the request failed', () => {
    expect(
      clusterWorkloads(burnhamObjectsGreenUnreachable, 'eks-blueprint-green'),
    ).toEqual({
      state: 'unreachable',
      error: 'FETCH_ERROR: connect ECONNREFUSED',
    });
    expect(clusterWorkloads(burnhamObjects, 'other')).toEqual({
      state: 'unreachable',
      error: 'the Kubernetes backend does not know a cluster named other',
    });
    expect(clusterWorkloads(undefined, 'x', 'Failed to fetch')).toEqual({
      state: 'unreachable',
      error: 'Failed to fetch',
    });
    expect(clusterWorkloads(undefined, 'x')).toEqual({ state: 'loading' });
  });
});

describe('parity', () => {
  const blue = clusterWorkloads(burnhamObjects, 'eks-blueprint-blue');
  const green = clusterWorkloads(burnhamObjects, 'eks-blueprint-green');

  it('names workloads that are missing or not ready in the target', () => {
    const onlyBurnham = {
      state: 'ok' as const,
      deployments: blue.state === 'ok' ? blue.deployments.slice(0, 1) : [],
    };
    expect(
      parity({ name: 'b', workloads: blue }, { name: 'g', workloads: green }),
    ).toEqual({ ok: false, message: 'g: not ready burnham-worker 1/2' });
    expect(
      parity(
        { name: 'b', workloads: blue },
        { name: 'g', workloads: onlyBurnham },
      ),
    ).toEqual({ ok: false, message: 'g: missing burnham-worker' });
  });

  it('passes when the target runs everything ready, and cannot tell without both clusters', () => {
    expect(
      parity({ name: 'g', workloads: green }, { name: 'b', workloads: blue }),
    ).toEqual({ ok: true, message: 'b runs all 2 workloads g runs, ready' });
    expect(
      parity(
        { name: 'b', workloads: blue },
        { name: 'g', workloads: { state: 'loading' } },
      ),
    ).toEqual({ message: 'cannot compare workloads: g not loaded yet' });
  });
});
