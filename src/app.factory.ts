import {
  INestApplication,
  INestApplicationContext,
  RequestMethod,
  VersioningType,
  type ModuleMetadata,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type {
  NestExpressApplication,
  NestExpressBodyParserOptionsFor,
} from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from './config/config.js';
import type { Runtime } from './config/config.module.js';
import { AppModule } from './app.module.js';
import { AppLogger } from './common/logging/app-logger.js';
import { refuseUnstorableJson } from './common/http/json-limits.js';
import { requestIdMiddleware } from './common/http/request-id.middleware.js';
import { securityHeaders } from './common/http/security-headers.js';
import { setupSwagger } from './common/http/swagger.js';
import { PagedExpressAdapter } from './common/pagination/pagination-headers.js';
import { setupSocketDocs } from './docs/socket-docs.js';
import { mountQueueBoard } from './jobs/queue-board.js';
import { DeliveryCore } from './realtime/delivery/delivery-core.service.js';
import { RealtimeIoAdapter } from './realtime/io.adapter.js';
import { PlainWsServer } from './realtime/plain-ws/plain-ws.server.js';
import { RedisService } from './redis/redis.service.js';
import { apiMetricsMiddleware } from './telemetry/api-metrics/api-metrics.middleware.js';
import { ApiMetricsRecorder } from './telemetry/api-metrics/api-metrics.recorder.js';
import { MetricsRegistry } from './metrics/metrics-registry.service.js';

/**
 * Routes the global `/api` prefix leaves alone: the contract's public, unversioned
 * surface, and the version-neutral API routes (the existing dashboard's, SubForge's),
 * which their controllers declare with their full `api/...` path so that
 * `/api/metrics` (dashboard) and `/metrics` (Prometheus) stay apart.
 */
export const UNPREFIXED_ROUTES = [
  { path: '/', method: RequestMethod.GET },
  { path: 'health', method: RequestMethod.GET },
  { path: 'health/ready', method: RequestMethod.GET },
  { path: 'metrics', method: RequestMethod.GET },
  { path: 'api/{*rest}', method: RequestMethod.ALL },
];

export interface HttpApp {
  app: NestExpressApplication;
  /** Refuse new requests, let those in flight finish, then close everything. */
  beginShutdown(): void;
}

/** Builds the HTTP application (api and all roles) without listening. */
export async function createHttpApp(
  config: AppConfig,
  runtime: Runtime,
  logger = new AppLogger(config),
  extra: ExtraModules = [],
): Promise<HttpApp> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register(config, runtime, extra),
    new PagedExpressAdapter(),
    {
      logger,
      bodyParser: false,
      cors: false,
      bufferLogs: true,
    },
  );
  let shuttingDown = false;
  app.use(requestIdMiddleware);
  app.use(apiMetricsMiddleware(app.get(ApiMetricsRecorder), app.get(MetricsRegistry)));
  app.use((_req: Request, res: Response, next: NextFunction) => {
    // During shutdown every response closes its connection, so keep-alive clients let go.
    if (shuttingDown) res.setHeader('Connection', 'close');
    next();
  });
  app.set('trust proxy', config.trustProxy);
  if (config.trustProxy === true)
    logger.warn(
      'TRUST_PROXY=true believes every X-Forwarded-For hop: clients can pick their own IP. ' +
        'Set the hop count or the proxy addresses instead.',
      'Config',
    );
  app.disable('x-powered-by');
  app.use(securityHeaders());
  app.enableCors({
    origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
    credentials: true,
    exposedHeaders: [
      'X-Request-Id',
      'X-Total-Count',
      'X-Page-Size',
      'X-Current-Page',
      'X-Total-Pages',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
      'Retry-After',
      'X-Cache',
    ],
  });
  // Nest leaves `verify` out of the type (it uses it for rawBody, which we do not enable).
  app.useBodyParser('json', {
    limit: config.bodyLimitBytes,
    verify: refuseUnstorableJson,
  } as NestExpressBodyParserOptionsFor<'json'>);
  app.useBodyParser('urlencoded', { limit: config.bodyLimitBytes, extended: false });
  app.setGlobalPrefix('api', { exclude: UNPREFIXED_ROUTES });
  app.enableVersioning({ type: VersioningType.URI });
  app.useLogger(logger);
  app.useWebSocketAdapter(new RealtimeIoAdapter(app, config, app.get(RedisService)));
  const plainWebSockets = app.get(PlainWsServer);
  plainWebSockets.attach(app.getHttpServer());
  mountQueueBoard(app);
  setupSocketDocs(app, runtime.version);
  setupSwagger(app, runtime.version);
  return {
    app,
    beginShutdown: () => {
      shuttingDown = true;
      // Live connections (plain WebSocket, SSE streams) would hold the drain open.
      plainWebSockets.closeAll();
      app.get(DeliveryCore).closeAll(1001, 'server shutting down');
    },
  };
}

/** Builds the worker (Bull processors only, no HTTP). */
export async function createWorkerContext(
  config: AppConfig,
  runtime: Runtime,
  logger = new AppLogger(config),
  extra: ExtraModules = [],
): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(AppModule.register(config, runtime, extra), {
    logger,
  });
}

/** Modules an embedding program adds to the app (see AppModule.register). */
export type ExtraModules = NonNullable<ModuleMetadata['imports']>;

export type AnyApp = INestApplication | INestApplicationContext;
