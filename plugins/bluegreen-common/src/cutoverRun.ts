import { z } from 'zod/v3';
import { ClusterColour } from './annotations';
import {
  CutoverPlan,
  CutoverPlanStep,
  cutoverPlanSchema,
  DnsFloor,
} from './cutoverPlan';
import { CUTOVER_MODES, CutoverMode } from './traffic';
import { Weights } from './weights';

/**
 * Body of POST /api/bluegreen/entity/:kind/:namespace/:name/cutover that starts a staged
 * run (a body with `weights` instead starts a single-step cutover task). `plan.from` must
 * be what Route 53 holds when the run starts. `mode` defaults to the one the records call
 * for (gitops when external-dns owns them): route53 steps are written by the backend,
 * gitops steps each run the "Cut over traffic" template and wait for the weight to reach
 * Route 53.
 * @public
 */
export const stagedCutoverRequestSchema = z
  .object({ plan: cutoverPlanSchema, mode: z.enum(CUTOVER_MODES).optional() })
  .strict();

/** @public */
export type StagedCutoverRequest = z.infer<typeof stagedCutoverRequestSchema>;

/** @public */
export interface StagedCutoverResponse {
  runId: string;
}

/** What a user may do to a run: POST /api/bluegreen/cutover-runs/:id/:command. @public */
export const CUTOVER_RUN_COMMANDS = ['pause', 'resume', 'abort'] as const;

/** @public */
export type CutoverRunCommand = (typeof CUTOVER_RUN_COMMANDS)[number];

/**
 * Body of a run command. `immediate` (abort only) goes straight back to the plan's start
 * in one step instead of in stages.
 * @public
 */
export const cutoverRunCommandSchema = z
  .object({
    immediate: z.boolean().optional(),
    reason: z.string().min(1).max(500).optional(),
  })
  .strict();

/** @public */
export type CutoverRunCommandRequest = z.infer<typeof cutoverRunCommandSchema>;

/** @public */
export type CutoverRunStatus =
  | 'running'
  | 'paused'
  | 'completed'
  | 'rolled-back'
  | 'failed';

/**
 * What one verification saw of one cluster. Each check fills its own fields; a check that
 * is off, or that has nothing to say about this cluster, leaves them out.
 * @public
 */
export interface ClusterProbeResult {
  /** The direct probe through the cluster's load balancer (clusters serving traffic). */
  requests?: number;
  /** 0 to 1. */
  successRatio?: number;
  p95Ms?: number;
  /**
   * The seed's check: of the requests sent to the hostname (through DNS, as users
   * reach it), the share this cluster answered, 0 to 1 …
   */
  observedShare?: number;
  /** … and the share its weight gives it. */
  expectedShare?: number;
  /** Of the DNS queries of the weighted record, the share answered with this cluster's record. */
  dnsShare?: number;
  /** The cluster's load balancer metrics in CloudWatch since the step took effect. */
  cloudWatch?: {
    requests: number;
    /** Target 5xx answers / requests, 0 to 1. */
    errorRatio: number;
    /** The highest per-minute p95 of TargetResponseTime, ms. */
    p95Ms?: number;
  };
}

/** The latest verification of a run's hold. @public */
export interface CutoverVerification {
  /** ISO time. */
  at: string;
  ok: boolean;
  reason?: string;
  /** Per cluster, what each check saw. */
  clusters: Partial<Record<ClusterColour, ClusterProbeResult>>;
  /**
   * What an informative check (share, DNS, CloudWatch) could not tell this time: shown,
   * not judged.
   */
  notes?: string[];
}

/** One line of a run's history. @public */
export interface CutoverRunEventView {
  id: number;
  /** ISO time. */
  at: string;
  /** The user who started, paused, resumed or aborted, or `engine`. */
  actor: string;
  message: string;
}

/**
 * GET /api/bluegreen/cutover-runs/:id: a run as the card shows it.
 * @public
 */
export interface CutoverRunView {
  id: string;
  /**
   * Changes with every change of the run (a step, a verification, a command): a reader
   * passes it back to wait for the next one.
   */
  version: number;
  entityRef: string;
  mode: CutoverMode;
  plan: CutoverPlan;
  floor: DnsFloor;
  status: CutoverRunStatus;
  /** Moving along the plan, or back along `rollback`. */
  phase: 'forward' | 'rollback';
  /** The step of the phase being written or held. */
  stepIndex: number;
  rollback: CutoverPlanStep[];
  /** The last forward step that took effect (-1: none). */
  reached: number;
  /** What Route 53 holds, as far as the run knows. */
  weights: Weights;
  /** A step's write is in flight (waiting for INSYNC). */
  writing: boolean;
  /** What is left of the current hold, ms; absent while writing or ended. */
  holdLeftMs?: number;
  reason?: string;
  verification?: CutoverVerification;
  startedBy: string;
  /** ISO times. */
  createdAt: string;
  updatedAt: string;
  /** Oldest first; after `after` when the request named one. */
  events: CutoverRunEventView[];
}

/** GET /api/bluegreen/entity/:kind/:namespace/:name/cutover-runs. @public */
export interface CutoverRunList {
  runs: CutoverRunView[];
}

/** A run that can still change. @public */
export function isActiveRun(status: CutoverRunStatus): boolean {
  return status === 'running' || status === 'paused';
}
