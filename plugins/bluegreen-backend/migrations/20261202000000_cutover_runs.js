// @ts-check

/**
 * Staged cutover runs, persisted so that any replica can drive a run on after the one
 * driving it died: the plan, the run's state (a compare-and-swap on `version`), and its
 * history of events.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cutover_runs', table => {
    table.comment('Staged cutovers of a Route 53 record group');
    table.string('id', 64).primary().notNullable();
    table
      .string('entity_ref', 512)
      .notNullable()
      .comment('The entity whose traffic moves');
    table
      .string('lease_key', 512)
      .notNullable()
      .comment('<zone id>:<record name>:<record type>, as in cutover_leases');
    table.string('mode', 16).notNullable().comment('route53 or gitops');
    table.text('plan_json').notNullable().comment('The plan (from, steps)');
    table
      .text('floor_json')
      .notNullable()
      .comment('The DNS floor the holds were computed with');
    table.text('state_json').notNullable().comment('The state of the run');
    table
      .string('status', 16)
      .notNullable()
      .comment(
        'running, paused, completed, rolled-back or failed (of state_json)',
      );
    table
      .integer('version')
      .notNullable()
      .comment('Incremented by every state change: the compare-and-swap');
    table.string('started_by', 255).notNullable();
    // Epoch milliseconds, compared the same way by every database and driver.
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();
    table.index(['entity_ref', 'created_at'], 'cutover_runs_entity_idx');
    table.index(['status'], 'cutover_runs_status_idx');
  });
  await knex.schema.createTable('cutover_run_events', table => {
    // No apostrophes in comments: knex does not escape a table's on PostgreSQL.
    table.comment('What happened in a run, in order: the timeline of the card');
    table.increments('id').primary();
    table
      .string('run_id', 64)
      .notNullable()
      .references('id')
      .inTable('cutover_runs')
      .onDelete('CASCADE');
    table.bigInteger('at').notNullable().comment('Epoch ms');
    table
      .string('actor', 255)
      .notNullable()
      .comment('The user who paused, resumed or aborted, or "engine"');
    table.text('message').notNullable();
    table.index(['run_id', 'id'], 'cutover_run_events_run_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cutover_run_events');
  await knex.schema.dropTable('cutover_runs');
};
