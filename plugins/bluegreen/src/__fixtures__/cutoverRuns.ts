import { CutoverRunView, presetPlan } from '@bluegreen/plugin-bluegreen-common';

const plan = presetPlan('staged', { blue: 100, green: 0 }, 'green');

/** burnham's staged run holding its first step (90/10), as the backend answers it. */
export const runAtFirstStep: CutoverRunView = {
  id: 'run-1',
  version: 3,
  entityRef: 'component:default/burnham',
  mode: 'route53',
  plan,
  floor: { ttlSeconds: 60, insyncSeconds: 60 },
  status: 'running',
  phase: 'forward',
  stepIndex: 0,
  rollback: [],
  reached: 0,
  weights: { blue: 90, green: 10 },
  writing: false,
  holdLeftMs: 100_000,
  verification: {
    at: '2026-12-02T10:00:05.000Z',
    ok: true,
    clusters: {
      blue: { requests: 20, successRatio: 1, p95Ms: 12.4 },
      green: { requests: 20, successRatio: 1, p95Ms: 15.1 },
    },
  },
  startedBy: 'user:default/platform-engineer',
  createdAt: '2026-12-02T10:00:00.000Z',
  updatedAt: '2026-12-02T10:00:05.000Z',
  events: [
    {
      id: 1,
      at: '2026-12-02T10:00:00.000Z',
      actor: 'user:default/platform-engineer',
      message: 'started',
    },
    {
      id: 2,
      at: '2026-12-02T10:00:02.000Z',
      actor: 'engine',
      message: 'step 90/10 in effect; holding 120 s',
    },
  ],
};

/** The same run's next answer: the 50/50 step in effect. */
export const runAtSecondStep: CutoverRunView = {
  ...runAtFirstStep,
  version: 6,
  stepIndex: 1,
  reached: 1,
  weights: { blue: 50, green: 50 },
  holdLeftMs: 120_000,
  events: [
    {
      id: 3,
      at: '2026-12-02T10:02:02.000Z',
      actor: 'engine',
      message: 'step 90/10 held and verified',
    },
    {
      id: 4,
      at: '2026-12-02T10:02:04.000Z',
      actor: 'engine',
      message: 'step 50/50 in effect; holding 120 s',
    },
  ],
};

/** An earlier run of burnham that rolled back in stages. */
export const rolledBackRun: CutoverRunView = {
  ...runAtFirstStep,
  id: 'run-0',
  status: 'rolled-back',
  phase: 'rollback',
  weights: { blue: 100, green: 0 },
  holdLeftMs: undefined,
  reason:
    'step 2 (50/50) failed verification: green: 50 % of 20 probes succeeded',
  createdAt: '2026-12-01T09:00:00.000Z',
};
