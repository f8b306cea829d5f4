import { ApiErrors, ApiOk } from '../common/http/api-responses.js';
import { LivenessDto, ReadinessDto } from './health-responses.dto.js';
import { Controller, Get, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../common/decorators/public.decorator.js';
import { InjectRuntime, Runtime } from '../config/config.module.js';
import { CoreHealthIndicators } from './health.indicators.js';

@ApiTags('health')
@Public()
@SkipThrottle()
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly checks: CoreHealthIndicators,
    @InjectRuntime() private readonly runtime: Runtime,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: the process is up and serving' })
  @ApiOk(LivenessDto)
  liveness(): LivenessDto {
    return {
      status: 'ok',
      uptime_seconds: Math.round(process.uptime() * 10) / 10,
      instance_id: this.runtime.instanceId,
    };
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: PostgreSQL and Redis answer, and the bucket when FILE_STORE=s3',
  })
  @ApiOk(ReadinessDto, { description: 'Every check answers' })
  @ApiErrors([503, 'One of them does not; the failing check is named'])
  readiness() {
    return this.health.check(this.checks.readiness());
  }
}
