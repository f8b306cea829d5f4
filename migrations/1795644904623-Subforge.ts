import { MigrationInterface, QueryRunner } from 'typeorm';

/** SubForge integration: imported runs (context as read, the workflow run mirroring it) and agent files. */
export class Subforge1795644904623 implements MigrationInterface {
  name = 'Subforge1795644904623';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "subforge_agent_files" ("file_name" character varying(255) NOT NULL, "checksum" character(64) NOT NULL, "agent_id" uuid, "error" text, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "subforge_agent_files_pkey" PRIMARY KEY ("file_name"))',
    );
    await queryRunner.query(
      'CREATE TABLE "subforge_runs" ("id" character varying(255) NOT NULL, "status" character varying(16) NOT NULL, "context" jsonb NOT NULL, "parse_error" text, "checksum" character(64) NOT NULL, "workflow_run_id" uuid, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "subforge_runs_pkey" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "subforge_runs_status_idx" ON "subforge_runs"  ("status") ',
    );
    await queryRunner.query(
      'CREATE INDEX "subforge_runs_workflow_run_id_idx" ON "subforge_runs"  ("workflow_run_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "subforge_runs_started_at_idx" ON "subforge_runs"  ("started_at") ',
    );
    await queryRunner.query(
      'ALTER TABLE "subforge_agent_files" ADD CONSTRAINT "subforge_agent_files_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "subforge_runs" ADD CONSTRAINT "subforge_runs_workflow_run_id_fkey" FOREIGN KEY ("workflow_run_id") REFERENCES "workflow_runs"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "subforge_runs" DROP CONSTRAINT "subforge_runs_workflow_run_id_fkey"',
    );
    await queryRunner.query(
      'ALTER TABLE "subforge_agent_files" DROP CONSTRAINT "subforge_agent_files_agent_id_fkey"',
    );
    await queryRunner.query('DROP INDEX "public"."subforge_runs_started_at_idx"');
    await queryRunner.query('DROP INDEX "public"."subforge_runs_workflow_run_id_idx"');
    await queryRunner.query('DROP INDEX "public"."subforge_runs_status_idx"');
    await queryRunner.query('DROP TABLE "subforge_runs"');
    await queryRunner.query('DROP TABLE "subforge_agent_files"');
  }
}
