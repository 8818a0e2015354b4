/*
 * The guard's delegation: a task the bluegreen plugin started (its own service
 * credentials) for a gitops-mode staged run may make exactly the run's pending write, and
 * nothing else; no one else may name a run.
 */
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import { bluegreenCutoverPermission } from '@bluegreen/plugin-bluegreen-common';
import { testGuard } from '../__testUtils__/security';
import { DelegatedWrite } from '../cutover/CutoverRunsClient';
import { requireDelegated } from './delegatedWrite';

const RUN = '6f1c9b3e-8d2a-4c57-9e10-2b7d4a1c0f35';
const WRITE: DelegatedWrite = {
  runId: RUN,
  entityRef: 'component:default/checkout',
  generation: 'system:default/eks-blueprint',
  startedBy: 'user:default/platform-engineer',
  leaseKey: 'Z1:checkout.eks-blueprint.example.com.:A',
  weights: { blue: 90, green: 10 },
  expected: { blue: 100, green: 0 },
};
const CHECKS = [
  {
    permission: bluegreenCutoverPermission,
    entityRef: 'component:default/checkout',
  },
];

function guardWith(pendingWrite: (runId: string) => Promise<DelegatedWrite>) {
  const asked: string[] = [];
  const { guard, auditor, permissionRequests } = testGuard(undefined, {
    pendingWrite: async runId => {
      asked.push(runId);
      return pendingWrite(runId);
    },
  });
  return { guard, auditor, permissionRequests, asked };
}

const attempt = (
  credentials: BackstageCredentials,
  delegated?: { weights: { blue: number; green: number } },
) => ({
  action: 'bluegreen:set-weight',
  credentials,
  taskId: 'task-1',
  dryRun: false,
  meta: {},
  ...(delegated && {
    delegated: {
      runId: RUN,
      matches: (write: DelegatedWrite) =>
        requireDelegated(write, 'weights', delegated.weights, write.weights),
    },
  }),
});

/** The audit event's outcome: what it recorded on success or failure. */
async function outcome(auditor: ReturnType<typeof testGuard>['auditor']) {
  const event = await (auditor.createEvent as jest.Mock).mock.results[0].value;
  const success = (event.success as jest.Mock).mock.calls;
  const fail = (event.fail as jest.Mock).mock.calls;
  return {
    success,
    fail,
    meta: (auditor.createEvent as jest.Mock).mock.calls[0][0].meta,
  };
}

describe('ActionGuard delegation (staged gitops steps)', () => {
  const plugin = mockCredentials.service('plugin:bluegreen');

  it("lets the plugin's own task make exactly the run's pending write, asks no permission of the plugin, and audits it for the run's starter", async () => {
    const { guard, auditor, permissionRequests, asked } = guardWith(
      async () => WRITE,
    );
    const work = jest.fn(async (delegated?: DelegatedWrite) => delegated);
    await expect(
      guard.run(
        attempt(plugin, { weights: { blue: 90, green: 10 } }),
        CHECKS,
        work,
      ),
    ).resolves.toEqual(WRITE);
    expect(asked).toEqual([RUN]);
    expect(permissionRequests).toEqual([]);
    const audited = await outcome(auditor);
    expect(audited.meta).toEqual(expect.objectContaining({ runId: RUN }));
    expect(audited.success).toEqual([
      [{ meta: { onBehalfOf: 'user:default/platform-engineer' } }],
    ]);
  });

  it("refuses the plugin's task when its input differs from the pending write, and runs nothing (audited as refused)", async () => {
    const { guard, auditor } = guardWith(async () => WRITE);
    const work = jest.fn();
    await expect(
      guard.run(
        attempt(plugin, { weights: { blue: 0, green: 100 } }),
        CHECKS,
        work,
      ),
    ).rejects.toThrow(
      `weights: {"blue":0,"green":100} is not what cutover run ${RUN} waits for ({"blue":90,"green":10})`,
    );
    expect(work).not.toHaveBeenCalled();
    expect((await outcome(auditor)).fail[0][0].meta).toEqual({ refused: true });
  });

  it("refuses the plugin's task when the run waits for no write (ended, route53 mode, between steps: a retried old task)", async () => {
    const { guard } = guardWith(async () => {
      throw new Error('cutover run waits for no write');
    });
    const work = jest.fn();
    await expect(
      guard.run(
        attempt(plugin, { weights: { blue: 90, green: 10 } }),
        CHECKS,
        work,
      ),
    ).rejects.toThrow(
      new NotAllowedError(
        `runId: cutover run ${RUN} waits for no write this task could make (cutover run waits for no write)`,
      ),
    );
    expect(work).not.toHaveBeenCalled();
  });

  it('refuses a task of the plugin that names no run: its credentials are good for staged steps only', async () => {
    const { guard, asked } = guardWith(async () => WRITE);
    const work = jest.fn();
    await expect(guard.run(attempt(plugin), CHECKS, work)).rejects.toThrow(
      'bluegreen:set-weight runs for the bluegreen plugin only as a step of a staged cutover (input runId)',
    );
    expect(asked).toEqual([]);
    expect(work).not.toHaveBeenCalled();
  });

  it("refuses a run named by a user's task or another service's, without asking for the run", async () => {
    for (const credentials of [
      mockCredentials.user('user:default/platform-engineer'),
      mockCredentials.service('plugin:catalog'),
    ]) {
      const { guard, asked } = guardWith(async () => WRITE);
      const work = jest.fn();
      await expect(
        guard.run(
          attempt(credentials, { weights: { blue: 90, green: 10 } }),
          CHECKS,
          work,
        ),
      ).rejects.toThrow(
        "runId: only the bluegreen plugin's own step tasks of a staged cutover name a run",
      );
      expect(asked).toEqual([]);
      expect(work).not.toHaveBeenCalled();
    }
  });

  it('still refuses a task of another service that names no run (no user initiator)', async () => {
    const { guard } = guardWith(async () => WRITE);
    await expect(
      guard.run(
        attempt(mockCredentials.service('plugin:catalog')),
        CHECKS,
        jest.fn(),
      ),
    ).rejects.toThrow('runs only for a task started by a signed-in user');
  });
});
