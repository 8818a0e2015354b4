import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@bluegreen/plugin-bluegreen-backend',
  'migrations',
);

/** pg_advisory_xact_lock's key of the plugin's migrations (any fixed number). */
const ADVISORY_LOCK = 0x626c7565; // "blue"
/** How long a replica waits for another replica's migration before giving up. */
const LOCK_WAIT_MS = 120_000;

/** Each client migrated once per process (the lease and run stores share one). */
const migrated = new WeakMap<Knex, Promise<void>>();

/**
 * Another replica migrates right now: knex's lock let it in and refused us, or we both
 * created knex's own bookkeeping tables and it was first (knex creates them unlocked;
 * PostgreSQL then reports the duplicate in its catalogue).
 */
function anotherReplicaMigrates(error: unknown): boolean {
  const { name, message } = error as Error;
  return (
    name === 'MigrationLocked' ||
    /knex_migrations(_lock)?\W.*(already exists|duplicate key value violates unique constraint "pg_(type|class)_)/.test(
      String(message),
    )
  );
}

async function migrate(client: Knex, lockWaitMs: number): Promise<void> {
  const deadline = Date.now() + lockWaitMs;
  const latest = () => client.migrate.latest({ directory: migrationsDir });
  for (;;) {
    try {
      if (client.client.dialect === 'postgresql') {
        // Replicas of this release queue on an advisory lock, held by a transaction
        // while the migrations run on other connections (so the pool needs two), and
        // waited for no longer than the deadline.
        await client.transaction(async tx => {
          await tx.raw("select set_config('lock_timeout', ?, true)", [
            `${Math.max(1, deadline - Date.now())}ms`,
          ]);
          await tx.raw('select pg_advisory_xact_lock(?)', [ADVISORY_LOCK]);
          await latest();
        });
      } else {
        await latest();
      }
      return;
    } catch (error) {
      const locked = /lock timeout/i.test(String((error as Error).message));
      if (!locked && !anotherReplicaMigrates(error)) {
        throw error;
      }
      if (locked || Date.now() > deadline) {
        throw new Error(
          `the bluegreen plugin's migrations stayed locked for ${Math.round(
            lockWaitMs / 1000,
          )} s: another replica is migrating, or one died holding knex_migrations_lock (then set is_locked to 0 there)`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 250));
    }
  }
}

/**
 * The plugin's database client, migrated unless the app runs migrations itself. Replicas
 * that start together migrate one at a time: they wait for the one migrating and try
 * again (then find nothing left to do). A replica of an earlier release takes knex's
 * lock only: while it migrates, this one waits and retries.
 */
export async function migratedClient(
  database: DatabaseService,
  options: { lockWaitMs?: number } = {},
): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    let done = migrated.get(client);
    if (!done) {
      done = migrate(client, options.lockWaitMs ?? LOCK_WAIT_MS);
      migrated.set(client, done);
      done.catch(() => migrated.delete(client));
    }
    await done;
  }
  return client;
}
