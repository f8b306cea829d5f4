import { MigrationInterface, QueryRunner } from 'typeorm';

export class System1795633006581 implements MigrationInterface {
  name = 'System1795633006581';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "api_metrics" ("minute" TIMESTAMP WITH TIME ZONE NOT NULL, "method" character varying(10) NOT NULL, "route" character varying(300) NOT NULL, "status_class" character varying(3) NOT NULL, "credential" character varying(16) NOT NULL, "count" integer NOT NULL, "sum_ms" double precision NOT NULL, "min_ms" double precision NOT NULL, "max_ms" double precision NOT NULL, "histogram" integer array NOT NULL, CONSTRAINT "api_metrics_pkey" PRIMARY KEY ("minute", "method", "route", "status_class", "credential"))',
    );
    await queryRunner.query(
      'CREATE TABLE "system_metrics" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "source" character varying(16) NOT NULL, "instance_id" character varying(64) NOT NULL, "cpu_percent" double precision, "memory_percent" double precision, "disk_percent" double precision, "load_percent" double precision, "connections" integer, "requests_per_minute" double precision, "error_rate" double precision, "latency_p95_ms" double precision, "is_healthy" boolean, "snapshot" jsonb NOT NULL, "reported" jsonb, CONSTRAINT "system_metrics_pkey" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "system_metrics_recorded_at_idx" ON "system_metrics"  ("recorded_at") ',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."system_metrics_recorded_at_idx"');
    await queryRunner.query('DROP TABLE "system_metrics"');
    await queryRunner.query('DROP TABLE "api_metrics"');
  }
}
