import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsOptionalNotNull, StringList } from '../../common/validation/decorators.js';
import { TASK_PRIORITIES, type TaskPriority } from '../../tasks/task-state.js';

export const MAX_STEPS = 2_000;

export class TaskTemplateDto {
  @ApiProperty({ minLength: 1, maxLength: 500, example: 'Write the migration' })
  @IsString()
  @Length(1, 500)
  title: string;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 20_000 })
  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  description?: string | null;

  @ApiPropertyOptional({ enum: TASK_PRIORITIES, enumName: 'TaskPriority', default: 'medium' })
  @IsOptionalNotNull()
  @IsIn(TASK_PRIORITIES)
  priority?: TaskPriority;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  task_type?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptionalNotNull()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ minimum: 1, nullable: true, type: Number })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  estimated_duration_minutes?: number | null;
}

/** CONTRACT §3 "Workflows": one step; the graph checks run on the whole list. */
export class WorkflowStepDto {
  @ApiProperty({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$', example: 'build' })
  @IsString()
  @Length(1, 100)
  @Matches(/^[A-Za-z0-9_.-]+$/, { message: 'key may hold letters, digits, _, . and - only' })
  key: string;

  @ApiProperty({ minLength: 1, maxLength: 255, example: 'Build the app' })
  @IsString()
  @Length(1, 255)
  name: string;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 10_000 })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  description?: string | null;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'This agent runs the step (it must exist)',
  })
  @IsOptional()
  @IsUUID()
  agent_id?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 100,
    description: 'Any available agent of this type',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  agent_type?: string | null;

  @ApiPropertyOptional({
    type: [String],
    description: 'The agent must have every one of these capabilities',
  })
  @IsOptionalNotNull()
  @StringList()
  required_capabilities?: string[];

  @ApiProperty({ type: TaskTemplateDto })
  @IsObject({ message: 'task_template is required: an object with at least a title' })
  @ValidateNested()
  @Type(() => TaskTemplateDto)
  task_template: TaskTemplateDto;

  @ApiPropertyOptional({
    type: [String],
    default: [],
    description: 'Keys of steps this one waits for',
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAX_STEPS)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  depends_on?: string[];

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 86_400,
    default: 300,
    description: 'Counted from the assignment; a step that outlives it fails (and may be retried)',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(86_400)
  timeout_seconds?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 10, default: 3 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(10)
  max_retries?: number;
}

export class TaskTemplateResponseDto {
  @ApiProperty() title: string;
  @ApiPropertyOptional({ nullable: true, type: String }) description?: string | null;
  @ApiPropertyOptional({ enum: TASK_PRIORITIES, enumName: 'TaskPriority' }) priority?: TaskPriority;
  @ApiPropertyOptional({ nullable: true, type: String }) task_type?: string | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  metadata?: Record<string, unknown>;
  @ApiPropertyOptional({ nullable: true, type: Number }) estimated_duration_minutes?: number | null;
}

export class WorkflowStepResponseDto {
  @ApiProperty() key: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) agent_id: string | null;
  @ApiProperty({ nullable: true, type: String }) agent_type: string | null;
  @ApiProperty({ type: [String] }) required_capabilities: string[];
  @ApiProperty({ type: TaskTemplateResponseDto }) task_template: TaskTemplateResponseDto;
  @ApiProperty({ type: [String] }) depends_on: string[];
  @ApiProperty() timeout_seconds: number;
  @ApiProperty() max_retries: number;
}
