import { MigrationInterface, QueryRunner } from 'typeorm';

export class Auth1795631378931 implements MigrationInterface {
  name = 'Auth1795631378931';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "role" character varying(16) NOT NULL, "agent_id" uuid, "key_hash" character(64) NOT NULL, "prefix" character varying(16) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE, "created_by" character varying(64), "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "api_keys_agent_id_idx" ON "api_keys"  ("agent_id") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"  ("key_hash") ',
    );
    await queryRunner.query(
      'CREATE TABLE "settings" ("name" character varying(100) NOT NULL, "value" text NOT NULL, CONSTRAINT "settings_pkey" PRIMARY KEY ("name"))',
    );
    await queryRunner.query(
      'CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(320) NOT NULL, "display_name" character varying(200) NOT NULL, "role" character varying(16) NOT NULL, "password_hash" character varying(255) NOT NULL, "is_active" boolean NOT NULL DEFAULT true, "last_login_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "users_pkey" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "users_email_key" ON "users"  ("email") ');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."users_email_key"');
    await queryRunner.query('DROP TABLE "users"');
    await queryRunner.query('DROP TABLE "settings"');
    await queryRunner.query('DROP INDEX "public"."api_keys_key_hash_key"');
    await queryRunner.query('DROP INDEX "public"."api_keys_agent_id_idx"');
    await queryRunner.query('DROP TABLE "api_keys"');
  }
}
