import { MigrationInterface, QueryRunner } from 'typeorm';

export class Files1795632908880 implements MigrationInterface {
  name = 'Files1795632908880';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "files" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "filename" character varying(255) NOT NULL, "original_filename" character varying(1024) NOT NULL, "file_type" character varying(32) NOT NULL, "file_size" bigint NOT NULL, "mime_type" character varying(127) NOT NULL, "checksum" character(64) NOT NULL, "storage_key" character varying(255) NOT NULL, "uploaded_by" character varying(64) NOT NULL, "upload_session_id" uuid, "uploaded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "tags" text array NOT NULL DEFAULT \'{}\', "metadata" jsonb NOT NULL DEFAULT \'{}\', "validation" jsonb, CONSTRAINT "files_file_type_check" CHECK ("file_type" IN (\'agent_configs\', \'data_files\', \'images\', \'documents\', \'backups\')), CONSTRAINT "files_pkey" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "files_mime_type_idx" ON "files"  ("mime_type") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "files_storage_key_key" ON "files"  ("storage_key") ',
    );
    await queryRunner.query('CREATE INDEX "files_uploaded_by_idx" ON "files"  ("uploaded_by") ');
    await queryRunner.query('CREATE INDEX "files_uploaded_at_idx" ON "files"  ("uploaded_at") ');
    await queryRunner.query('CREATE INDEX "files_tags_gin" ON "files" USING gin ("tags") ');
    await queryRunner.query(
      'CREATE INDEX "files_file_type_uploaded_at_idx" ON "files"  ("file_type", "uploaded_at") ',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."files_file_type_uploaded_at_idx"');
    await queryRunner.query('DROP INDEX "public"."files_tags_gin"');
    await queryRunner.query('DROP INDEX "public"."files_uploaded_at_idx"');
    await queryRunner.query('DROP INDEX "public"."files_uploaded_by_idx"');
    await queryRunner.query('DROP INDEX "public"."files_storage_key_key"');
    await queryRunner.query('DROP INDEX "public"."files_mime_type_idx"');
    await queryRunner.query('DROP TABLE "files"');
  }
}
