// @ts-check

/**
 * One cutover per record at a time, across backend replicas: a lease per Route 53 record
 * group (zone, name, type).
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cutover_leases', table => {
    table.comment('Who is cutting the traffic of a Route 53 record group over');
    table
      .string('lease_key', 512)
      .primary()
      .notNullable()
      .comment('<zone id>:<record name>:<record type>');
    table.string('holder_id', 255).notNullable().comment('The scaffolder task');
    table.string('holder_user', 255).notNullable().comment('Its initiator');
    // Epoch milliseconds: compared the same way by every database and driver.
    table
      .bigInteger('acquired_at')
      .notNullable()
      .comment('Since when it is held (epoch ms)');
    table
      .bigInteger('expires_at')
      .notNullable()
      .comment(
        'Free after this unless renewed: a crashed holder stops renewing (epoch ms)',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cutover_leases');
};
