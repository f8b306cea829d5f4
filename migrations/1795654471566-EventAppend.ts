import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Event appends in one round trip: the advisory lock that orders writers, the
 * insert and the NOTIFY, in the single statement's own transaction (the lock is
 * held until it commits, as before, when they were five statements).
 */
export class EventAppend1795654471566 implements MigrationInterface {
  name = 'EventAppend1795654471566';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION append_events(lock_key bigint, channel text, types text[], rooms jsonb[], data jsonb[])
      RETURNS SETOF events LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(lock_key);
        RETURN QUERY
          WITH inserted AS (
            INSERT INTO events (id, type, rooms, data, created_at)
            SELECT nextval('events_id_seq'), e.type, ARRAY(SELECT jsonb_array_elements_text(e.rooms)), e.data, clock_timestamp()
              FROM unnest(types, rooms, data) WITH ORDINALITY AS e(type, rooms, data, ord)
             ORDER BY e.ord
            RETURNING *)
          SELECT * FROM inserted ORDER BY id;
        -- Under the lock, the last id drawn in this session is the highest one written.
        PERFORM pg_notify(channel, currval('events_id_seq')::text);
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION append_events(bigint, text, text[], jsonb[], jsonb[])');
  }
}
