import { ApiProperty } from '@nestjs/swagger';

const CHECKS = {
  type: 'object' as const,
  additionalProperties: {
    type: 'object',
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    required: ['status'],
    additionalProperties: true,
  },
};

export class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status: string;
  @ApiProperty({ example: 12.3 }) uptime_seconds: number;
  @ApiProperty() instance_id: string;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ok'] }) status: string;
  @ApiProperty({ ...CHECKS, description: 'Checks that are up' }) info: Record<string, object>;
  @ApiProperty({ ...CHECKS, description: 'Checks that are down' }) error: Record<string, object>;
  @ApiProperty({ ...CHECKS, description: 'Every check' }) details: Record<string, object>;
}

export class ApiVersionDto {
  @ApiProperty({ example: 'v2' }) version: string;
  @ApiProperty({ example: '/api/v2' }) base_url: string;
  @ApiProperty({ example: 'enhanced' }) status: string;
}

export class SocketInfoDto {
  @ApiProperty({ example: '/socket.io' }) path: string;
  @ApiProperty({ type: [String], example: ['/', '/v2'] }) namespaces: string[];
}

export class ServiceInfoDto {
  @ApiProperty({ example: 'SubForge Dashboard API' }) name: string;
  @ApiProperty() version: string;
  @ApiProperty({ type: [ApiVersionDto] }) api_versions: ApiVersionDto[];
  @ApiProperty({ type: SocketInfoDto }) socketio: SocketInfoDto;
  @ApiProperty({ example: '/docs' }) docs_url: string;
  @ApiProperty({ example: '/docs-json' }) openapi_url: string;
  @ApiProperty({ example: '/docs/asyncapi.json' }) asyncapi_url: string;
  @ApiProperty({ example: '/docs/socket' }) socket_console_url: string;
  @ApiProperty({ example: '/health' }) health_url: string;
  @ApiProperty({ example: '/health/ready' }) readiness_url: string;
}

/** v1 `GET /system/health`. */
export class V1HealthResponseDto {
  @ApiProperty({ enum: ['healthy', 'unhealthy'], enumName: 'V1HealthStatus' }) status: string;
  @ApiProperty({ format: 'date-time' }) timestamp: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'boolean' },
    example: { database: true, redis: true, queues: true, disk: true, socketio: true },
  })
  checks: Record<string, boolean>;
  @ApiProperty() uptime_seconds: number;
  @ApiProperty() version: string;
}
