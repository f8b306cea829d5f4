import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An append also announces its events themselves, on `<channel>_batch`, when they fit in
 * a notification (under 8,000 bytes): listeners then deliver them without reading them
 * back. Larger appends announce only their last id there, and listeners read the
 * events from the table as before. The id alone still goes to `<channel>` for instances
 * of the previous release while they are being replaced.
 */
export class EventNotifyPayload1796100000000 implements MigrationInterface {
  name = 'EventNotifyPayload1796100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION append_events(lock_key bigint, channel text, types text[], rooms jsonb[], data jsonb[])
      RETURNS SETOF events LANGUAGE plpgsql AS $$
      DECLARE
        written events[];
        last_id text;
        payload text;
      BEGIN
        PERFORM pg_advisory_xact_lock(lock_key);
        WITH inserted AS (
          INSERT INTO events (id, type, rooms, data, created_at)
          SELECT nextval('events_id_seq'), e.type, ARRAY(SELECT jsonb_array_elements_text(e.rooms)), e.data, clock_timestamp()
            FROM unnest(types, rooms, data) WITH ORDINALITY AS e(type, rooms, data, ord)
           ORDER BY e.ord
          RETURNING *)
        SELECT array_agg(inserted ORDER BY inserted.id) INTO written FROM inserted;
        -- Under the lock, the last id drawn in this session is the highest one written.
        last_id := currval('events_id_seq')::text;
        PERFORM pg_notify(channel, last_id);
        IF cardinality(written) <= 64 THEN
          payload := json_build_object('last', last_id, 'events', (
            SELECT json_agg(json_build_object(
                     'id', w.id::text, 'type', w.type, 'rooms', w.rooms, 'data', w.data,
                     'created_at', w.created_at::text) ORDER BY w.id)
              FROM unnest(written) AS w))::text;
        END IF;
        IF payload IS NULL OR octet_length(payload) >= 8000 THEN
          payload := json_build_object('last', last_id)::text;
        END IF;
        PERFORM pg_notify(channel || '_batch', payload);
        RETURN QUERY SELECT * FROM unnest(written) AS w ORDER BY w.id;
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION append_events(lock_key bigint, channel text, types text[], rooms jsonb[], data jsonb[])
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
        PERFORM pg_notify(channel, currval('events_id_seq')::text);
      END $$`);
  }
}
