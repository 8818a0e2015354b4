/*
 * bluegreen:cutover following its run, against a fake of the plugin's API (the whole path
 * through the real scaffolder and engine is in templates/stagedCutover.test.ts).
 */
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  CutoverRunView,
  TrafficStatus,
} from '@bluegreen/plugin-bluegreen-common';
import { testGuard } from '../__testUtils__/security';
import { CutoverRunsClient } from '../cutover/CutoverRunsClient';
import { createCutoverAction } from './cutover';

jest.setTimeout(30_000);

const RUN = '6f1c1f2e-9a7b-4c1d-8e2f-0a1b2c3d4e5f';
const view = (status: CutoverRunView['status']) =>
  ({
    id: RUN,
    status,
    weights: { blue: 0, green: 100 },
    events: [{ id: 1, actor: 'engine', at: '', message: `now ${status}` }],
  } as unknown as CutoverRunView);

function runsClient(follow: jest.Mock, abort: jest.Mock = jest.fn()) {
  return {
    traffic: async () =>
      ({
        hostname: 'burnham.eks-blueprint.example.com',
        weights: { blue: 100, green: 0 },
        problems: [],
      } as unknown as TrafficStatus),
    start: async () => ({ runId: RUN }),
    follow,
    abort,
  } as unknown as CutoverRunsClient;
}

async function run(runs: CutoverRunsClient, signal?: AbortSignal) {
  const warnings: string[] = [];
  const ctx = {
    ...createMockActionContext({
      input: { entityRef: 'component:default/burnham', toward: 'green' },
    }),
    signal,
  };
  ctx.logger.warn = ((m: string) => warnings.push(m)) as any;
  await createCutoverAction({ guard: testGuard().guard, runs }).handler(
    ctx as any,
  );
  return { ctx, warnings };
}

describe('bluegreen:cutover following its run', () => {
  it('tries a failed read of the run again, so that a blip does not end the task', async () => {
    const follow = jest
      .fn()
      .mockRejectedValueOnce(new Error('socket hang up'))
      .mockResolvedValueOnce(view('completed'));
    const { ctx, warnings } = await run(runsClient(follow));
    expect(follow).toHaveBeenCalledTimes(2);
    expect(warnings).toEqual([
      `Reading run ${RUN} failed (socket hang up); trying again (1 of 4)`,
    ]);
    expect(ctx.output).toHaveBeenCalledWith('status', 'completed');
  });

  it("says plainly when a cancelled task cannot abort its run (the initiator's token expired): the run goes on", async () => {
    const cancelled = new AbortController();
    cancelled.abort();
    const abort = jest
      .fn()
      .mockRejectedValue(new Error('Unauthorized: token expired'));
    await expect(
      run(
        runsClient(
          jest.fn(async () => view('running')),
          abort,
        ),
        cancelled.signal,
      ),
    ).rejects.toThrow(
      `the task was cancelled, but its run ${RUN} could not be aborted (Unauthorized: token expired); it goes on: abort it from the card or with POST /api/bluegreen/cutover-runs/${RUN}/abort`,
    );
  });
});
