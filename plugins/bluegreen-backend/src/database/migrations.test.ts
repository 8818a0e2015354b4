import fs from 'node:fs';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { presetPlan } from '@bluegreen/plugin-bluegreen-common';
import { databaseEngines } from '../__testUtils__/databases';
import { initialRunState } from '../cutover/engine/runState';
import { DatabaseCutoverRunStore } from './DatabaseCutoverRunStore';
import { DatabaseLeaseStore } from './DatabaseLeaseStore';
import { migratedClient } from './migratedClient';

const directory = resolvePackagePath(
  '@bluegreen/plugin-bluegreen-backend',
  'migrations',
);
const MIGRATIONS = fs
  .readdirSync(directory)
  .filter(file => file.endsWith('.js'))
  .sort();
const PLAN = presetPlan('staged', { blue: 100, green: 0 }, 'green');
const KEY = 'Z1:burnham.eks-blueprint.example.com.:A';

const engines = databaseEngines();

/** What the plugin keeps, written and read back through its own stores. */
async function useEverything(database: Parameters<typeof migratedClient>[0]) {
  const leases = await DatabaseLeaseStore.create({ database });
  const runs = await DatabaseCutoverRunStore.create({ database });
  const run = await runs.create({
    entityRef: 'component:default/checkout',
    leaseKey: 'Z1:checkout.eks-blueprint.example.com.:A',
    mode: 'route53',
    plan: PLAN,
    floor: { ttlSeconds: 60, insyncSeconds: 30 },
    state: initialRunState(PLAN),
    startedBy: 'user:default/platform-engineer',
  });
  expect(await runs.get(run.id)).toEqual(run);
  expect(await runs.events(run.id)).toHaveLength(1);
  expect(
    await leases.acquire(
      'Z1:checkout.eks-blueprint.example.com.:A',
      { taskId: 'task-2', user: 'user:default/platform-engineer' },
      60_000,
    ),
  ).toEqual({ acquired: true });
  return { leases, runs };
}

describe.each(engines)("the bluegreen plugin's migrations on $name", engine => {
  it('run from an empty database; every table then works through the stores, and they roll all the way back', async () => {
    const shared = await engine.create();
    const database = shared.replica();
    await useEverything(database);
    const client = await database.getClient();
    const [, done] = await client.migrate.list({ directory });
    expect(done).toEqual([]);
    await client.migrate.rollback({ directory }, true);
    for (const table of [
      'cutover_leases',
      'cutover_runs',
      'cutover_run_events',
    ]) {
      expect(await client.schema.hasTable(table)).toBe(false);
    }
  });

  it.each(MIGRATIONS.slice(0, -1).map((_, i) => [MIGRATIONS[i], i + 1]))(
    'run from the schema of an earlier release (up to %s), keeping what it holds',
    async (_last, count) => {
      const shared = await engine.create();
      const database = shared.replica();
      const client = await database.getClient();
      for (const name of MIGRATIONS.slice(0, count as number)) {
        await client.migrate.up({ directory, name });
      }
      // A lease as that release held it (the first release had leases only).
      await client('cutover_leases').insert({
        lease_key: KEY,
        holder_id: 'task-1',
        holder_user: 'user:default/platform-engineer',
        acquired_at: Date.now(),
        expires_at: Date.now() + 3_600_000,
      });
      const { leases } = await useEverything(database);
      expect(await leases.holder(KEY)).toMatchObject({
        taskId: 'task-1',
        user: 'user:default/platform-engineer',
      });
      const [, pending] = await client.migrate.list({ directory });
      expect(pending).toEqual([]);
    },
  );

  it('two replicas starting together on an empty database migrate once, one after the other, and both start', async () => {
    const shared = await engine.create();
    const [a, b] = [shared.replica(), shared.replica()];
    await Promise.all([migratedClient(a), migratedClient(b)]);
    const client = await a.getClient();
    const rows = await client('knex_migrations').select('name');
    expect(rows.map(row => row.name).sort()).toEqual(MIGRATIONS);
    await useEverything(b);
  });
});
