import { applyDecorators, HttpCode } from '@nestjs/common';
import { ApiOperation, ApiResponse, type ApiResponseCommonMetadata } from '@nestjs/swagger';
import { Cached, type CachedOptions } from '../common/cache/cached.decorator.js';
import { type AgentAccess, Auth } from './auth.decorator.js';
import type { UserRole } from './roles.js';

/*
 * The stacks every resource route repeated (access, cache, summary, success and error
 * answers), each composed once. They live beside `Auth` because the toolkit (`common/`)
 * imports no feature module (ARCHITECTURE.md, "Dependency rules").
 */

/** A success body: a DTO class, or `[Dto]` for a plain JSON array. */
type Body = ApiResponseCommonMetadata['type'];

interface EndpointOptions {
  summary: string;
  /** 404's description, for routes that name a resource. */
  notFound?: string;
  /** 409's description, for routes the resource's state may refuse. */
  conflict?: string;
}

export interface ReadOptions extends EndpointOptions {
  /** The 200 body. */
  type: Body;
  /** Unset: viewer. */
  role?: UserRole;
  /** Unset: agent keys read it like a viewer; `false`: they get 403. */
  agent?: AgentAccess | false;
  /** Caches the response in Redis (`@Cached`). */
  cached?: CachedOptions;
}

export interface WriteOptions extends EndpointOptions {
  /** Unset: operator. */
  role?: UserRole;
  /** Unset: agent keys get 403. */
  agent?: AgentAccess;
  /** The success status, both sent and documented. Unset: 200. */
  status?: 200 | 201 | 202 | 204;
  /** The success body (none with 204). */
  type?: Body;
}

function errorAnswers({ notFound, conflict }: EndpointOptions) {
  return [
    ...(notFound ? [ApiResponse({ status: 404, description: notFound })] : []),
    ...(conflict ? [ApiResponse({ status: 409, description: conflict })] : []),
  ];
}

/** A read route: its access (viewer and agent keys by default), cache, summary and answers. */
export function Read(options: ReadOptions) {
  const agent = options.agent === false ? undefined : (options.agent ?? 'read');
  return applyDecorators(
    Auth(options.role ?? 'viewer', { agent }),
    ...(options.cached ? [Cached(options.cached)] : []),
    ApiOperation({ summary: options.summary }),
    ApiResponse({ status: 200, type: options.type }),
    ...errorAnswers(options),
  );
}

/**
 * A write route: its access (operator by default), success status, summary and answers.
 * The status is set on the route as well as documented, so the two cannot differ.
 */
export function Write(options: WriteOptions) {
  const status = options.status ?? 200;
  return applyDecorators(
    Auth(options.role ?? 'operator', { agent: options.agent }),
    HttpCode(status),
    ApiOperation({ summary: options.summary }),
    ApiResponse(status === 204 ? { status } : { status, type: options.type }),
    ...errorAnswers(options),
  );
}
