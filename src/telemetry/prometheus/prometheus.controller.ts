import { ApiOkMedia } from '../../common/http/api-responses.js';
import { Controller, Get, Header, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { Auth } from '../../auth/auth.decorator.js';
import { MetricsRegistry } from '../../metrics/metrics-registry.service.js';

@ApiTags('system')
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class PrometheusController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get()
  @Auth('viewer')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  @ApiOkMedia('text/plain', 'Prometheus text exposition format 0.0.4')
  @ApiOperation({
    summary: 'Prometheus metrics of this process',
    description:
      'Process defaults (CPU, memory, event-loop lag, GC), http_request_duration_seconds by ' +
      'method, route and status, Socket.IO connections, queue depths and job outcomes.',
  })
  scrape(): Promise<string> {
    return this.metrics.metrics();
  }
}
