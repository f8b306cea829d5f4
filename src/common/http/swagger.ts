import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponseDto } from './api-responses.js';

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
        'Live updates: Socket.IO namespaces `/v2` (rooms, replay) and `/` (dashboard feed), ' +
        'described by the AsyncAPI document [/docs/asyncapi.json](/docs/asyncapi.json) ' +
        '([YAML](/docs/asyncapi.yaml)); try them in the [socket console](/docs/socket).',
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
  const document = SwaggerModule.createDocument(app, builder.build(), {
    extraModels: [ErrorResponseDto],
    operationIdFactory: (controllerKey: string, methodKey: string, apiVersion?: string) =>
      `${apiVersion ? `${apiVersion}_` : ''}${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  return withCommonResponses(document);
}

/** Routes the rate limiter skips (liveness and readiness probes). */
const UNLIMITED_PATHS = new Set(['/health', '/health/ready']);

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': {
    description: 'Requests allowed per minute on this route',
    schema: { type: 'integer' },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in this minute',
    schema: { type: 'integer' },
  },
  'X-RateLimit-Reset': {
    description: 'Seconds until the window resets',
    schema: { type: 'integer' },
  },
};

const ERROR_CONTENT = {
  'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } },
};

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
type Responses = Operation['responses'];

/**
 * What every route answers besides its own statuses, from the app's global pipes and guards:
 * - the one error schema on every 4xx/5xx;
 * - 400 and 413 everywhere (malformed URLs, query strings and JSON, and bodies over
 *   BODY_LIMIT, are refused before routing), 404 where the path names a resource, 415 where
 *   the route takes a JSON body;
 * - 429 and the X-RateLimit-* headers on every rate-limited route (all but the probes).
 *   The headers are required on success answers; they are missing only while Redis, which
 *   counts the requests, is unavailable, or with RATE_LIMIT_ENABLED=false.
 */
export function withCommonResponses(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const responses: Responses = operation.responses;
      const json =
        operation.requestBody && 'content' in operation.requestBody
          ? operation.requestBody.content['application/json']
          : undefined;
      // Malformed URLs, query strings and JSON bodies are refused before any route code runs.
      responses['400'] ??= { description: 'Invalid input (unknown fields, wrong types, bad ids)' };
      if (/\{[^}]+\}/.test(path)) responses['404'] ??= { description: 'No such resource' };
      // Any request body is read (and bounded) before routing.
      responses['413'] ??= { description: 'The body is larger than BODY_LIMIT' };
      if (json) responses['415'] ??= { description: 'The body is not JSON' };
      const limited = !UNLIMITED_PATHS.has(path);
      if (limited)
        responses['429'] ??= { description: 'Rate limited; retry after Retry-After seconds' };
      for (const [status, response] of Object.entries(responses)) {
        if (!response || '$ref' in response) continue;
        const code = Number(status);
        // Every error is the one JSON error shape, whatever the route's success media type.
        if (code >= 400) response.content = ERROR_CONTENT;
        if (limited) {
          // Errors may come before the limiter counted (authentication, body parsing).
          const required = code < 300 || code === 429;
          response.headers = {
            ...Object.fromEntries(
              Object.entries(RATE_LIMIT_HEADERS).map(([name, header]) => [
                name,
                { ...header, required },
              ]),
            ),
            ...(code === 429
              ? {
                  'Retry-After': {
                    description: 'Seconds to wait',
                    schema: { type: 'integer' },
                    required: true,
                  },
                }
              : {}),
            ...response.headers,
          };
        }
      }
    }
  }
  return document;
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
