import { ApiOk } from '../common/http/api-responses.js';
import { ServiceInfoDto } from './health-responses.dto.js';
import { Controller, Get, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator.js';
import { InjectRuntime, Runtime } from '../config/config.module.js';

@ApiTags('health')
@Public()
@Controller({ version: VERSION_NEUTRAL })
export class InfoController {
  constructor(@InjectRuntime() private readonly runtime: Runtime) {}

  @Get()
  @ApiOperation({
    operationId: 'getServiceInfo',
    summary: 'What this service is and where its APIs live',
  })
  @ApiOk(ServiceInfoDto)
  info(): ServiceInfoDto {
    return {
      name: 'SubForge Dashboard API',
      version: this.runtime.version,
      api_versions: [
        { version: 'v1', base_url: '/api/v1', status: 'stable' },
        { version: 'v2', base_url: '/api/v2', status: 'enhanced' },
      ],
      socketio: { path: '/socket.io', namespaces: ['/', '/v2'] },
      docs_url: '/docs',
      openapi_url: '/docs-json',
      asyncapi_url: '/docs/asyncapi.json',
      socket_console_url: '/docs/socket',
      health_url: '/health',
      readiness_url: '/health/ready',
    };
  }
}
