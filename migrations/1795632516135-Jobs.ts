import { MigrationInterface, QueryRunner } from 'typeorm';

export class Jobs1795632516135 implements MigrationInterface {
  name = 'Jobs1795632516135';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "background_tasks" ("id" uuid NOT NULL, "task_name" character varying(100) NOT NULL, "queue" character varying(32) NOT NULL, "status" character varying(16) NOT NULL, "priority" character varying(16) NOT NULL, "progress" real NOT NULL DEFAULT \'0\', "progress_message" text, "parameters" jsonb NOT NULL DEFAULT \'{}\'::jsonb, "result" jsonb, "error" text, "attempts" integer NOT NULL DEFAULT \'0\', "max_retries" integer NOT NULL DEFAULT \'0\', "generation" integer NOT NULL DEFAULT \'0\', "checkpoint" jsonb, "created_by" character varying(64), "internal" boolean NOT NULL DEFAULT false, "metadata" jsonb NOT NULL DEFAULT \'{}\'::jsonb, "run_after" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "background_tasks_pkey" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "background_tasks_name_created_idx" ON "background_tasks"  ("task_name", "created_at") ',
    );
    await queryRunner.query(
      'CREATE INDEX "background_tasks_status_created_idx" ON "background_tasks"  ("status", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "background_task_logs" ("id" BIGSERIAL NOT NULL, "task_id" uuid NOT NULL, "attempt" integer NOT NULL DEFAULT \'1\', "message" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "background_task_logs_pkey" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "background_task_logs_task_idx" ON "background_task_logs"  ("task_id", "id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "background_task_logs" ADD CONSTRAINT "background_task_logs_task_fkey" FOREIGN KEY ("task_id") REFERENCES "background_tasks"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "background_task_logs" DROP CONSTRAINT "background_task_logs_task_fkey"',
    );
    await queryRunner.query('DROP INDEX "public"."background_task_logs_task_idx"');
    await queryRunner.query('DROP TABLE "background_task_logs"');
    await queryRunner.query('DROP INDEX "public"."background_tasks_status_created_idx"');
    await queryRunner.query('DROP INDEX "public"."background_tasks_name_created_idx"');
    await queryRunner.query('DROP TABLE "background_tasks"');
  }
}
