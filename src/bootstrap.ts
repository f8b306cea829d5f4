import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { AppConfig } from './config/config.js';
import type { Runtime } from './config/config.module.js';
import { answerUnmatchedRequests } from './common/filters/all-exceptions.filter.js';
import { AnyApp, createHttpApp, createWorkerContext, type ExtraModules } from './app.factory.js';
import { AdminBootstrapService } from './auth/admin-bootstrap.service.js';
import { mappedRoutes } from './common/http/route-map.js';
import { AppLogger } from './common/logging/app-logger.js';
import { runMigrations } from './database/migrate.js';
import { resolvePostgres } from './infra/postgres-service.js';
import { resolveRedis } from './infra/redis-service.js';
import { ResolvedService } from './infra/startup-error.js';
import { withTimeout } from './common/async.js';
import { packageVersion } from './version.js';

export interface RunningService {
  app: AnyApp;
  config: AppConfig;
  runtime: Runtime;
  /** Base URL when this process serves HTTP (`api`, `all`). */
  url?: string;
  /** Graceful stop: stop accepting, finish in-flight requests, close everything. */
  shutdown(): Promise<void>;
}

/**
 * Starts one process of the service: resolves PostgreSQL and Redis (or starts the
 * embedded ones), applies migrations under a lock, then builds the app for its role.
 */
export async function startService(
  config: AppConfig,
  logger = new AppLogger(config),
  extra: ExtraModules = [],
): Promise<RunningService> {
  const log = new Logger('Bootstrap');
  Logger.overrideLogger(logger);
  for (const warning of config.warnings) new Logger('Config').warn(warning);
  const services: ResolvedService[] = [];
  const stopServices = async () => {
    for (const service of services.reverse()) await service.stop().catch(() => undefined);
  };
  try {
    const database = await resolvePostgres(config, log);
    services.push(database);
    const redis = await resolveRedis(config, log);
    services.push(redis);
    const applied = await runMigrations(database.url);
    if (applied.length) log.log(`Applied migrations: ${applied.join(', ')}`);

    const runtime: Runtime = {
      databaseUrl: database.url,
      redisUrl: redis.url,
      instanceId: randomUUID(),
      startedAt: new Date(),
      version: packageVersion(),
    };

    if (config.role === 'worker') {
      const app = await createWorkerContext(config, runtime, logger, extra);
      await app.init();
      log.log(`Worker ${runtime.instanceId} processing jobs`);
      return {
        app,
        config,
        runtime,
        shutdown: async () => {
          runtime.shutdownDeadline = Date.now() + config.shutdownTimeoutMs;
          await app.close();
          await stopServices();
        },
      };
    }

    const { app, beginShutdown } = await createHttpApp(config, runtime, logger, extra);
    app.enableShutdownHooks = () => app; // shutdown is driven by us, not by Nest's signal hooks
    await app.init();
    const routeLog = new Logger('RouteMap');
    for (const route of mappedRoutes(app)) routeLog.log(`Mapped {${route.path}, ${route.method}}`);
    answerUnmatchedRequests(app);
    await app.listen(config.port, config.host);
    const server = app.getHttpServer();
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `http://${host}:${port}`;
    log.log(`SubForge Dashboard API (${config.role}) listening on ${url} (docs at ${url}/docs)`);
    app.get(AdminBootstrapService).announce();
    return {
      app,
      config,
      runtime,
      url,
      shutdown: async () => {
        runtime.shutdownDeadline = Date.now() + config.shutdownTimeoutMs;
        beginShutdown();
        // Stop accepting and wait for in-flight requests; idle keep-alive sockets close now,
        // and so does each one whose request finishes meanwhile (else it would hold the
        // drain open until its keep-alive timeout).
        const drained = new Promise<void>((resolveDrain) => server.close(() => resolveDrain()));
        server.closeIdleConnections();
        const sweep = setInterval(() => server.closeIdleConnections(), 100);
        await withTimeout(
          drained,
          config.shutdownTimeoutMs - 2_000,
          'in-flight requests did not finish',
        )
          .catch((error: Error) => {
            log.warn(error.message);
            server.closeAllConnections();
          })
          .finally(() => clearInterval(sweep));
        await app.close();
        await stopServices();
      },
    };
  } catch (error) {
    await stopServices();
    throw error;
  }
}
