import { ApiProperty } from '@nestjs/swagger';
import { BooleanField } from '../common/validation/fields.js';

export class ScanRequestDto {
  @BooleanField({
    nullable: true,
    doc: {
      default: false,
      description: 'Import every file again, even those whose checksum is unchanged',
    },
  })
  force_rescan: boolean | null = false;

  @BooleanField({
    nullable: true,
    doc: {
      default: true,
      description: 'Accepted for compatibility with the original API; every run is scanned',
    },
  })
  include_inactive: boolean | null = true;
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
    type: String,
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
  @ApiProperty({ type: String, nullable: true }) created_at: string | null;
  @ApiProperty({ type: String, nullable: true }) updated_at: string | null;
  @ApiProperty({ type: String, nullable: true }) current_phase: string | null;
  @ApiProperty() total_phases: number;
  @ApiProperty() completed_phases: number;
  @ApiProperty() failed_phases: number;
  @ApiProperty() agent_count: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the context file could not be read',
  })
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
  @ApiProperty({ type: String, nullable: true }) last_scan: string | null;
  @ApiProperty({ type: SubforgeStatusConfigurationDto })
  configuration: SubforgeStatusConfigurationDto;
}

const OBJECT = { type: 'object', additionalProperties: true } as const;
const OBJECTS = { type: 'array', items: OBJECT } as const;

/** A WorkflowContext (reference/original-backend.md §1.8), as last imported. */
export class WorkflowContextDto {
  @ApiProperty() project_id: string;
  @ApiProperty() user_request: string;
  @ApiProperty({ type: String, nullable: true }) project_path: string | null;
  @ApiProperty({ type: String, nullable: true }) communication_dir: string | null;
  @ApiProperty() status: string;
  @ApiProperty({ type: String, nullable: true }) created_at: string | null;
  @ApiProperty({ type: String, nullable: true }) updated_at: string | null;
  @ApiProperty({ type: String, nullable: true }) completed_at: string | null;
  @ApiProperty(OBJECT) phase_results: Record<string, object>;
  @ApiProperty({ ...OBJECT, nullable: true }) project_profile: Record<string, unknown> | null;
  @ApiProperty(OBJECTS) recommended_agents: object[];
  @ApiProperty(OBJECTS) deployed_agents: object[];
  @ApiProperty(OBJECTS) tasks: object[];
  @ApiProperty(OBJECTS) agent_activities: object[];
  @ApiProperty() total_phases: number;
  @ApiProperty() completed_phases: number;
  @ApiProperty() failed_phases: number;
  @ApiProperty() progress_percentage: number;
  @ApiProperty(OBJECT) metadata: Record<string, unknown>;
  @ApiProperty(OBJECT) configuration: Record<string, unknown>;
}

export class ContextMetadataDto {
  @ApiProperty() retrieved_at: string;
  @ApiProperty() workflow_id: string;
  @ApiProperty({ example: '1.0' }) api_version: string;
}

export class WorkflowContextWithMetadataDto extends WorkflowContextDto {
  @ApiProperty({ type: ContextMetadataDto }) _metadata: ContextMetadataDto;
}

export class SubforgePhaseDto {
  @ApiProperty() name: string;
  @ApiProperty() status: string;
  @ApiProperty({ type: Number, nullable: true }) duration: number | null;
  @ApiProperty({ type: String, nullable: true }) start_time: string | null;
  @ApiProperty({ type: String, nullable: true }) end_time: string | null;
  @ApiProperty(OBJECT) outputs: Record<string, unknown>;
  @ApiProperty({ type: [String] }) errors: string[];
  @ApiProperty({ type: [String] }) warnings: string[];
}

export class SubforgePhasesDto {
  @ApiProperty() workflow_id: string;
  @ApiProperty() total_phases: number;
  @ApiProperty() completed_phases: number;
  @ApiProperty() failed_phases: number;
  @ApiProperty({ type: String, nullable: true }) current_phase: string | null;
  @ApiProperty({ type: [SubforgePhaseDto] }) phases: SubforgePhaseDto[];
}

export class SubforgeTasksDto {
  @ApiProperty() workflow_id: string;
  @ApiProperty() total_tasks: number;
  @ApiProperty(OBJECTS) tasks: object[];
}

export class SubforgeActivitiesDto {
  @ApiProperty() workflow_id: string;
  @ApiProperty() total_activities: number;
  @ApiProperty(OBJECTS) activities: object[];
}

export class PhaseCountDto {
  @ApiProperty() phase: string;
  @ApiProperty() count: number;
}

export class SubforgeMetricsDto {
  @ApiProperty() total_workflows: number;
  @ApiProperty() active_workflows: number;
  @ApiProperty() completed_workflows: number;
  @ApiProperty() failed_workflows: number;
  @ApiProperty({ type: Number, nullable: true, description: 'seconds' })
  average_completion_time: number | null;
  @ApiProperty() success_rate: number;
  @ApiProperty({ type: [PhaseCountDto] }) most_common_phases: PhaseCountDto[];
  @ApiProperty({ type: 'object', additionalProperties: OBJECT })
  agent_utilization: Record<string, object>;
  @ApiProperty(OBJECTS) recent_activities: object[];
}
