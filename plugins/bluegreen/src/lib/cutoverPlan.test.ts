import { burnhamObjects } from '../__fixtures__/kubernetes';
import { burnhamStatus } from '../__fixtures__/traffic';
import {
  clusterWorkloads,
  preflightChecks,
  preflightInputOf,
} from '@bluegreen/plugin-bluegreen-common';
import { planProblem, weightFieldProblem } from './cutoverPlan';

const workloads = {
  blue: clusterWorkloads(burnhamObjects, 'eks-blueprint-blue'),
  green: clusterWorkloads(burnhamObjects, 'eks-blueprint-green'),
};

describe('cutover plan', () => {
  it('refuses all-zero, out-of-range and unchanged plans', () => {
    expect(planProblem({ blue: 0, green: 0 }, burnhamStatus.weights)).toMatch(
      /must not both be 0/,
    );
    expect(planProblem({ blue: 100, green: 0 }, burnhamStatus.weights)).toBe(
      'these are the current weights',
    );
    expect(planProblem({ blue: 50, green: 50 }, burnhamStatus.weights)).toBe(
      undefined,
    );
    expect(weightFieldProblem('256')).toBe('must be between 0 and 255');
    expect(weightFieldProblem('-1')).toBe('a whole number from 0 to 255');
    expect(weightFieldProblem('7')).toBeUndefined();
  });

  it('checks both serving clusters when splitting, parity only for the one gaining traffic', () => {
    const checks = preflightChecks(preflightInputOf(burnhamStatus), workloads, {
      blue: 50,
      green: 50,
    });
    expect(checks.map(c => [c.id, c.ok])).toEqual([
      ['ready-blue', true],
      ['ready-green', false],
      ['parity-green', false],
      ['version-order', true],
      ['records', true],
    ]);
  });

  it('flags a green cluster older than blue and the records the backend found wrong', () => {
    const checks = preflightChecks(
      preflightInputOf({
        ...burnhamStatus,
        clusters: {
          ...burnhamStatus.clusters,
          green: { ...burnhamStatus.clusters.green, version: '1.32' },
        },
        problems: ['both clusters\' external-dns use owner id "x"'],
      }),
      workloads,
      { blue: 0, green: 100 },
    );
    expect(checks.find(c => c.id === 'version-order')).toMatchObject({
      ok: false,
      detail: 'blue 1.33, green 1.32',
    });
    expect(checks.find(c => c.id === 'records')).toMatchObject({ ok: false });
  });
});
