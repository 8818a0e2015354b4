/*
 * The gitops step writer over a scripted scaffolder and scripted hops (the whole chain
 * runs for real in templates/gitopsStagedCutover.test.ts): which task it follows, how a
 * step fails, what it tells the run.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { presetPlan, Weights } from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { TrafficTarget } from '../../security/TrafficTargets';
import { GitopsRunWriter } from './GitopsRunWriter';
import { initialRunState, RunState } from './runState';
import { HopReading, WeightHop } from './weightHops';

const PLAN = presetPlan('staged', { blue: 100, green: 0 }, 'green');
const CHANGE = {
  weights: { blue: 90, green: 10 },
  expected: { blue: 100, green: 0 },
};

function runWith(state: Partial<RunState> = {}): CutoverRunRecord {
  return {
    id: '6f1c9b3e-8d2a-4c57-9e10-2b7d4a1c0f35',
    entityRef: 'component:default/checkout',
    leaseKey: 'key',
    mode: 'gitops',
    plan: PLAN,
    floor: { ttlSeconds: 1, insyncSeconds: 1 },
    state: { ...initialRunState(PLAN), writingSince: 0, ...state },
    version: 1,
    startedBy: 'user:default/platform-engineer',
    createdAt: '',
    updatedAt: '',
  };
}

/** A hop that answers `readings` in turn, then the last one for ever. */
function hop(
  name: string,
  readings: HopReading[],
): WeightHop & { reads: number } {
  const h = {
    name,
    reads: 0,
    read: async () => readings[Math.min(h.reads++, readings.length - 1)],
  };
  return h;
}
const at = (weights: Partial<Weights>): HopReading => ({ weights });

function writer(options: {
  statuses: string[];
  hops: WeightHop[];
  taskTimeoutMs?: number;
  logs?: Array<{ body: { message: string; stepId?: string; status?: string } }>;
}) {
  let polls = 0;
  const scaffolder = {
    scaffold: jest.fn(async () => ({ taskId: 'new-task' })),
    getTask: jest.fn(async ({ taskId }: { taskId: string }) => ({
      id: taskId,
      status: options.statuses[Math.min(polls++, options.statuses.length - 1)],
    })),
    getLogs: jest.fn(async () => options.logs ?? []),
    cancelTask: jest.fn(async () => ({})),
  };
  const events: string[] = [];
  const tasks: string[] = [];
  const progress = jest.fn(
    async (update?: { event?: string; taskId?: string }) => {
      if (update?.event) events.push(update.event);
      if (update?.taskId) tasks.push(update.taskId);
    },
  );
  const w = new GitopsRunWriter({
    scaffolder: scaffolder as any,
    credentials: async () => ({ own: true } as any),
    targetOf: async () => ({
      entity: {} as any,
      target: {} as TrafficTarget,
    }),
    hops: options.hops,
    settings: {
      templateRef: 'template:default/cut-over-traffic',
      taskTimeoutMs: options.taskTimeoutMs ?? 10_000,
      hopTimeoutMs: 200,
      pollMs: 5,
    },
    logger: mockServices.logger.mock(),
  });
  return { w, scaffolder, events, tasks, progress };
}

