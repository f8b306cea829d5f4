import { MigrationInterface, QueryRunner } from 'typeorm';

export class Events1795631781660 implements MigrationInterface {
  name = 'Events1795631781660';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Ids are drawn from this sequence under an advisory lock (EventStore.append).
    await queryRunner.query('CREATE SEQUENCE "events_id_seq" AS bigint');
    await queryRunner.query(
      'CREATE TABLE "events" ("id" bigint NOT NULL, "type" character varying(64) NOT NULL, "rooms" text array NOT NULL, "data" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), CONSTRAINT "events_pkey" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "events_created_at_idx" ON "events"  ("created_at") ');
    await queryRunner.query('CREATE INDEX "events_rooms_gin" ON "events" USING gin ("rooms") ');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."events_rooms_gin"');
    await queryRunner.query('DROP INDEX "public"."events_created_at_idx"');
    await queryRunner.query('DROP TABLE "events"');
    await queryRunner.query('DROP SEQUENCE "events_id_seq"');
  }
}
