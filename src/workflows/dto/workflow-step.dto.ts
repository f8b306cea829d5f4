import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsObject,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { IsOptionalNotNull } from '../../common/validation/decorators.js';
import {
  EnumField,
  IntField,
  ObjectField,
  StringListField,
  TextField,
  UuidField,
} from '../../common/validation/fields.js';
import { TASK_PRIORITIES, type TaskPriority } from '../../tasks/task-state.js';

export const MAX_STEPS = 2_000;

export class TaskTemplateDto {
  @TextField({ min: 1, max: 500 }, { doc: { example: 'Write the migration' } })
  title: string;

  @TextField({ max: 20_000 }, { nullable: true })
  description?: string | null;

  @EnumField(TASK_PRIORITIES, 'TaskPriority', { optional: true, doc: { default: 'medium' } })
  priority?: TaskPriority;

  @TextField({ min: 1, max: 100 }, { nullable: true })
  task_type?: string | null;

  @ObjectField({ optional: true })
  metadata?: Record<string, unknown>;

  @IntField({ min: 1, max: 1_000_000 }, { nullable: true })
  estimated_duration_minutes?: number | null;
}

/** CONTRACT §3 "Workflows": one step; the graph checks run on the whole list. */
export class WorkflowStepDto {
  @ApiProperty({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$', example: 'build' })
  @IsString()
  @Length(1, 100)
  @Matches(/^[A-Za-z0-9_.-]+$/, { message: 'key may hold letters, digits, _, . and - only' })
  key: string;

  @TextField({ min: 1, max: 255 }, { doc: { example: 'Build the app' } })
  name: string;

  @TextField({ max: 10_000 }, { nullable: true })
  description?: string | null;

  @UuidField({
    nullable: true,
    doc: { description: 'This agent runs the step (it must exist)' },
  })
  agent_id?: string | null;

  @TextField(
    { min: 1, max: 100 },
    { nullable: true, doc: { description: 'Any available agent of this type' } },
  )
  agent_type?: string | null;

  @StringListField({
    optional: true,
    doc: { description: 'The agent must have every one of these capabilities' },
  })
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

  @IntField(
    { min: 1, max: 86_400 },
    {
      optional: true,
      doc: {
        default: 300,
        description:
          'Counted from the assignment; a step that outlives it fails (and may be retried)',
      },
    },
  )
  timeout_seconds?: number;

  @IntField({ min: 0, max: 10 }, { optional: true, doc: { default: 3 } })
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
