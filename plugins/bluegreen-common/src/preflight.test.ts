import { preflightChecks, PreflightInput } from './preflight';
import { ClusterWorkloads, DeploymentSummary } from './workloads';

const deployment = (
  name: string,
  ready: number,
  desired: number,
): DeploymentSummary => ({ name, ready, desired, podsNotReady: [] });
const ok = (...deployments: DeploymentSummary[]): ClusterWorkloads => ({
  state: 'ok',
  deployments,
});
const input = (weights: PreflightInput['weights']): PreflightInput => ({
  clusters: {
    blue: { name: 'c-blue', version: '1.33' },
    green: { name: 'c-green', version: '1.34' },
  },
  weights,
  problems: [],
  recordCount: 2,
});
const byId = (checks: ReturnType<typeof preflightChecks>) =>
  Object.fromEntries(checks.map(c => [c.id, c.ok]));

describe('preflightChecks', () => {
  it('checks parity for the cluster whose share grows, even when its weight falls (100/100 -> 30/70)', () => {
    const checks = preflightChecks(
      input({ blue: 100, green: 100 }),
      {
        blue: ok(deployment('web', 2, 2), deployment('worker', 1, 1)),
        green: ok(deployment('web', 2, 2)),
      },
      { blue: 30, green: 70 },
    );
    expect(byId(checks)).toMatchObject({ 'parity-green': false });
    expect(checks.find(c => c.id === 'parity-green')?.detail).toBe(
      'c-green: missing worker',
    );
    expect(checks.some(c => c.id === 'parity-blue')).toBe(false);
  });

  it('does not ask parity of the cluster whose share falls although its weight grows (10/90 -> 20/200)', () => {
    const checks = preflightChecks(
      input({ blue: 10, green: 90 }),
      {
        blue: ok(deployment('web', 2, 2)),
        green: ok(deployment('web', 2, 2), deployment('worker', 1, 1)),
      },
      { blue: 20, green: 200 },
    );
    expect(checks.some(c => c.id === 'parity-blue')).toBe(false);
    expect(byId(checks)).toMatchObject({ 'parity-green': true });
  });

  it('fails a serving cluster whose deployments are all scaled to 0, and parity with one scaled to 0 where the other runs replicas', () => {
    const checks = preflightChecks(
      input({ blue: 100, green: 0 }),
      {
        blue: ok(deployment('web', 3, 3)),
        green: ok(deployment('web', 0, 0)),
      },
      { blue: 0, green: 100 },
    );
    expect(checks.find(c => c.id === 'ready-green')).toMatchObject({
      ok: false,
      detail: 'c-green: every deployment is scaled to 0',
    });
    expect(checks.find(c => c.id === 'parity-green')).toMatchObject({
      ok: false,
      detail: 'c-green: not ready web 0/0',
    });
  });

  it('counts a cluster that cannot be read as not passed (ok undefined), never as passed', () => {
    const checks = preflightChecks(
      input({ blue: 100, green: 0 }),
      {
        blue: ok(deployment('web', 3, 3)),
        green: { state: 'unreachable', error: 'ECONNREFUSED' },
      },
      { blue: 0, green: 100 },
    );
    expect(checks.find(c => c.id === 'ready-green')?.ok).toBeUndefined();
    expect(checks.find(c => c.id === 'parity-green')?.ok).toBeUndefined();
  });
});
