import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { migratedClient } from './migratedClient';
import { LeaseHolder, LeaseResult, LeaseStore } from './LeaseStore';

const TABLE = 'cutover_leases';

interface Row {
  lease_key: string;
  holder_id: string;
  holder_user: string;
  // Epoch ms; PostgreSQL returns bigint columns as strings.
  acquired_at: number | string;
  expires_at: number | string;
}

const toDate = (value: number | string) => new Date(Number(value));

function holderOf(row: Row): LeaseHolder {
  return {
    taskId: row.holder_id,
    user: row.holder_user,
    since: toDate(row.acquired_at).toISOString(),
    expiresAt: toDate(row.expires_at).toISOString(),
  };
}

/**
 * Leases in the bluegreen plugin's own database (SQLite or PostgreSQL, through
 * DatabaseService): acquisition is one upsert that only one replica can win (the key is
 * the primary key) and that replaces a lease only once it has lapsed.
 */
export class DatabaseLeaseStore implements LeaseStore {
  static async create(options: {
    database: DatabaseService;
    now?: () => Date;
  }): Promise<DatabaseLeaseStore> {
    const client = await migratedClient(options.database);
    return new DatabaseLeaseStore(client, options.now ?? (() => new Date()));
  }

  private constructor(
    private readonly db: Knex,
    private readonly now: () => Date,
  ) {}

  async acquire(
    key: string,
    holder: { taskId: string; user: string },
    ttlMs: number,
  ): Promise<LeaseResult> {
    for (;;) {
      const now = this.now().getTime();
      // One statement, atomic on SQLite and PostgreSQL alike (not MySQL, which has no
      // conditional upsert): insert the lease, or take it over when it has lapsed, or
      // extend it when it is already ours (a step run again); a live lease of another
      // holder stays as it is.
      await this.db(TABLE)
        .insert({
          lease_key: key,
          holder_id: holder.taskId,
          holder_user: holder.user,
          acquired_at: now,
          expires_at: now + ttlMs,
        })
        .onConflict('lease_key')
        .merge(['holder_id', 'holder_user', 'acquired_at', 'expires_at'])
        .where(builder =>
          builder
            .where(`${TABLE}.expires_at`, '<', now)
            .orWhere(`${TABLE}.holder_id`, holder.taskId),
        );
      const row: Row | undefined = await this.db(TABLE)
        .where({ lease_key: key })
        .first();
      if (!row) {
        // Released between the two statements: try again.
        continue;
      }
      if (row.holder_id === holder.taskId) {
        return { acquired: true };
      }
      return { acquired: false, holder: holderOf(row) };
    }
  }

  async renew(key: string, taskId: string, ttlMs: number): Promise<boolean> {
    const now = this.now().getTime();
    const updated = await this.db(TABLE)
      .where({ lease_key: key, holder_id: taskId })
      .andWhere('expires_at', '>=', now)
      .update({ expires_at: now + ttlMs });
    return updated > 0;
  }

  async release(key: string, taskId: string): Promise<void> {
    await this.db(TABLE).where({ lease_key: key, holder_id: taskId }).delete();
  }

  async holder(key: string): Promise<LeaseHolder | undefined> {
    const row: Row | undefined = await this.db(TABLE)
      .where({ lease_key: key })
      .andWhere('expires_at', '>=', this.now().getTime())
      .first();
    return row ? holderOf(row) : undefined;
  }
}
