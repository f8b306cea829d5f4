import { MigrationInterface, QueryRunner } from 'typeorm';

export class Tasks1795633448855 implements MigrationInterface {
  name = 'Tasks1795633448855';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "tasks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "title" character varying(500) NOT NULL, "description" text, "status" character varying(16) NOT NULL DEFAULT \'pending\', "priority" character varying(16) NOT NULL DEFAULT \'medium\', "task_type" character varying(100), "tags" text array NOT NULL DEFAULT \'{}\', "metadata" jsonb NOT NULL DEFAULT \'{}\', "assigned_agent_id" uuid, "workflow_id" uuid, "run_id" uuid, "attempt" integer NOT NULL DEFAULT \'1\', "estimated_duration_minutes" integer, "actual_duration_minutes" integer, "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "progress_percentage" real NOT NULL DEFAULT \'0\', "subtasks_completed" integer NOT NULL DEFAULT \'0\', "subtasks_total" integer NOT NULL DEFAULT \'0\', "quality_score" real, "complexity_score" integer, "effort_points" integer, "is_urgent" boolean NOT NULL DEFAULT false, "requires_review" boolean NOT NULL DEFAULT false, "result" jsonb, "error" text, "retryable" boolean, "due_date" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "tasks_pkey" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "tasks_status_idx" ON "tasks"  ("status") ');
    await queryRunner.query('CREATE INDEX "tasks_priority_idx" ON "tasks"  ("priority") ');
    await queryRunner.query('CREATE INDEX "tasks_task_type_idx" ON "tasks"  ("task_type") ');
    await queryRunner.query('CREATE INDEX "tasks_workflow_id_idx" ON "tasks"  ("workflow_id") ');
    await queryRunner.query('CREATE INDEX "tasks_run_id_idx" ON "tasks"  ("run_id") ');
    await queryRunner.query('CREATE INDEX "tasks_completed_at_idx" ON "tasks"  ("completed_at") ');
    await queryRunner.query('CREATE INDEX "tasks_due_date_idx" ON "tasks"  ("due_date") ');
    await queryRunner.query('CREATE INDEX "tasks_created_at_idx" ON "tasks"  ("created_at") ');
    await queryRunner.query(
      'CREATE INDEX "tasks_assigned_agent_id_status_idx" ON "tasks"  ("assigned_agent_id", "status") ',
    );
    await queryRunner.query('CREATE INDEX "tasks_tags_gin" ON "tasks" USING gin ("tags") ');
    await queryRunner.query(
      'CREATE TABLE "task_dependencies" ("task_id" uuid NOT NULL, "depends_on_id" uuid NOT NULL, CONSTRAINT "task_dependencies_not_self" CHECK ("task_id" <> "depends_on_id"), CONSTRAINT "task_dependencies_pkey" PRIMARY KEY ("task_id", "depends_on_id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "task_dependencies_depends_on_id_idx" ON "task_dependencies"  ("depends_on_id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "tasks" ADD CONSTRAINT "tasks_assigned_agent_id_fkey" FOREIGN KEY ("assigned_agent_id") REFERENCES "agents"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "task_dependencies" ADD CONSTRAINT "task_dependencies_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "task_dependencies" ADD CONSTRAINT "task_dependencies_depends_on_id_fkey" FOREIGN KEY ("depends_on_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "task_dependencies" DROP CONSTRAINT "task_dependencies_depends_on_id_fkey"',
    );
    await queryRunner.query(
      'ALTER TABLE "task_dependencies" DROP CONSTRAINT "task_dependencies_task_id_fkey"',
    );
    await queryRunner.query('ALTER TABLE "tasks" DROP CONSTRAINT "tasks_assigned_agent_id_fkey"');
    await queryRunner.query('DROP INDEX "public"."task_dependencies_depends_on_id_idx"');
    await queryRunner.query('DROP TABLE "task_dependencies"');
    await queryRunner.query('DROP INDEX "public"."tasks_tags_gin"');
    await queryRunner.query('DROP INDEX "public"."tasks_assigned_agent_id_status_idx"');
    await queryRunner.query('DROP INDEX "public"."tasks_created_at_idx"');
    await queryRunner.query('DROP INDEX "public"."tasks_due_date_idx"');
    await queryRunner.query('DROP INDEX "public"."tasks_completed_at_idx"');
    await queryRunner.query('DROP INDEX "public"."tasks_run_id_idx"');
    await queryRunner.query('DROP INDEX "public"."tasks_workflow_id_idx"');
    await queryRunner.query('DROP INDEX "public"."tasks_task_type_idx"');
    await queryRunner.query('DROP INDEX "public"."tasks_priority_idx"');
    await queryRunner.query('DROP INDEX "public"."tasks_status_idx"');
    await queryRunner.query('DROP TABLE "tasks"');
  }
}
