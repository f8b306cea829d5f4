import { ApiProperty } from '@nestjs/swagger';

export class V1StatusResponseDto {
  @ApiProperty({ example: 'running' }) status: string;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'integer' },
    description: 'Agents by status; null when the database did not answer in time',
    example: { total_agents: 3, active_agents: 1, idle_agents: 2, offline_agents: 0 },
  })
  agents: Record<string, number> | null;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'integer' },
    description: 'Tasks by status; null when the database did not answer in time',
    example: { total_tasks: 5, pending_tasks: 2, in_progress_tasks: 1, completed_tasks: 2 },
  })
  tasks: Record<string, number> | null;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'integer' },
    description: 'total, active (active, running or scheduled), completed and paused workflows',
  })
  workflows: Record<string, number> | null;
  @ApiProperty({ example: '2 days, 3:04:05', description: 'Uptime of the answering process' })
  uptime: string;
  @ApiProperty() uptime_seconds: number;
  @ApiProperty({ description: 'Socket.IO connections of every instance' })
  connected_clients: number;
  @ApiProperty() instance_id: string;
  @ApiProperty({ format: 'date-time' }) last_updated: string;
}
