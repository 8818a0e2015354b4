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

/**
 * Another replica migrates right now: knex's lock let it in and refused us, or we both
 * created knex's own bookkeeping tables and it was first (knex creates them unlocked).
 */
function anotherReplicaMigrates(error: unknown): boolean {
  const { name, message } = error as Error;
  return (
    name === 'MigrationLocked' ||
    /knex_migrations(_lock)?\W.*already exists|already exists.*knex_migrations/.test(
      String(message),
    )
  );
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
    const deadline = Date.now() + (options.lockWaitMs ?? LOCK_WAIT_MS);
    const migrate = () => client.migrate.latest({ directory: migrationsDir });
    for (;;) {
      try {
        if (client.client.dialect === 'postgresql') {
          // Replicas of this release queue on an advisory lock (held by a transaction
          // while the migrations run on other connections): PostgreSQL fails a table
          // created twice at once even with IF NOT EXISTS.
          await client.transaction(async tx => {
            await tx.raw('select pg_advisory_xact_lock(?)', [ADVISORY_LOCK]);
            await migrate();
          });
        } else {
          await migrate();
        }
        break;
      } catch (error) {
        if (!anotherReplicaMigrates(error)) {
          throw error;
        }
        if (Date.now() > deadline) {
          throw new Error(
            `the bluegreen plugin's migrations stayed locked for ${Math.round(
              (options.lockWaitMs ?? LOCK_WAIT_MS) / 1000,
            )} s: another replica is migrating, or one died holding knex_migrations_lock (then set is_locked to 0 there)`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, 250));
      }
    }
  }
  return client;
}
