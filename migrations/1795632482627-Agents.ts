import { MigrationInterface, QueryRunner } from 'typeorm';

export class Agents1795632482627 implements MigrationInterface {
  name = 'Agents1795632482627';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "agents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(255) NOT NULL, "agent_type" character varying(100) NOT NULL, "description" text, "model" character varying(100) NOT NULL DEFAULT \'claude-3-sonnet\', "tools" text array NOT NULL DEFAULT \'{}\', "capabilities" text array NOT NULL DEFAULT \'{}\', "configuration" jsonb NOT NULL DEFAULT \'{}\', "status" character varying(16) NOT NULL DEFAULT \'idle\', "current_task_id" uuid, "current_task_title" character varying(500), "max_concurrent_tasks" integer NOT NULL DEFAULT \'1\', "is_active" boolean NOT NULL DEFAULT true, "tags" text array NOT NULL DEFAULT \'{}\', "metadata" jsonb NOT NULL DEFAULT \'{}\', "reported_figures" jsonb, "pending_configuration" jsonb, "last_activity" TIMESTAMP WITH TIME ZONE, "last_heartbeat" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "agents_pkey" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "agents_agent_type_idx" ON "agents"  ("agent_type") ');
    await queryRunner.query('CREATE INDEX "agents_status_idx" ON "agents"  ("status") ');
    await queryRunner.query(
      'CREATE INDEX "agents_last_heartbeat_idx" ON "agents"  ("last_heartbeat") ',
    );
    await queryRunner.query('CREATE INDEX "agents_created_at_idx" ON "agents"  ("created_at") ');
    await queryRunner.query(
      'CREATE INDEX "agents_capabilities_gin" ON "agents" USING gin ("capabilities") ',
    );
    await queryRunner.query('CREATE INDEX "agents_tags_gin" ON "agents" USING gin ("tags") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "agents_name_agent_type_key" ON "agents"  ("name", "agent_type") ',
    );
    await queryRunner.query(
      'CREATE TABLE "agent_logs" ("id" BIGSERIAL NOT NULL, "agent_id" uuid NOT NULL, "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL, "level" character varying(8) NOT NULL, "severity" smallint NOT NULL, "message" text NOT NULL, "details" jsonb, "task_id" uuid, CONSTRAINT "agent_logs_pkey" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "agent_logs_timestamp_idx" ON "agent_logs"  ("timestamp") ',
    );
    await queryRunner.query(
      'CREATE INDEX "agent_logs_agent_id_timestamp_idx" ON "agent_logs"  ("agent_id", "timestamp") ',
    );
    await queryRunner.query(
      'CREATE TABLE "agent_status_history" ("id" BIGSERIAL NOT NULL, "agent_id" uuid NOT NULL, "status" character varying(16) NOT NULL, "previous_status" character varying(16), "reason" character varying(16) NOT NULL, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), CONSTRAINT "agent_status_history_pkey" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "agent_status_history_agent_id_changed_at_idx" ON "agent_status_history"  ("agent_id", "changed_at") ',
    );
    await queryRunner.query(
      'ALTER TABLE "agent_logs" ADD CONSTRAINT "agent_logs_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "agent_status_history" ADD CONSTRAINT "agent_status_history_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "agent_status_history" DROP CONSTRAINT "agent_status_history_agent_id_fkey"',
    );
    await queryRunner.query('ALTER TABLE "agent_logs" DROP CONSTRAINT "agent_logs_agent_id_fkey"');
    await queryRunner.query('DROP INDEX "public"."agent_status_history_agent_id_changed_at_idx"');
    await queryRunner.query('DROP TABLE "agent_status_history"');
    await queryRunner.query('DROP INDEX "public"."agent_logs_agent_id_timestamp_idx"');
    await queryRunner.query('DROP INDEX "public"."agent_logs_timestamp_idx"');
    await queryRunner.query('DROP TABLE "agent_logs"');
    await queryRunner.query('DROP INDEX "public"."agents_name_agent_type_key"');
    await queryRunner.query('DROP INDEX "public"."agents_tags_gin"');
    await queryRunner.query('DROP INDEX "public"."agents_capabilities_gin"');
    await queryRunner.query('DROP INDEX "public"."agents_created_at_idx"');
    await queryRunner.query('DROP INDEX "public"."agents_last_heartbeat_idx"');
    await queryRunner.query('DROP INDEX "public"."agents_status_idx"');
    await queryRunner.query('DROP INDEX "public"."agents_agent_type_idx"');
    await queryRunner.query('DROP TABLE "agents"');
  }
}
