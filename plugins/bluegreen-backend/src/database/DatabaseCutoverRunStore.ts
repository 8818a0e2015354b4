import crypto from 'node:crypto';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { migratedClient } from './migratedClient';
import {
  CutoverRunEvent,
  CutoverRunRecord,
  CutoverRunStore,
} from './CutoverRunStore';

const RUNS = 'cutover_runs';
const EVENTS = 'cutover_run_events';
const ACTIVE = ['running', 'paused'];

interface RunRow {
  id: string;
  entity_ref: string;
  lease_key: string;
  mode: 'route53' | 'gitops';
  plan_json: string;
  floor_json: string;
  state_json: string;
  status: string;
  version: number | string;
  started_by: string;
  // Epoch ms; PostgreSQL returns bigint columns as strings.
  created_at: number | string;
  updated_at: number | string;
}

interface EventRow {
  id: number | string;
  run_id: string;
  at: number | string;
  actor: string;
  message: string;
}

const iso = (value: number | string) => new Date(Number(value)).toISOString();

function recordOf(row: RunRow): CutoverRunRecord {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    leaseKey: row.lease_key,
    mode: row.mode,
    plan: JSON.parse(row.plan_json),
    floor: JSON.parse(row.floor_json),
    state: JSON.parse(row.state_json),
    version: Number(row.version),
    startedBy: row.started_by,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/**
 * Cutover runs in the bluegreen plugin's own database (SQLite or PostgreSQL, through
 * DatabaseService). A state change is a compare-and-swap on the run's version, so two
 * replicas driving one run cannot both move it; only the one that did writes its events.
 */
export class DatabaseCutoverRunStore implements CutoverRunStore {
  static async create(options: {
    database: DatabaseService;
    now?: () => Date;
  }): Promise<DatabaseCutoverRunStore> {
    const client = await migratedClient(options.database);
    return new DatabaseCutoverRunStore(
      client,
      options.now ?? (() => new Date()),
    );
  }

  private constructor(
    private readonly db: Knex,
    private readonly now: () => Date,
  ) {}

  async create(run: Parameters<CutoverRunStore['create']>[0]) {
    const now = this.now().getTime();
    const row: RunRow = {
      id: run.id ?? crypto.randomUUID(),
      entity_ref: run.entityRef,
      lease_key: run.leaseKey,
      mode: run.mode,
      plan_json: JSON.stringify(run.plan),
      floor_json: JSON.stringify(run.floor),
      state_json: JSON.stringify(run.state),
      status: run.state.status,
      version: 1,
      started_by: run.startedBy,
      created_at: now,
      updated_at: now,
    };
    await this.db(RUNS).insert(row);
    await this.db(EVENTS).insert({
      run_id: row.id,
      at: now,
      actor: run.startedBy,
      message: 'started',
    });
    return recordOf(row);
  }

  async get(id: string) {
    const row: RunRow | undefined = await this.db(RUNS).where({ id }).first();
    return row ? recordOf(row) : undefined;
  }

  async version(id: string) {
    const row: Pick<RunRow, 'version'> | undefined = await this.db(RUNS)
      .where({ id })
      .first('version');
    // PostgreSQL's bigint comes back as a string.
    return row === undefined ? undefined : Number(row.version);
  }

  async listByEntity(entityRef: string, limit: number) {
    const rows: RunRow[] = await this.db(RUNS)
      .where({ entity_ref: entityRef })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map(recordOf);
  }

  async listActive() {
    const rows: RunRow[] = await this.db(RUNS)
      .whereIn('status', ACTIVE)
      .orderBy('created_at');
    return rows.map(recordOf);
  }

  async update(
    id: string,
    expectedVersion: number,
    state: CutoverRunRecord['state'],
    events: Array<{ actor: string; message: string }>,
  ) {
    const now = this.now().getTime();
    // One statement, so no transaction: two SQLite connections in one process (replicas
    // in the tests) would wait on each other's open transaction with the thread blocked.
    // The state is the truth; its events follow it, and only the winner writes them.
    const updated = await this.db(RUNS)
      .where({ id, version: expectedVersion })
      .update({
        state_json: JSON.stringify(state),
        status: state.status,
        version: expectedVersion + 1,
        updated_at: now,
      });
    if (updated === 0) {
      return false;
    }
    if (events.length) {
      await this.db(EVENTS).insert(
        events.map(event => ({ run_id: id, at: now, ...event })),
      );
    }
    return true;
  }

  async events(runId: string, afterId = 0): Promise<CutoverRunEvent[]> {
    const rows: EventRow[] = await this.db(EVENTS)
      .where({ run_id: runId })
      .andWhere('id', '>', afterId)
      .orderBy('id');
    return rows.map(row => ({
      id: Number(row.id),
      runId: row.run_id,
      at: iso(row.at),
      actor: row.actor,
      message: row.message,
    }));
  }
}
