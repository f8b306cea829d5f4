import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'api-key';

const TAGS: [string, string][] = [
  ['health', 'Liveness, readiness and service information (public)'],
  ['auth', 'Login, tokens and API keys'],
  ['users', 'User accounts (admin)'],
  ['agents', 'AI agents: registry, heartbeats, commands, configuration, logs and metrics'],
  ['tasks', 'Tasks with a dependency graph and a strict state machine'],
  ['workflows', 'Workflow definitions (DAGs of steps), runs and orchestration'],
  ['history', 'Workflow run history and analytics (v1)'],
  ['files', 'File uploads, downloads and validation'],
  ['background-tasks', 'Durable background jobs on Bull'],
  ['websocket', 'Socket.IO connections, rooms, broadcast and event history'],
  ['system', 'Measured system metrics, health, analytics and maintenance'],
  ['dashboard', 'Routes read by the existing SubForge dashboard UI (camelCase)'],
  ['subforge', 'SubForge project integration (.subforge runs and .claude agents)'],
];

export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('SubForge Dashboard API')
    .setDescription(
      'Control-and-monitoring backend for SubForge AI-agent orchestration. ' +
        '`/api/v1` is the stable original contract, `/api/v2` the enhanced API. ' +
        'Authenticate with `Authorization: Bearer <JWT or API key>` or `X-API-Key: <key>`. ' +
        'The first admin key is printed in a frame at the end of the first start-up, or is ' +
        '`ADMIN_API_KEY` when that is set (set it to recover one); admins make more keys at ' +
        '`POST /api/v2/auth/api-keys` and users sign in at `POST /api/v2/auth/login`. ' +
        'Errors share one shape: `{status_code, error, message, details?, request_id}`. ' +
        'Live updates: Socket.IO namespaces `/v2` (rooms, replay) and `/` (dashboard feed).',
    )
    .setVersion(version)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT or API key',
        description:
          'A login token (`POST /api/v2/auth/login`, valid for JWT_EXPIRES_IN) or an API key, sent as `Authorization: Bearer <value>`',
      },
      BEARER_SCHEME,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
        description:
          'An API key: the admin key printed at first start-up (or ADMIN_API_KEY), or one made at POST /api/v2/auth/api-keys',
      },
      API_KEY_SCHEME,
    );
  for (const [name, description] of TAGS) builder.addTag(name, description);
  return SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (controllerKey: string, methodKey: string, apiVersion?: string) =>
      `${apiVersion ? `${apiVersion}_` : ''}${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
}

/** Swagger UI at /docs and the OpenAPI document at /docs-json, outside the /api prefix. */
export function setupSwagger(app: INestApplication, version: string): void {
  const document = buildOpenApiDocument(app, version);
  SwaggerModule.setup('docs', app, document, {
    useGlobalPrefix: false,
    jsonDocumentUrl: 'docs-json',
    raw: ['json'],
    customSiteTitle: 'SubForge Dashboard API',
    swaggerOptions: { persistAuthorization: true, displayOperationId: true },
  });
}
