import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';

export class ScanRequestDto {
  @ApiPropertyOptional({
    default: false,
    description: 'Import every file again, even those whose checksum is unchanged',
  })
  @IsOptional()
  @IsBoolean()
  force_rescan = false;

  @ApiPropertyOptional({
    default: true,
    description: 'Accepted for compatibility with the original API; every run is scanned',
  })
  @IsOptional()
  @IsBoolean()
  include_inactive = true;
}

export class ScanAcceptedDto {
  @ApiProperty({ example: 'Scan initiated successfully' }) message: string;
  @ApiProperty({ enum: ['force', 'incremental'] }) scan_type: 'force' | 'incremental';
  @ApiProperty({ enum: ['processing'] }) status: 'processing';
}

export class IntegrationStateDto {
  @ApiProperty() message: string;
  @ApiProperty({ enum: ['active', 'inactive'] }) status: 'active' | 'inactive';
}

export class WorkflowSummaryDto {
  @ApiProperty({
    description: 'The run directory name (imported runs) or the run id (runs started over the API)',
    example: 'subforge_20260101_120000',
  })
  workflow_id: string;
  @ApiProperty({
    nullable: true,
    description: 'The workflow run mirroring it (/api/v2/workflows/runs)',
  })
  run_id: string | null;
  @ApiProperty({ description: 'Equal to workflow_id: the id of the detail routes' })
  project_id: string;
  @ApiProperty({
    description:
      'The project as the run names it: SubForge’s own project_id; for an API run its workflow',
  })
  project_name: string;
  @ApiProperty() user_request: string;
  @ApiProperty({ enum: ['active', 'completed', 'failed', 'paused', 'cancelled'] }) status: string;
  @ApiProperty() progress_percentage: number;
  @ApiProperty({ nullable: true }) created_at: string | null;
  @ApiProperty({ nullable: true }) updated_at: string | null;
  @ApiProperty({ nullable: true }) current_phase: string | null;
  @ApiProperty() total_phases: number;
  @ApiProperty() completed_phases: number;
  @ApiProperty() failed_phases: number;
  @ApiProperty() agent_count: number;
  @ApiProperty({ nullable: true, description: 'Why the context file could not be read' })
  error: string | null;
}

export class SubforgeStatusConfigurationDto {
  @ApiProperty() scan_interval: number;
  @ApiProperty() max_workflows: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Always null: a run is kept while its directory exists, removed when it goes',
  })
  cleanup_after_days: number | null;
  @ApiProperty() enable_real_time_monitoring: boolean;
}

export class SubforgeStatusDto {
  @ApiProperty({ enum: ['active', 'inactive'] }) service_status: 'active' | 'inactive';
  @ApiProperty() monitoring_enabled: boolean;
  @ApiProperty({ description: 'An instance holds the watcher lease and watches the files' })
  file_watching_enabled: boolean;
  @ApiProperty() total_workflows: number;
  @ApiProperty() active_workflows: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Absolute path of .subforge; null below the operator role',
  })
  subforge_directory: string | null;
  @ApiProperty() subforge_directory_exists: boolean;
  @ApiProperty({ nullable: true }) last_scan: string | null;
  @ApiProperty({ type: SubforgeStatusConfigurationDto })
  configuration: SubforgeStatusConfigurationDto;
}
