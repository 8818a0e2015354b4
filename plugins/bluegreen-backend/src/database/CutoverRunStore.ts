import { CutoverPlan, DnsFloor } from '@bluegreen/plugin-bluegreen-common';
import { RunState } from '../cutover/engine/runState';

/** A staged cutover as persisted: what it does, where it is, who started it. */
export interface CutoverRunRecord {
  id: string;
  entityRef: string;
  /** The record group's lease key (see leaseKey). */
  leaseKey: string;
  mode: 'route53' | 'gitops';
  plan: CutoverPlan;
  floor: DnsFloor;
  state: RunState;
  /** Incremented by every state change; an update names the version it read. */
  version: number;
  startedBy: string;
  /** ISO times. */
  createdAt: string;
  updatedAt: string;
}

/** One line of a run's history. */
export interface CutoverRunEvent {
  /** Increasing within the store: a reader asks for the events after the last it saw. */
  id: number;
  runId: string;
  /** ISO time. */
  at: string;
  /** The user who paused, resumed or aborted, or `engine`. */
  actor: string;
  message: string;
}

/** Runs in the plugin's database, shared by every replica. */
export interface CutoverRunStore {
  /** `id` chosen by the caller (it names the run's lease before the run exists) or new. */
  create(
    run: { id?: string } & Pick<
      CutoverRunRecord,
      | 'entityRef'
      | 'leaseKey'
      | 'mode'
      | 'plan'
      | 'floor'
      | 'state'
      | 'startedBy'
    >,
  ): Promise<CutoverRunRecord>;
  get(id: string): Promise<CutoverRunRecord | undefined>;
  /** The run's version alone: what a long-poll compares, many times a second. */
  version(id: string): Promise<number | undefined>;
  /** An entity's runs, newest first. */
  listByEntity(entityRef: string, limit: number): Promise<CutoverRunRecord[]>;
  /** Runs not ended (running or paused): what the engine drives. */
  listActive(): Promise<CutoverRunRecord[]>;
  /**
   * Replaces the run's state if the run is still at `expectedVersion`, then appends
   * `events`; false (and no events) when another replica changed it first.
   */
  update(
    id: string,
    expectedVersion: number,
    state: RunState,
    events: Array<{ actor: string; message: string }>,
  ): Promise<boolean>;
  /** The run's events after `afterId` (default: all), oldest first. */
  events(runId: string, afterId?: number): Promise<CutoverRunEvent[]>;
}