describe('GitopsRunWriter', () => {
  it("starts the step's task for exactly the run's pending write with the plugin's credentials, records it on the run, then waits for each hop in order", async () => {
    const secrets = hop('the secrets', [
      { unreadable: 'eks-blueprint-blue answered 403: forbidden' },
    ]);
    const ingresses = hop('the Ingresses', [
      at({ blue: 100, green: 10 }),
      at({ blue: 90, green: 10 }),
    ]);
    const route53 = hop('Route 53', [at({ blue: 90, green: 10 })]);
    const t = writer({
      statuses: ['open', 'processing', 'completed'],
      hops: [secrets, ingresses, route53],
    });
    await t.w.write(runWith(), CHANGE, t.progress);
    expect(t.scaffolder.scaffold).toHaveBeenCalledWith(
      {
        templateRef: 'template:default/cut-over-traffic',
        values: {
          entity: 'component:default/checkout',
          weights: CHANGE.weights,
          expected: CHANGE.expected,
          mode: 'gitops',
          runId: runWith().id,
        },
      },
      { credentials: { own: true } },
    );
    expect(t.tasks).toEqual(['new-task']);
    expect(t.events).toEqual([
      'step task new-task started: the weight files, the applies and the pull request of blue=90 green=10',
      'step task new-task completed',
      'the secrets: cannot be read (eks-blueprint-blue answered 403: forbidden); not waited for',
      expect.stringMatching(
        /^the Ingresses holds blue=90 green=10 \(after \d+\.\d s\)$/,
      ),
      expect.stringMatching(
        /^Route 53 holds blue=90 green=10 \(after \d+\.\d s\)$/,
      ),
    ]);
    expect(ingresses.reads).toBe(2);
  });

  it('follows the task a replica that died started for this step instead of starting another; a task of another step is not followed', async () => {
    const route53 = hop('Route 53', [at(CHANGE.weights)]);
    const t = writer({ statuses: ['completed'], hops: [route53] });
    await t.w.write(
      runWith({
        writeTask: { id: 'old-task', phase: 'forward', stepIndex: 0 },
      }),
      CHANGE,
      t.progress,
    );
    expect(t.scaffolder.scaffold).not.toHaveBeenCalled();
    expect(t.scaffolder.getTask.mock.calls[0][0]).toEqual({
      taskId: 'old-task',
    });
    expect(t.events[0]).toBe('following step task old-task');

    const other = writer({ statuses: ['completed'], hops: [route53] });
    await other.w.write(
      runWith({
        writeTask: { id: 'rollback-task', phase: 'rollback', stepIndex: 0 },
      }),
      CHANGE,
      other.progress,
    );
    expect(other.scaffolder.scaffold).toHaveBeenCalledTimes(1);
  });

  it("fails the step with the task's failed step message (without its stack), and waits for no hop", async () => {
    const route53 = hop('Route 53', [at(CHANGE.weights)]);
    const t = writer({
      statuses: ['processing', 'failed'],
      hops: [route53],
      logs: [
        {
          body: {
            message: 'Beginning step Set the weights',
            stepId: 'set-weight',
            status: 'processing',
          },
        },
        {
          body: {
            message:
              'ConflictError: changed by someone else: expected blue=100 green=0\n    at GitopsWeightWriter.write (x.ts:1:1)',
            stepId: 'set-weight',
            status: 'failed',
          },
        },
      ],
    });
    await expect(t.w.write(runWith(), CHANGE, t.progress)).rejects.toThrow(
      /^step task new-task failed: ConflictError: changed by someone else: expected blue=100 green=0$/,
    );
    expect(route53.reads).toBe(0);
  });

  it('cancels a task that does not finish in time and fails the step', async () => {
    const t = writer({
      statuses: ['processing'],
      hops: [hop('Route 53', [at(CHANGE.weights)])],
      taskTimeoutMs: 30,
    });
    await expect(t.w.write(runWith(), CHANGE, t.progress)).rejects.toThrow(
      'step task new-task did not finish within 0.03 s; cancelled',
    );
    expect(t.scaffolder.cancelTask).toHaveBeenCalledWith(
      { taskId: 'new-task' },
      { credentials: { own: true } },
    );
  });

  it('fails the step naming the hop whose weights do not arrive within its timeout, with what it holds', async () => {
    const t = writer({
      statuses: ['completed'],
      hops: [
        hop('the Ingresses', [at(CHANGE.weights)]),
        hop('Route 53', [at({ blue: 100, green: 0 })]),
      ],
    });
    await expect(t.w.write(runWith(), CHANGE, t.progress)).rejects.toThrow(
      'the weights did not reach Route 53 within 0.2 s: it holds blue=100 green=0, not blue=90 green=10',
    );
  });
});
