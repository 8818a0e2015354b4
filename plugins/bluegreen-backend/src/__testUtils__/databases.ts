import crypto from 'node:crypto';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { PostgresServer, startPostgres } from '@bluegreen/example-replicas';
import knexFactory, { Knex } from 'knex';

/**
 * One database two replicas share, on each engine the plugin supports: a SQLite file, and
 * a real PostgreSQL server (examples/replicas starts one per test file, from Debian's
 * packages; without them the tests fail saying what to install). `replica()` is one
 * more replica's DatabaseService on the same database: its own knex client and pool.
 */
export interface SharedDatabase {
  replica(): DatabaseService;
}

export interface DatabaseEngine {
  name: 'SQLite' | 'PostgreSQL';
  /** A new, empty database. */
  create(): Promise<SharedDatabase>;
}

/**
 * The engines, for describe.each. Call at the top of a test file: it registers the
 * hooks that start and stop PostgreSQL and destroy every client.
 */
export function databaseEngines(): DatabaseEngine[] {
  const dir = createMockDirectory();
  const clients: Knex[] = [];
  let postgres: PostgresServer | undefined;
  let admin: Knex | undefined;

  afterAll(async () => {
    await Promise.all(clients.map(client => client.destroy()));
    await postgres?.stop();
  });

  const serviceOf = (config: Knex.Config): DatabaseService => {
    let client: Knex | undefined;
    return {
      getClient: async () => {
        if (!client) {
          client = knexFactory(config);
          clients.push(client);
        }
        return client;
      },
    };
  };

  return [
    {
      name: 'SQLite',
      async create() {
        const filename = dir.resolve(`${crypto.randomUUID()}.sqlite`);
        return {
          replica: () =>
            serviceOf({
              client: 'better-sqlite3',
              connection: { filename },
              useNullAsDefault: true,
            }),
        };
      },
    },
    {
      name: 'PostgreSQL',
      async create() {
        postgres ??= await startPostgres({ name: 'plugin-tests' });
        admin ??= postgres.client();
        const database = `bluegreen_${crypto.randomBytes(6).toString('hex')}`;
        await admin.raw('create database ??', [database]);
        const { host, port, user } = postgres;
        return {
          replica: () =>
            serviceOf({
              client: 'pg',
              connection: { host, port, user, database },
              pool: { min: 0, max: 5 },
            }),
        };
      },
    },
  ];
}
