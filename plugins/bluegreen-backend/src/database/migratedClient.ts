import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@bluegreen/plugin-bluegreen-backend',
  'migrations',
);

/** How long a replica waits for another replica's migration before giving up. */
const LOCK_WAIT_MS = 120_000;

/**
 * The plugin's database client, migrated unless the app runs migrations itself. Replicas
 * that start together migrate one at a time: knex's lock lets one in and fails the
 * others at once, so they wait for it and try again (then find nothing left to do).
 */
export async function migratedClient(
  database: DatabaseService,
  options: { lockWaitMs?: number } = {},
): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    const deadline = Date.now() + (options.lockWaitMs ?? LOCK_WAIT_MS);
    for (;;) {
      try {
        await client.migrate.latest({ directory: migrationsDir });
        break;
      } catch (error) {
        if ((error as Error).name !== 'MigrationLocked') {
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
