import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import {
  cacheDir,
  spawnServer,
  stopServer,
  removeOnExit,
  waitUntil,
} from './servers';

/** A real PostgreSQL server started for the example or a test. */
export interface PostgresServer {
  /**
   * The folder of its Unix socket (PostgreSQL clients take a path as the host): it
   * listens on no TCP port, and the folder is its owner's only (0700).
   */
  host: string;
  /** The socket's number (.s.PGSQL.<port>); the same for every server, each in its own folder. */
  port: number;
  /** The superuser, trusted on the socket: only the socket folder's owner (and root) reach it. */
  user: string;
  /** backend.database as Backstage reads it. */
  backstageConfig(): {
    client: 'pg';
    connection: { host: string; port: number; user: string };
  };
  /** A knex client of one database (default `postgres`); destroyed by stop(). */
  client(database?: string): Knex;
  /** The server's log (initdb's too), for error messages. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  "install Debian's PostgreSQL server (apt-get install -y postgresql, or bash scripts/install-system-deps.sh), or point BLUEGREEN_POSTGRES_BIN at a folder with initdb and postgres";

/** The folder of initdb and postgres: BLUEGREEN_POSTGRES_BIN, Debian's newest, or PATH. */
export function postgresBinaries(): { initdb: string; postgres: string } {
  const candidates: string[] = [];
  if (process.env.BLUEGREEN_POSTGRES_BIN) {
    candidates.push(process.env.BLUEGREEN_POSTGRES_BIN);
  } else {
    const debian = '/usr/lib/postgresql';
    if (fs.existsSync(debian)) {
      candidates.push(
        ...fs
          .readdirSync(debian)
          .sort((a, b) => Number(b) - Number(a))
          .map(version => path.join(debian, version, 'bin')),
      );
    }
    candidates.push(...(process.env.PATH ?? '').split(path.delimiter));
  }
  for (const dir of candidates) {
    const initdb = path.join(dir, 'initdb');
    const postgres = path.join(dir, 'postgres');
    if (fs.existsSync(initdb) && fs.existsSync(postgres)) {
      return { initdb, postgres };
    }
  }
  throw new Error(
    `PostgreSQL's server binaries (initdb, postgres) were not found in ${candidates
      .slice(0, 3)
      .join(', ')}${
      candidates.length > 3 ? ', ... (PATH)' : ''
    }: ${INSTALL_HINT}`,
  );
}

/**
 * PostgreSQL refuses to run as root: as root, the server runs as Debian's `postgres` user
 * (created by its package); otherwise as whoever runs this.
 */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) {
    return undefined;
  }
  try {
    const [uid, gid] = ['-u', '-g'].map(flag =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' })),
    );
    return { uid, gid };
  } catch {
    throw new Error(
      `PostgreSQL does not run as root, and there is no postgres user to run it as: ${INSTALL_HINT}`,
    );
  }
}

/**
 * Starts a throw-away PostgreSQL cluster: initdb into a new folder under
 * .cache/postgres (git-ignored), the server listening only on a Unix socket in that
 * folder (0700, so trust authentication lets in its owner only). Durability is off (fsync,
 * synchronous_commit): it is for the example and the tests, and dies with them. The
 * folder is removed when it stops, or when this process exits.
 */
export async function startPostgres(
  options: { name?: string; readyTimeoutMs?: number } = {},
): Promise<PostgresServer> {
  const { initdb, postgres } = postgresBinaries();
  const owner = serverUser();
  const root = cacheDir('postgres');
  const dir = path.join(
    root,
    `${options.name ?? 'postgres'}-${crypto.randomBytes(4).toString('hex')}`,
  );
  fs.mkdirSync(dir, { mode: 0o700 });
  removeOnExit(dir);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  if (owner) {
    fs.chownSync(dir, owner.uid, owner.gid);
  }
  const user = 'postgres';
  try {
    execFileSync(
      initdb,
      ['-D', data, '-U', user, '-A', 'trust', '-E', 'UTF8', '--no-sync'],
      { stdio: ['ignore', 'pipe', 'pipe'], ...owner, cwd: dir },
    );
  } catch (error: any) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `initdb failed: ${String(error.stderr ?? error.message).trim()}`,
    );
  }

  // The socket lives in this server's own folder: any number is free there.
  const port = 5432;
  const running = spawnServer(
    postgres,
    [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      // Empty: no TCP socket at all (no shell here, so no quotes).
      'listen_addresses=',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'max_connections=200',
    ],
    log,
    { ...owner, cwd: dir },
  );
  const probe = knexFactory({
    client: 'pg',
    connection: { host: dir, port, user, database: 'postgres' },
    pool: { min: 0, max: 1 },
    // Refused connections are expected until the server listens.
    log: { error: () => {}, warn: () => {} },
  });
  try {
    await waitUntil(
      `PostgreSQL on ${dir}/.s.PGSQL.${port}`,
      async () => {
        await probe.raw('select 1');
        return true;
      },
      options.readyTimeoutMs ?? 30_000,
      running,
    );
  } catch (error) {
    await stopServer(running);
    const tail = tailOf(log);
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}:\n${tail}`);
  } finally {
    await probe.destroy();
  }

  const clients: Knex[] = [];
  return {
    host: dir,
    port,
    user,
    backstageConfig: () => ({
      client: 'pg',
      connection: { host: dir, port, user },
    }),
    client(database = 'postgres') {
      const client = knexFactory({
        client: 'pg',
        connection: { host: dir, port, user, database },
        pool: { min: 0, max: 4 },
      });
      clients.push(client);
      return client;
    },
    logTail: (lines?: number) => tailOf(log, lines),
    async stop() {
      await Promise.all(clients.map(client => client.destroy()));
      await stopServer(running);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function tailOf(file: string, lines = 15): string {
  return fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n')
    : '(no log)';
}
