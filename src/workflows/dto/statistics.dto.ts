import { ApiProperty } from '@nestjs/swagger';

export class DurationFiguresDto {
  @ApiProperty({ nullable: true, type: Number }) avg: number | null;
  @ApiProperty({ nullable: true, type: Number }) p50: number | null;
  @ApiProperty({ nullable: true, type: Number }) p95: number | null;
}

export class WorkflowCountsDto {
  @ApiProperty() total: number;
  @ApiProperty() templates: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) by_status: Record<
    string,
    number
  >;
}

export class RunStatisticsDto {
  @ApiProperty() total: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) by_status: Record<
    string,
    number
  >;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) by_source: Record<
    string,
    number
  >;
  @ApiProperty({ description: 'Completed runs among finished ones, %' }) success_rate: number;
  @ApiProperty({ type: DurationFiguresDto, description: 'Finished runs, start to end, ms' })
  duration_ms: DurationFiguresDto;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  last_24_hours: { started: number; completed: number; failed: number };
}

export class StepStatisticsDto {
  @ApiProperty() total: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) by_status: Record<
    string,
    number
  >;
  @ApiProperty({ description: 'Steps that needed more than one attempt' }) retried: number;
  @ApiProperty({ description: 'Attempts ended by their timeout' }) timed_out_attempts: number;
  @ApiProperty({
    type: DurationFiguresDto,
    description: 'Completed steps, start to completion, ms',
  })
  duration_ms: DurationFiguresDto;
}

export class DispatchStatisticsDto {
  @ApiProperty({ description: 'Assignments of steps to agents (every attempt)' })
  dispatches: number;
  @ApiProperty({
    type: DurationFiguresDto,
    description:
      'First attempts: from the moment the step was ready (run start or last dependency completed) to its assignment, ms; includes any wait for a free agent',
  })
  ready_to_assigned_ms: DurationFiguresDto;
}

export class WorkflowStatisticsDto {
  @ApiProperty({ type: WorkflowCountsDto }) workflows: WorkflowCountsDto;
  @ApiProperty({ type: RunStatisticsDto }) runs: RunStatisticsDto;
  @ApiProperty({ type: StepStatisticsDto }) steps: StepStatisticsDto;
  @ApiProperty({ type: DispatchStatisticsDto }) dispatch: DispatchStatisticsDto;
}
